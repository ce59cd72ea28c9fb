package standins

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// The *.search methods of the Conduit stand-in, answering in the shapes of
// PhabricatorApplicationSearchEngine::buildConduitResponse().

func policy() map[string]any {
	return map[string]any{"view": "users", "interact": "users", "edit": "users"}
}

func priorityInfo(v int) (name, color string) {
	if p, ok := conduitPriorities[v]; ok {
		return p.name, p.color
	}
	return fmt.Sprintf("Unknown Priority (\"%d\")", v), "grey"
}

func (c *conduitAPI) taskData(t *ConduitTask, attach map[string]any) map[string]any {
	prName, prColor := priorityInfo(t.Priority)
	var owner, points, closer, closed any
	if t.OwnerPHID != "" {
		owner = t.OwnerPHID
	}
	if t.Points != nil {
		// Phabricator stores a double and PHP sends what the database gave it: a string.
		points = strconv.FormatFloat(*t.Points, 'f', -1, 64)
	}
	if statusClosed(t.Status) {
		closer, closed = ConduitBotPHID, t.Modified
	}
	attachments := map[string]any{}
	if asBool(attach["columns"]) {
		boards := map[string]any{}
		for board, col := range t.Columns {
			cc := c.columns[col]
			if cc == nil || cc.ProxyPHID != "" {
				continue // proxy (milestone) columns are left out, as the server does
			}
			boards[board] = map[string]any{"columns": []any{map[string]any{"id": cc.ID, "phid": cc.PHID, "name": cc.Name}}}
		}
		if len(boards) == 0 {
			attachments["columns"] = map[string]any{"boards": []any{}} // PHP's empty array
		} else {
			attachments["columns"] = map[string]any{"boards": boards}
		}
	}
	if asBool(attach["projects"]) {
		attachments["projects"] = map[string]any{"projectPHIDs": append([]string{}, t.Projects...)}
	}
	if asBool(attach["subscribers"]) {
		attachments["subscribers"] = map[string]any{"subscriberPHIDs": []any{}, "subscriberCount": 0, "viewerIsSubscribed": false}
	}
	var att any = attachments
	if len(attachments) == 0 {
		att = []any{} // PHP's empty array
	}
	return map[string]any{
		"id": t.ID, "type": "TASK", "phid": t.PHID,
		"fields": map[string]any{
			"name": t.Name, "description": map[string]any{"raw": t.Description},
			"authorPHID": t.AuthorPHID, "ownerPHID": owner,
			"status":   map[string]any{"value": t.Status, "name": statusName(t.Status), "color": nil},
			"priority": map[string]any{"value": t.Priority, "name": prName, "color": prColor, "subpriority": 0},
			"points":   points, "subtype": "default", "closerPHID": closer, "dateClosed": closed,
			"spacePHID": nil, "dateCreated": t.Created, "dateModified": t.Modified, "policy": policy(),
		},
		"attachments": att,
	}
}

func (c *conduitAPI) projectData(p *ConduitProject) map[string]any {
	var parent any
	depth := 0
	if pp := c.projects[p.Parent]; pp != nil {
		parent = map[string]any{"id": pp.ID, "phid": pp.PHID, "name": pp.Name}
		depth = 1
	}
	var milestone any
	if p.Milestone != nil {
		milestone = *p.Milestone
	}
	color := p.Color
	if color == "" {
		color = "blue"
	}
	return map[string]any{
		"id": p.ID, "type": "PROJ", "phid": p.PHID,
		"fields": map[string]any{
			"name": p.Name, "slug": p.Slug, "subtype": "default", "milestone": milestone, "depth": depth, "parent": parent,
			"icon":      map[string]any{"key": "project", "name": "Project", "icon": "fa-briefcase"},
			"color":     map[string]any{"key": color, "name": strings.ToUpper(color[:1]) + color[1:]},
			"status":    "active",
			"spacePHID": nil, "dateCreated": p.Created, "dateModified": p.Created, "policy": policy(), "description": "",
		},
		"attachments": []any{},
	}
}

func (c *conduitAPI) columnData(col *ConduitColumn) map[string]any {
	var proxy any
	if col.ProxyPHID != "" {
		proxy = col.ProxyPHID
	}
	var project any
	if p := c.projects[col.Project]; p != nil {
		project = map[string]any{"id": p.ID, "phid": p.PHID, "name": p.Name}
	}
	fields := map[string]any{
		"name": col.Name, "proxyPHID": proxy, "project": project,
		"dateCreated": c.now(), "dateModified": c.now(), "policy": policy(),
	}
	if c.flavor == FlavorPhorge {
		fields["isHidden"] = col.IsHidden
		fields["isDefaultColumn"] = c.defaultColumn(col.Project) == col.PHID
		fields["sequence"] = col.Sequence
	}
	return map[string]any{"id": col.ID, "type": "PCOL", "phid": col.PHID, "fields": fields, "attachments": []any{}}
}

