package standins

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Differential revisions in the Conduit stand-in: differential.revision.search (fields and
// attachments as DifferentialRevision::getFieldValuesForConduit() and the reviewers and
// projects attachments give them), differential.revision.edit (comment, accept,
// request-changes, resign, abandon, reclaim, close, title, summary), and their transactions in
// transaction.search. Revisions are seeded (arc diff has no stand-in): both flavors answer in
// the same shapes, the flavor only changes what tasks' transaction.search shows.

// ConduitRevision is a Differential revision as seeded. Status is a status key (default
// needs-review); Transactions are seeded history in transaction.search's terms (type create,
// comment, inline, accept, request-changes, update, close...; Comment for those that carry
// one).
type ConduitRevision struct {
	ID             int               `json:"id"`
	PHID           string            `json:"phid"`
	Title          string            `json:"title"`
	Summary        string            `json:"summary"`
	AuthorPHID     string            `json:"authorPHID"`
	Status         string            `json:"status"`
	RepositoryPHID string            `json:"repositoryPHID"`
	Draft          bool              `json:"draft"`
	Projects       []string          `json:"projects"`
	Reviewers      []ConduitReviewer `json:"reviewers"`
	Created        int64             `json:"dateCreated"`
	Modified       int64             `json:"dateModified"`
	Transactions   []ConduitXact     `json:"transactions"`
	xacts          []*ConduitXact
}

// ConduitReviewer is one reviewer of a revision: a user or a project (status added, accepted,
// rejected, commented, resigned, blocking...).
type ConduitReviewer struct {
	PHID       string `json:"reviewerPHID"`
	Status     string `json:"status"`
	IsBlocking bool   `json:"isBlocking"`
}

// Differential's statuses (DifferentialRevisionStatus): key → name, closed, ANSI color.
var revisionStatuses = map[string]struct {
	name   string
	closed bool
	ansi   string
}{
	"needs-review":    {"Needs Review", false, "magenta"},
	"needs-revision":  {"Needs Revision", false, "red"},
	"changes-planned": {"Changes Planned", false, "red"},
	"accepted":        {"Accepted", false, "green"},
	"published":       {"Closed", true, "cyan"},
	"abandoned":       {"Abandoned", true, "default"},
	"draft":           {"Draft", false, "default"},
}

func (c *conduitAPI) seedRevision(r ConduitRevision) (map[string]any, error) {
	if r.ID == 0 {
		r.ID = c.nextID
	}
	if r.ID >= c.nextID {
		c.nextID = r.ID + 1
	}
	if r.PHID == "" {
		r.PHID = fmt.Sprintf("PHID-DREV-local%015d", r.ID)
	}
	if r.Status == "" {
		r.Status = "needs-review"
	}
	if _, ok := revisionStatuses[r.Status]; !ok {
		return nil, fmt.Errorf("revision D%d: status %q is not a Differential status", r.ID, r.Status)
	}
	if r.AuthorPHID == "" {
		r.AuthorPHID = ConduitBotPHID
	}
	if r.Created == 0 {
		r.Created = c.now()
	}
	if r.Modified == 0 {
		r.Modified = r.Created
	}
	for i := range r.Transactions {
		x := r.Transactions[i]
		if x.PHID == "" || x.Type == "" {
			return nil, fmt.Errorf("revision D%d: transaction %d needs transactionPHID and transactionType", r.ID, i)
		}
		c.xactID++
		if x.ID == 0 {
			x.ID = c.xactID
		}
		if x.DateCreated == 0 {
			x.DateCreated = r.Modified
		}
		if x.AuthorPHID == "" {
			x.AuthorPHID = r.AuthorPHID
		}
		r.xacts = append(r.xacts, &x)
	}
	sort.SliceStable(r.xacts, func(i, j int) bool { return r.xacts[i].DateCreated < r.xacts[j].DateCreated })
	r.Transactions = nil
	c.revisions[r.ID] = &r
	return map[string]any{"id": r.ID, "phid": r.PHID}, nil
}

func (c *conduitAPI) findRevision(id string) *ConduitRevision {
	if n, err := strconv.Atoi(strings.TrimPrefix(id, "D")); err == nil {
		return c.revisions[n]
	}
	for _, r := range c.revisions {
		if r.PHID == id {
			return r
		}
	}
	return nil
}

func (c *conduitAPI) revisionData(r *ConduitRevision, attach map[string]any) map[string]any {
	st := revisionStatuses[r.Status]
	attachments := map[string]any{}
	if asBool(attach["reviewers"]) {
		list := []any{}
		for _, rv := range r.Reviewers {
			status := rv.Status
			if status == "" {
				status = "added"
			}
			list = append(list, map[string]any{"reviewerPHID": rv.PHID, "status": status, "isBlocking": rv.IsBlocking, "actorPHID": nil})
		}
		attachments["reviewers"] = map[string]any{"reviewers": list}
	}
	if asBool(attach["projects"]) {
		attachments["projects"] = map[string]any{"projectPHIDs": append([]string{}, r.Projects...)}
	}
	if asBool(attach["subscribers"]) {
		attachments["subscribers"] = map[string]any{"subscriberPHIDs": []any{}, "subscriberCount": 0, "viewerIsSubscribed": false}
	}
	var att any = attachments
	if len(attachments) == 0 {
		att = []any{} // PHP's empty array
	}
	return map[string]any{
		"id": r.ID, "type": "DREV", "phid": r.PHID,
		"fields": map[string]any{
			"title": r.Title, "uri": fmt.Sprintf("http://phabricator.local/D%d", r.ID), "authorPHID": r.AuthorPHID,
			"status":         map[string]any{"value": r.Status, "name": st.name, "closed": st.closed, "color.ansi": st.ansi},
			"repositoryPHID": nilIfEmpty(r.RepositoryPHID), "diffPHID": fmt.Sprintf("PHID-DIFF-local%015d", r.ID),
			"summary": r.Summary, "testPlan": "", "isDraft": r.Draft, "holdAsDraft": r.Draft,
			"spacePHID": nil, "dateCreated": r.Created, "dateModified": r.Modified, "policy": policy(),
		},
		"attachments": att,
	}
}

func (c *conduitAPI) revisionSearch(p map[string]any, _ string) (any, *conduitError) {
	if e := checkKeys(p, []string{"ids", "phids", "authorPHIDs", "reviewerPHIDs", "repositoryPHIDs", "statuses", "modifiedStart", "projects"}, []string{"reviewers", "projects", "subscribers"}); e != nil {
		return nil, e
	}
	cons, _ := p["constraints"].(map[string]any)
	attach, _ := p["attachments"].(map[string]any)
	list := make([]*ConduitRevision, 0, len(c.revisions))
	for _, r := range c.revisions {
		list = append(list, r)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID > list[j].ID })
	var out []map[string]any
	for _, r := range list {
		if !passes(cons, map[string]string{"ids": strconv.Itoa(r.ID), "phids": r.PHID, "authorPHIDs": r.AuthorPHID, "repositoryPHIDs": r.RepositoryPHID, "statuses": r.Status}) {
			continue
		}
		if v, ok := cons["modifiedStart"]; ok {
			if n, err := strconv.ParseInt(asString(v), 10, 64); err == nil && r.Modified < n {
				continue
			}
		}
		if v, ok := cons["reviewerPHIDs"]; ok {
			want, found := constraintSet(v), false
			for _, rv := range r.Reviewers {
				found = found || want[rv.PHID]
			}
			if !found {
				continue
			}
		}
		if v, ok := cons["projects"]; ok {
			want, found := constraintSet(v), false
			for _, ph := range r.Projects {
				found = found || want[ph]
			}
			if !found {
				continue
			}
		}
		out = append(out, c.revisionData(r, attach))
	}
	return searchResult(out, p)
}

