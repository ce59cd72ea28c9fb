package standins

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// The two ways Phabricator reports a task's transactions: transaction.search (modern, typed,
// with column moves hidden on the Phabricator flavor) and maniphest.gettasktransactions
// (frozen, raw).

// modernType is transaction.search's type and fields for a raw transaction on the stand-in's
// flavor; a nil type is "type": null with "fields": {}.
func (c *conduitAPI) modernType(x *ConduitXact) (any, map[string]any) {
	on := func() map[string]any { return map[string]any{"old": x.OldValue, "new": x.NewValue} }
	switch x.Type {
	case "core:create":
		return "create", nil
	case "title", "description", "status", "points", "mergedinto":
		return x.Type, on()
	case "reassign":
		return "owner", on()
	case "priority":
		pv := func(v any) map[string]any {
			if v == nil {
				return map[string]any{"value": nil, "name": nil}
			}
			n, _ := strconv.Atoi(asString(v))
			name, _ := priorityInfo(n)
			return map[string]any{"value": n, "name": name}
		}
		return "priority", map[string]any{"old": pv(x.OldValue), "new": pv(x.NewValue)}
	case "core:comment":
		return "comment", nil
	case "core:edge":
		return "projects", operations(mapKeys(x.OldValue), mapKeys(x.NewValue))
	case "core:subscribers":
		return "subscribers", operations(asStrings(x.OldValue), asStrings(x.NewValue))
	case "core:columns":
		if c.flavor == FlavorPhorge {
			return "core:columns", map[string]any{"old": nil, "new": x.NewValue}
		}
	case "core:view-policy", "core:edit-policy":
		if c.flavor == FlavorPhorge {
			return x.Type, on()
		}
	}
	return nil, nil
}