// searchResult wraps data the way *.search methods answer, with an id cursor (data newest
// first, "after" the last id of a full page).
func searchResult(data []map[string]any, p map[string]any) (map[string]any, *conduitError) {
	limit := 100
	if v, ok := p["limit"]; ok {
		n, err := strconv.Atoi(asString(v))
		if err != nil || n < 1 || n > 100 {
			return nil, &conduitError{"ERR-INVALID-PAGE-SIZE", "Maximum page size for Conduit API method calls is 100, but this call specified " + asString(v) + "."}
		}
		limit = n
	}
	if after, err := strconv.Atoi(asString(p["after"])); err == nil {
		var rest []map[string]any
		for _, d := range data {
			if d["id"].(int) < after {
				rest = append(rest, d)
			}
		}
		data = rest
	}
	var next any
	if len(data) > limit {
		data = data[:limit]
		next = strconv.Itoa(data[limit-1]["id"].(int))
	}
	list := make([]any, len(data))
	for i, d := range data {
		list[i] = d
	}
	return map[string]any{
		"data": list, "maps": []any{}, "query": map[string]any{"queryKey": nil},
		"cursor": map[string]any{"limit": limit, "after": next, "before": nil, "order": nil},
	}, nil
}

// checkKeys refuses constraint or attachment keys the method does not know, as the search
// engine does (ERR-INVALID-CONSTRAINT / ERR-INVALID-ATTACHMENT... the stand-in says which
// keys it supports).
func checkKeys(p map[string]any, constraints, attachments []string) *conduitError {
	cons, _ := p["constraints"].(map[string]any)
	for k := range cons {
		if !contains(constraints, k) {
			return coreErr("Constraint %q is not supported by the local Conduit stand-in (supported: %s).", k, strings.Join(constraints, ", "))
		}
	}
	att, _ := p["attachments"].(map[string]any)
	for k := range att {
		if !contains(attachments, k) {
			return &conduitError{"ERR-INVALID-ATTACHMENT", fmt.Sprintf("Attachment %q is not valid. Valid attachments are: %s.", k, strings.Join(attachments, ", "))}
		}
	}
	return nil
}

func (c *conduitAPI) maniphestSearch(p map[string]any, _ string) (any, *conduitError) {
	if e := checkKeys(p, []string{"ids", "phids", "projects", "statuses", "assigned", "authorPHIDs", "columnPHIDs", "priorities"}, []string{"columns", "projects", "subscribers"}); e != nil {
		return nil, e
	}
	cons, _ := p["constraints"].(map[string]any)
	var out []map[string]any
	attach, _ := p["attachments"].(map[string]any)
	for _, t := range c.sortedTasks() {
		if !c.taskMatches(t, cons) {
			continue
		}
		out = append(out, c.taskData(t, attach))
	}
	return searchResult(out, p)
}

func (c *conduitAPI) sortedTasks() []*ConduitTask {
	list := make([]*ConduitTask, 0, len(c.tasks))
	for _, t := range c.tasks {
		list = append(list, t)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID > list[j].ID }) // newest first
	return list
}

func (c *conduitAPI) taskMatches(t *ConduitTask, cons map[string]any) bool {
	if !passes(cons, map[string]string{"ids": strconv.Itoa(t.ID), "phids": t.PHID, "statuses": t.Status,
		"assigned": t.OwnerPHID, "authorPHIDs": t.AuthorPHID, "priorities": strconv.Itoa(t.Priority)}) {
		return false
	}
	if v, ok := cons["projects"]; ok {
		// Tasks tagged with every listed project (slugs or PHIDs), or one below it.
		has := map[string]bool{}
		for _, ph := range t.Projects {
			for pr := c.projects[ph]; pr != nil; pr = c.projects[pr.Parent] {
				has[pr.PHID] = true
				if pr.Slug != "" {
					has[pr.Slug] = true
				}
			}
			has[ph] = true
		}
		for _, want := range asStrings(v) {
			if !has[want] {
				return false
			}
		}
	}
	if v, ok := cons["columnPHIDs"]; ok {
		want, found := constraintSet(v), false
		for _, col := range t.Columns {
			found = found || want[col]
		}
		if !found {
			return false
		}
	}
	return true
}

func (c *conduitAPI) projectSearch(p map[string]any, _ string) (any, *conduitError) {
	if e := checkKeys(p, []string{"ids", "phids", "slugs", "parents", "ancestors", "isMilestone", "name"}, []string{"members", "watchers", "ancestors"}); e != nil {
		return nil, e
	}
	cons, _ := p["constraints"].(map[string]any)
	var out []map[string]any
	for _, pr := range c.sortedProjects() {
		if !passes(cons, map[string]string{"ids": strconv.Itoa(pr.ID), "phids": pr.PHID, "slugs": pr.Slug, "parents": pr.Parent}) {
			continue
		}
		if v, ok := cons["ancestors"]; ok && !c.hasAncestor(pr, constraintSet(v)) {
			continue
		}
		if v, ok := cons["isMilestone"]; ok && asBool(v) != (pr.Milestone != nil) {
			continue
		}
		if v, ok := cons["name"]; ok && !strings.Contains(strings.ToLower(pr.Name), strings.ToLower(asString(v))) {
			continue
		}
		out = append(out, c.projectData(pr))
	}
	return searchResult(out, p)
}