// revisionEdit applies transactions to a revision as viewer, recording each (one group).
func (c *conduitAPI) revisionEdit(p map[string]any, viewer string) (any, *conduitError) {
	id := asString(p["objectIdentifier"])
	if id == "" {
		return nil, coreErr("Revisions can not be created with differential.revision.edit on the local Conduit stand-in: seed them.")
	}
	r := c.findRevision(id)
	if r == nil {
		return nil, coreErr("No object exists with ID %q.", id)
	}
	if _, ok := p["transactions"]; !ok {
		return nil, coreErr("Parameter \"transactions\" is not a list of transactions.")
	}
	work := *r
	work.Reviewers = append([]ConduitReviewer{}, r.Reviewers...)
	var changes []*ConduitXact
	add := func(kind string) *ConduitXact {
		x := &ConduitXact{Type: kind}
		changes = append(changes, x)
		return x
	}
	review := func(status string) {
		for i := range work.Reviewers {
			if work.Reviewers[i].PHID == viewer {
				work.Reviewers[i].Status = status
				return
			}
		}
		work.Reviewers = append(work.Reviewers, ConduitReviewer{PHID: viewer, Status: status})
	}
	author := viewer == r.AuthorPHID
	for i, raw := range asList(p["transactions"]) {
		x, _ := raw.(map[string]any)
		if x == nil {
			return nil, coreErr("Parameter \"transactions\" must contain a list of transaction descriptions, but item with key \"%d\" is not a dictionary.", i)
		}
		typ, val := asString(x["type"]), x["value"]
		closed := revisionStatuses[work.Status].closed
		switch typ {
		case "comment":
			add("comment").Comment = asString(val)
		case "title":
			if s := asString(val); s != work.Title {
				add("title")
				work.Title = s
			}
		case "summary":
			if s := asString(val); s != work.Summary {
				add("summary")
				work.Summary = s
			}
		case "accept", "request-changes", "resign":
			if author {
				return nil, coreErr("Transaction %d: you can not %s your own revision.", i, typ)
			}
			if closed {
				return nil, coreErr("Transaction %d: you can not %s a closed revision.", i, typ)
			}
			add(typ)
			switch typ {
			case "accept":
				review("accepted")
				work.Status = "accepted"
			case "request-changes":
				review("rejected")
				work.Status = "needs-revision"
			default:
				review("resigned")
			}
		case "abandon", "reclaim", "close":
			if typ != "close" && !author {
				return nil, coreErr("Transaction %d: only the author can %s a revision.", i, typ)
			}
			next := map[string]string{"abandon": "abandoned", "reclaim": "needs-review", "close": "published"}[typ]
			if (typ == "reclaim") != (work.Status == "abandoned") && typ != "close" || typ == "close" && closed {
				return nil, coreErr("Transaction %d: the revision is %s; you can not %s it.", i, work.Status, typ)
			}
			add(typ)
			work.Status = next
		default:
			return nil, coreErr("Transaction type %q is unknown to the local Conduit stand-in (differential.revision.edit supports comment, title, summary, accept, request-changes, resign, abandon, reclaim, close).", typ)
		}
	}
	now := c.now()
	if len(changes) > 0 {
		work.Modified = now
	}
	*r = work
	c.groupID++
	group := fmt.Sprintf("%032x", c.groupID)
	xacts := []any{}
	for _, x := range changes {
		c.xactID++
		x.ID, x.PHID = c.xactID, fmt.Sprintf("PHID-XACT-DREV-local%011d", c.xactID)
		x.AuthorPHID, x.DateCreated, x.GroupID = viewer, now, group
		r.xacts = append(r.xacts, x)
		xacts = append(xacts, map[string]any{"phid": x.PHID})
	}
	return map[string]any{"object": map[string]any{"id": r.ID, "phid": r.PHID}, "transactions": xacts}, nil
}