func mapKeys(v any) []string {
	m, ok := v.(map[string]any)
	if !ok {
		return asStrings(v)
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func operations(old, new []string) map[string]any {
	ops := []any{}
	for _, p := range without(new, old) {
		ops = append(ops, map[string]any{"operation": "add", "phid": p})
	}
	for _, p := range without(old, new) {
		ops = append(ops, map[string]any{"operation": "remove", "phid": p})
	}
	return map[string]any{"operations": ops}
}

func (c *conduitAPI) modernXact(t *ConduitTask, x *ConduitXact) map[string]any {
	typ, fields := c.modernType(x)
	var f any = fields
	if len(fields) == 0 {
		f = map[string]any{} // (object)array(): {}
	}
	comments := []any{}
	if x.Comment != "" {
		comments = append(comments, map[string]any{
			"id": x.ID, "phid": fmt.Sprintf("PHID-XCMT-TASK-local%011d", x.ID), "version": 1,
			"authorPHID": x.AuthorPHID, "dateCreated": x.DateCreated, "dateModified": x.DateCreated,
			"removed": false, "content": map[string]any{"raw": x.Comment},
		})
	}
	var group any
	if x.GroupID != "" {
		group = x.GroupID
	}
	return map[string]any{
		"id": x.ID, "phid": x.PHID, "type": typ, "authorPHID": x.AuthorPHID, "objectPHID": t.PHID,
		"dateCreated": x.DateCreated, "dateModified": x.DateCreated, "groupID": group,
		"comments": comments, "fields": f,
	}
}

// transactionSearch answers transaction.search for one object (objectIdentifier) or every
// task (objectType TASK), newest first, with constraints phids and authorPHIDs.
func (c *conduitAPI) transactionSearch(p map[string]any, _ string) (any, *conduitError) {
	id, typ := asString(p["objectIdentifier"]), asString(p["objectType"])
	var tasks []*ConduitTask
	var rev *ConduitRevision
	switch {
	case id != "" && typ == "" && (strings.HasPrefix(id, "D") || strings.HasPrefix(id, "PHID-DREV-")):
		if rev = c.findRevision(id); rev == nil {
			return nil, &conduitError{"ERR-INVALID-OBJECT-PHID", "Specified \"objectIdentifier\" does not exist."}
		}
	case id == "" && typ == "":
		return nil, &conduitError{"ERR-INVALID-PARAMETER", "Must specify either parameter \"objectType\" or parameter \"objectIdentifier\"."}
	case id != "" && typ != "":
		return nil, &conduitError{"ERR-INVALID-PARAMETERS", "Must not specify both parameter \"objectType\" and parameter \"objectIdentifier\"."}
	case id != "":
		t := c.findTask(id)
		if t == nil {
			return nil, &conduitError{"ERR-INVALID-OBJECT-PHID", "Specified \"objectIdentifier\" does not exist."}
		}
		tasks = []*ConduitTask{t}
	case typ == "TASK":
		tasks = c.sortedTasks()
	default:
		return nil, &conduitError{"ERR-INVALID-OBJECT-TYPE", "Specified \"objectType\" does not exist. See the endpoint documentation for valid object types."}
	}
	cons := map[string]any{}
	if raw, ok := p["constraints"]; ok {
		m, isMap := raw.(map[string]any)
		if !isMap {
			if l := asList(raw); len(l) > 0 {
				return nil, &conduitError{"ERR-INVALID-CONSTRAINTS-FORMAT", "\"constraints\" must be a list of constraints."}
			}
		}
		cons = m
	}
	for k := range cons {
		if k != "phids" && k != "authorPHIDs" {
			return nil, callErr("Got unexpected parameters: %s", k)
		}
	}
	phids, hasPHIDs := cons["phids"]
	if hasPHIDs && len(asList(phids)) == 0 {
		return nil, &conduitError{"ERR-INVALID-CONSTRAINT-PHIDS-FORMAT", "\"phids\" must be a non-empty list of transaction PHIDs."}
	}
	authors, hasAuthors := cons["authorPHIDs"]
	if hasAuthors && len(asList(authors)) == 0 {
		return nil, &conduitError{"ERR-INVALID-CONSTRAINT-AUTHORPHIDS-FORMAT", "\"authorPHIDs\" must be a non-empty list of author PHIDs."}
	}
	type item struct {
		t *ConduitTask
		r *ConduitRevision
		x *ConduitXact
	}
	var all []item
	keep := func(x *ConduitXact) bool {
		return (!hasPHIDs || constraintSet(phids)[x.PHID]) && (!hasAuthors || constraintSet(authors)[x.AuthorPHID])
	}
	if rev != nil {
		for _, x := range rev.xacts {
			if keep(x) {
				all = append(all, item{r: rev, x: x})
			}
		}
	}
	for _, t := range tasks {
		for _, x := range t.xacts {
			if keep(x) {
				all = append(all, item{t: t, x: x})
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].x.ID > all[j].x.ID })
	limit := 100
	if v, ok := p["limit"]; ok {
		if n, err := strconv.Atoi(asString(v)); err == nil {
			limit = min(1000, max(1, n))
		}
	}
	if after, err := strconv.Atoi(asString(p["after"])); err == nil {
		var rest []item
		for _, it := range all {
			if it.x.ID < after {
				rest = append(rest, it)
			}
		}
		all = rest
	}
	var next any
	if len(all) > limit {
		all = all[:limit]
		next = strconv.Itoa(all[limit-1].x.ID)
	}
	data := []any{}
	for _, it := range all {
		if it.r != nil {
			data = append(data, revisionXact(it.r, it.x))
			continue
		}
		data = append(data, c.modernXact(it.t, it.x))
	}
	return map[string]any{"data": data, "cursor": map[string]any{"limit": limit, "after": next, "before": nil}}, nil
}

// getTaskTransactions answers maniphest.gettasktransactions: every transaction of each task,
// keyed by task id, with raw types and values (ids and dates as strings, as PHP sends them).
func (c *conduitAPI) getTaskTransactions(p map[string]any, _ string) (any, *conduitError) {
	ids := asStrings(p["ids"])
	for _, id := range ids {
		if _, err := strconv.Atoi(id); err != nil {
			return nil, &conduitError{"ERR-BAD-IDS", "Must pass an array of integer task IDs for parameter \"ids\"."}
		}
	}
	out := map[string]any{}
	for _, id := range ids {
		t := c.findTask(id)
		if t == nil {
			continue
		}
		list := []any{}
		for _, x := range t.xacts {
			var comments any
			if x.Comment != "" {
				comments = x.Comment
			}
			meta := map[string]any{}
			for k, v := range x.Meta {
				meta[k] = v
			}
			list = append(list, map[string]any{
				"taskID": strconv.Itoa(t.ID), "title": c.xactTitle(x), "transactionID": strconv.Itoa(x.ID), "transactionPHID": x.PHID,
				"transactionType": x.Type, "oldValue": x.OldValue, "newValue": x.NewValue, "meta": meta, "comments": comments,
				"authorPHID": x.AuthorPHID, "dateCreated": strconv.FormatInt(x.DateCreated, 10),
			})
		}
		out[strconv.Itoa(t.ID)] = list
	}
	if len(out) == 0 {
		return []any{}, nil // PHP's empty array
	}
	return out, nil
}

// xactTitle is the one-line story getTitleForTextMail gives.
func (c *conduitAPI) xactTitle(x *ConduitXact) string {
	who := x.AuthorPHID
	if u := c.users[x.AuthorPHID]; u != nil {
		who = u.Username
	}
	switch x.Type {
	case "core:create":
		return who + " created this task."
	case "core:comment":
		return who + " added a comment."
	case "core:columns":
		return who + " moved this task on a workboard."
	case "priority":
		return who + " changed the task priority."
	}
	return who + " edited this task."
}