func (c *conduitAPI) hasAncestor(pr *ConduitProject, set map[string]bool) bool {
	for a := c.projects[pr.Parent]; a != nil; a = c.projects[a.Parent] {
		if set[a.PHID] {
			return true
		}
	}
	return false
}

func (c *conduitAPI) sortedProjects() []*ConduitProject {
	list := make([]*ConduitProject, 0, len(c.projects))
	for _, p := range c.projects {
		list = append(list, p)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID > list[j].ID })
	return list
}

func (c *conduitAPI) columnSearch(p map[string]any, _ string) (any, *conduitError) {
	if e := checkKeys(p, []string{"ids", "phids", "projects"}, nil); e != nil {
		return nil, e
	}
	cons, _ := p["constraints"].(map[string]any)
	list := make([]*ConduitColumn, 0, len(c.columns))
	for _, col := range c.columns {
		list = append(list, col)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID > list[j].ID })
	var out []map[string]any
	for _, col := range list {
		if !passes(cons, map[string]string{"ids": strconv.Itoa(col.ID), "phids": col.PHID, "projects": col.Project}) {
			continue
		}
		out = append(out, c.columnData(col))
	}
	return searchResult(out, p)
}

func (c *conduitAPI) userSearch(p map[string]any, _ string) (any, *conduitError) {
	if e := checkKeys(p, []string{"ids", "phids", "usernames"}, []string{"availability"}); e != nil {
		return nil, e
	}
	cons, _ := p["constraints"].(map[string]any)
	list := make([]*ConduitUser, 0, len(c.users))
	for _, u := range c.users {
		list = append(list, u)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].PHID < list[j].PHID })
	var out []map[string]any
	for i, u := range list {
		if !passes(cons, map[string]string{"phids": u.PHID}) {
			continue
		}
		if v, ok := cons["usernames"]; ok {
			found := false
			for _, name := range asStrings(v) {
				found = found || strings.EqualFold(name, u.Username)
			}
			if !found {
				continue
			}
		}
		roles := []any{"verified", "approved", "activated"}
		if u.PHID == ConduitBotPHID {
			roles = append(roles, "bot")
		}
		out = append(out, map[string]any{
			"id": len(list) - i, "type": "USER", "phid": u.PHID,
			"fields": map[string]any{"username": u.Username, "realName": u.RealName, "roles": roles,
				"dateCreated": c.now(), "dateModified": c.now(), "policy": map[string]any{"view": "public", "edit": "no-one"}},
			"attachments": []any{},
		})
	}
	return searchResult(out, p)
}

func (c *conduitAPI) prioritySearch(map[string]any, string) (any, *conduitError) {
	values := make([]int, 0, len(conduitPriorities))
	for v := range conduitPriorities {
		values = append(values, v)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(values)))
	var data []any
	for _, v := range values {
		p := conduitPriorities[v]
		data = append(data, map[string]any{"name": p.name, "short": p.short, "color": p.color, "keywords": p.keywords, "value": v})
	}
	return map[string]any{"data": data}, nil
}

func (c *conduitAPI) statusSearch(map[string]any, string) (any, *conduitError) {
	var data []any
	for _, s := range conduitStatuses {
		d := map[string]any{"name": s.name, "value": s.value, "closed": s.closed}
		if s.special != "" {
			d["special"] = s.special
		}
		data = append(data, d)
	}
	return map[string]any{"data": data}, nil
}

func (c *conduitAPI) findTask(id string) *ConduitTask {
	id = strings.TrimPrefix(id, "T")
	if n, err := strconv.Atoi(id); err == nil {
		return c.tasks[n]
	}
	for _, t := range c.tasks {
		if t.PHID == id || t.PHID == "PHID-TASK-"+id {
			return t
		}
	}
	return nil
}

// defaultColumn is the board's default column: the one seeded as Default, else the first
// visible one by sequence (Phabricator's Backlog).
func (c *conduitAPI) defaultColumn(board string) string {
	var best *ConduitColumn
	for _, col := range c.columns {
		if col.Project != board || col.IsHidden || col.ProxyPHID != "" {
			continue
		}
		if col.Default {
			return col.PHID
		}
		if best == nil || col.Sequence < best.Sequence || (col.Sequence == best.Sequence && col.ID < best.ID) {
			best = col
		}
	}
	if best == nil {
		return ""
	}
	return best.PHID
}