// revisionXact is one revision transaction in transaction.search's shape: the modern type as
// seeded or recorded, no fields, the comment when there is one.
func revisionXact(r *ConduitRevision, x *ConduitXact) map[string]any {
	comments := []any{}
	if x.Comment != "" {
		comments = append(comments, map[string]any{
			"id": x.ID, "phid": fmt.Sprintf("PHID-XCMT-DREV-local%011d", x.ID), "version": 1,
			"authorPHID": x.AuthorPHID, "dateCreated": x.DateCreated, "dateModified": x.DateCreated,
			"removed": false, "content": map[string]any{"raw": x.Comment},
		})
	}
	var group any
	if x.GroupID != "" {
		group = x.GroupID
	}
	return map[string]any{
		"id": x.ID, "phid": x.PHID, "type": x.Type, "authorPHID": x.AuthorPHID, "objectPHID": r.PHID,
		"dateCreated": x.DateCreated, "dateModified": x.DateCreated, "groupID": group,
		"comments": comments, "fields": map[string]any{},
	}
}

// ConduitRevision returns a copy of a seeded or edited revision (without its transactions).
func (s *Server) ConduitRevision(id int) (ConduitRevision, bool) {
	c := s.conduit
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.revisions[id]
	if !ok {
		return ConduitRevision{}, false
	}
	out := *r
	out.Reviewers = append([]ConduitReviewer{}, r.Reviewers...)
	out.Projects = append([]string{}, r.Projects...)
	out.xacts, out.Transactions = nil, nil
	return out, true
}
