package standins

import (
	"fmt"
	"strconv"
)

// maniphestEdit applies transactions to a task (objectIdentifier: id, T123 or PHID) or creates
// one, as viewer, recording each change (in one transaction group) so that
// transaction.search and maniphest.gettasktransactions report it. Changes with no effect are
// dropped, as the editor does with continueOnNoEffect.
func (c *conduitAPI) maniphestEdit(p map[string]any, viewer string) (any, *conduitError) {
	var t *ConduitTask
	creating := false
	if id := asString(p["objectIdentifier"]); id != "" {
		if t = c.findTask(id); t == nil {
			return nil, coreErr("No object exists with ID %q.", id)
		}
		if t.Locked && viewer == ConduitBotPHID {
			return nil, coreErr("You Shall Not Pass: T%d You do not have permission to edit this object. Users with the \"Can Edit\" capability: Members of project Restricted.", t.ID)
		}
	} else {
		creating = true
		t = &ConduitTask{Status: "open", Priority: 90, AuthorPHID: viewer, Columns: map[string]string{}, Created: c.now()}
	}
	if _, ok := p["transactions"]; !ok {
		return nil, coreErr("Parameter \"transactions\" is not a list of transactions.")
	}
	var changes []*ConduitXact
	add := func(kind string, old, new any) *ConduitXact {
		x := &ConduitXact{Type: kind, OldValue: old, NewValue: new}
		changes = append(changes, x)
		return x
	}
	work := *t
	work.Columns = map[string]string{}
	for k, v := range t.Columns {
		work.Columns[k] = v
	}
	work.Projects = append([]string{}, t.Projects...)
	if creating {
		add("core:create", nil, nil)
	}
	for i, raw := range asList(p["transactions"]) {
		x, _ := raw.(map[string]any)
		if x == nil {
			return nil, coreErr("Parameter \"transactions\" must contain a list of transaction descriptions, but item with key \"%d\" is not a dictionary.", i)
		}
		typ, val := asString(x["type"]), x["value"]
		switch typ {
		case "title":
			if s := asString(val); s != work.Name {
				add("title", nilIfEmpty(work.Name), s)
				work.Name = s
			}
		case "description":
			if s := asString(val); s != work.Description {
				add("description", work.Description, s)
				work.Description = s
			}
		case "status":
			s := asString(val)
			if statusName(s) == "" {
				return nil, coreErr("Transaction %d: status %q is not a valid task status.", i, s)
			}
			if s != work.Status {
				add("status", work.Status, s)
				work.Status = s
			}
		case "priority":
			pr, ok := priorityKeyword(asString(val))
			if !ok {
				n, err := strconv.Atoi(asString(val))
				if _, known := conduitPriorities[n]; err != nil || !known {
					return nil, coreErr("Transaction %d: priority %q is not a valid priority keyword.", i, asString(val))
				}
				pr = n
			}
			if pr != work.Priority || creating {
				old := any(strconv.Itoa(work.Priority))
				if creating {
					old = nil
				}
				add("priority", old, strconv.Itoa(pr))
				work.Priority = pr
			}
		case "points":
			var old any
			if work.Points != nil {
				old = *work.Points
			}
			if val == nil || asString(val) == "" {
				work.Points = nil
				if old != nil {
					add("points", old, nil)
				}
				break
			}
			f, err := strconv.ParseFloat(asString(val), 64)
			if err != nil || f < 0 {
				return nil, coreErr("Transaction %d: Points value must be numeric or empty.", i)
			}
			work.Points = &f
			add("points", old, f)
		case "owner":
			if s := asString(val); s != work.OwnerPHID {
				if s != "" && c.users[s] == nil {
					return nil, coreErr("Transaction %d: owner %q is not a user.", i, s)
				}
				add("reassign", nilIfEmpty(work.OwnerPHID), nilIfEmpty(s))
				work.OwnerPHID = s
			}
		case "comment":
			x := add("core:comment", nil, nil)
			x.Comment = asString(val)
		case "column":
			for _, cv := range asList(val) {
				colPHID := asString(cv)
				if m, ok := cv.(map[string]any); ok {
					colPHID = asString(m["columnPHID"])
				}
				col := c.columns[colPHID]
				if col == nil {
					return nil, coreErr("Transaction %d: column %q does not exist.", i, colPHID)
				}
				from := work.Columns[col.Project]
				if from == col.PHID {
					continue // no effect
				}
				fromMap := map[string]any{}
				if from != "" {
					fromMap[from] = from
				}
				var fromValue any = fromMap
				if len(fromMap) == 0 {
					fromValue = []any{} // PHP's empty array
				}
				add("core:columns", nil, []any{map[string]any{"columnPHID": col.PHID, "boardPHID": col.Project, "fromColumnPHIDs": fromValue, "beforePHIDs": []any{}, "afterPHIDs": []any{}}})
				work.Columns[col.Project] = col.PHID
				if !contains(work.Projects, col.Project) {
					old := append([]string{}, work.Projects...)
					work.Projects = append(work.Projects, col.Project)
					addEdge(add, old, work.Projects)
				}
			}
		case "projects.add", "projects.remove", "projects.set":
			list := asStrings(val)
			for _, ph := range list {
				if c.projects[ph] == nil {
					return nil, coreErr("Transaction %d: project %q does not exist.", i, ph)
				}
			}
			old := append([]string{}, work.Projects...)
			switch typ {
			case "projects.add":
				work.Projects = dedupe(append(work.Projects, list...))
			case "projects.remove":
				work.Projects = without(work.Projects, list)
			default:
				work.Projects = dedupe(list)
			}
			for _, ph := range work.Projects {
				if _, ok := work.Columns[ph]; !ok {
					if first := c.defaultColumn(ph); first != "" {
						work.Columns[ph] = first
					}
				}
			}
			for board := range work.Columns {
				if !contains(work.Projects, board) {
					delete(work.Columns, board)
				}
			}
			addEdge(add, old, work.Projects)
		case "subscribers.add", "subscribers.remove", "subscribers.set":
			add("core:subscribers", []any{}, asStrings(val))
		case "subtype", "parent", "space":
			add(typ, nil, val)
		case "view", "edit":
			add("core:"+typ+"-policy", "users", asString(val))
		default:
			return nil, coreErr("Transaction type %q is unknown to the local Conduit stand-in.", typ)
		}
	}
	if creating && work.Name == "" {
		return nil, coreErr("Validation errors:\n  - Tasks must have a title.")
	}
	if creating {
		work.ID = c.nextID
		work.PHID = fmt.Sprintf("PHID-TASK-local%015d", work.ID)
		c.nextID++
		for _, ph := range work.Projects {
			if _, ok := work.Columns[ph]; !ok {
				if first := c.defaultColumn(ph); first != "" {
					work.Columns[ph] = first
				}
			}
		}
	}
	now := c.now()
	if len(changes) > 0 {
		work.Modified = now
	}
	*t = work
	c.tasks[t.ID] = t
	c.groupID++
	group := fmt.Sprintf("%032x", c.groupID)
	xacts := []any{}
	for _, x := range changes {
		c.xactID++
		x.ID, x.PHID = c.xactID, fmt.Sprintf("PHID-XACT-TASK-local%011d", c.xactID)
		x.AuthorPHID, x.DateCreated, x.GroupID = viewer, now, group
		if x.Type == "core:edge" {
			x.OldValue, x.NewValue = edgeMap(t.PHID, asStrings(x.OldValue)), edgeMap(t.PHID, asStrings(x.NewValue))
		}
		t.xacts = append(t.xacts, x)
		xacts = append(xacts, map[string]any{"phid": x.PHID})
	}
	return map[string]any{"object": map[string]any{"id": t.ID, "phid": t.PHID}, "transactions": xacts}, nil
}

// addEdge records a projects edge change when the list changed.
func addEdge(add func(kind string, old, new any) *ConduitXact, old, new []string) {
	if len(without(old, new)) == 0 && len(without(new, old)) == 0 {
		return
	}
	x := add("core:edge", old, append([]string{}, new...))
	x.Meta = map[string]any{"edge:type": 41}
}

// edgeMap is how Phabricator stores an edge list in a transaction: a map keyed by the
// destination PHID (PHP's [] when empty).
func edgeMap(src string, dsts []string) any {
	if len(dsts) == 0 {
		return []any{}
	}
	m := map[string]any{}
	for _, d := range dsts {
		m[d] = map[string]any{"src": src, "type": "41", "dst": d, "dateCreated": "0", "seq": "0", "dataID": nil, "data": []any{}}
	}
	return m
}
