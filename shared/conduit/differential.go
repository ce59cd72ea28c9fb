package conduit

import (
	"context"
	"encoding/json"
	"time"
)

// Differential methods.
const (
	MethodRevisionSearch = "differential.revision.search"
	MethodRevisionEdit   = "differential.revision.edit"
)

// Revision is a Differential revision (differential.revision.search), for the features that
// route outside patches (Clinic Duty).
type Revision struct {
	ID         int
	PHID       string
	Title      string
	URI        string
	AuthorPHID string
	// Status is the status key (needs-review, needs-revision, changes-planned, accepted,
	// published, abandoned, draft); Closed is true once published or abandoned.
	Status         string
	Closed         bool
	RepositoryPHID string
	Draft          bool
	Created        time.Time
	Modified       time.Time
	// Reviewers is the reviewers attachment (nil when not requested).
	Reviewers []Reviewer
	// Projects are the revision's project tags (the projects attachment; nil when not
	// requested).
	Projects []string
}

// Reviewer is one reviewer of a revision and where their review stands (added, accepted,
// rejected, commented, resigned, blocking...).
type Reviewer struct {
	PHID       string
	Status     string
	IsBlocking bool
	ActorPHID  string
}

// RevisionQuery selects revisions for SearchRevisions.
type RevisionQuery struct {
	PHIDs        []string
	AuthorPHIDs  []string
	Repositories []string
	Statuses     []string
	// ModifiedStart keeps revisions changed at or after it (zero: any).
	ModifiedStart time.Time
	WithReviewers bool
	WithProjects  bool
}

// SearchRevisions returns the revisions matching q (differential.revision.search, every page).
func (c *Client) SearchRevisions(ctx context.Context, q RevisionQuery) ([]Revision, error) {
	cons := constraints("phids", q.PHIDs, "authorPHIDs", q.AuthorPHIDs, "repositoryPHIDs", q.Repositories, "statuses", q.Statuses)
	if !q.ModifiedStart.IsZero() {
		cons["modifiedStart"] = q.ModifiedStart.Unix()
	}
	return searchAll(ctx, c, MethodRevisionSearch, Query{Constraints: cons, Attachments: attachments("reviewers", q.WithReviewers, "projects", q.WithProjects)}, DecodeRevision)
}

// Revision returns one revision with its reviewers and projects; found is false when the server
// does not show it to the bot.
func (c *Client) Revision(ctx context.Context, phid string) (Revision, bool, error) {
	rs, err := c.SearchRevisions(ctx, RevisionQuery{PHIDs: []string{phid}, WithReviewers: true, WithProjects: true})
	if err != nil || len(rs) == 0 {
		return Revision{}, false, err
	}
	return rs[0], true, nil
}

// EditRevision applies edits (e.g. {"type": "comment", "value": "..."}) to a revision (id,
// D123 or PHID) with differential.revision.edit, and returns the PHIDs of the transactions
// applied.
func (c *Client) EditRevision(ctx context.Context, revision string, edits ...Edit) ([]string, error) {
	var r struct {
		Transactions List[struct {
			PHID string `json:"phid"`
		}] `json:"transactions"`
	}
	if err := c.Call(ctx, MethodRevisionEdit, map[string]any{"objectIdentifier": revision, "transactions": edits}, &r); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(r.Transactions))
	for _, t := range r.Transactions {
		out = append(out, t.PHID)
	}
	return out, nil
}

// DecodeRevision decodes one item of differential.revision.search's data.
func DecodeRevision(raw json.RawMessage) (Revision, error) {
	var w struct {
		ID     Int    `json:"id"`
		PHID   string `json:"phid"`
		Fields Dict[struct {
			Title      Str `json:"title"`
			URI        Str `json:"uri"`
			AuthorPHID Str `json:"authorPHID"`
			Status     Dict[struct {
				Value  Str  `json:"value"`
				Closed bool `json:"closed"`
			}] `json:"status"`
			RepositoryPHID Str  `json:"repositoryPHID"`
			IsDraft        bool `json:"isDraft"`
			DateCreated    Time `json:"dateCreated"`
			DateModified   Time `json:"dateModified"`
		}] `json:"fields"`
		Attachments Dict[struct {
			Reviewers *Dict[struct {
				Reviewers List[struct {
					ReviewerPHID string `json:"reviewerPHID"`
					Status       Str    `json:"status"`
					IsBlocking   bool   `json:"isBlocking"`
					ActorPHID    Str    `json:"actorPHID"`
				}] `json:"reviewers"`
			}] `json:"reviewers"`
			Projects *Dict[struct {
				ProjectPHIDs List[string] `json:"projectPHIDs"`
			}] `json:"projects"`
		}] `json:"attachments"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return Revision{}, err
	}
	f := w.Fields.V
	r := Revision{ID: int(w.ID), PHID: w.PHID, Title: string(f.Title), URI: string(f.URI), AuthorPHID: string(f.AuthorPHID),
		Status: string(f.Status.V.Value), Closed: f.Status.V.Closed, RepositoryPHID: string(f.RepositoryPHID), Draft: f.IsDraft,
		Created: f.DateCreated.Time, Modified: f.DateModified.Time}
	if rv := w.Attachments.V.Reviewers; rv != nil {
		r.Reviewers = []Reviewer{}
		for _, x := range rv.V.Reviewers {
			r.Reviewers = append(r.Reviewers, Reviewer{PHID: x.ReviewerPHID, Status: string(x.Status), IsBlocking: x.IsBlocking, ActorPHID: string(x.ActorPHID)})
		}
	}
	if pj := w.Attachments.V.Projects; pj != nil {
		r.Projects = append([]string{}, pj.V.ProjectPHIDs...)
	}
	return r, nil
}
