package conduit

import (
	"bytes"
	"encoding/json"
	"sort"
	"time"
)

// Dict is a JSON object decoded into V. PHP sends an empty object as [] ("attachments": [],
// "fields": []) and an absent one as null; both decode to V's zero value.
type Dict[V any] struct{ V V }

// UnmarshalJSON implements json.Unmarshaler.
func (d *Dict[V]) UnmarshalJSON(b []byte) error {
	if isNull(b) || isEmptyArray(b) {
		var zero V
		d.V = zero
		return nil
	}
	return json.Unmarshal(b, &d.V)
}

// List is a JSON list of V. It also accepts null and an object (a PHP list whose keys are not
// 0..n-1), whose values are taken in key order.
type List[V any] []V

// UnmarshalJSON implements json.Unmarshaler.
func (l *List[V]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if isNull(b) {
		*l = nil
		return nil
	}
	if len(b) > 0 && b[0] == '{' {
		var m Map[V]
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		out := make(List[V], 0, len(m))
		for _, k := range m.Keys() {
			out = append(out, m[k])
		}
		*l = out
		return nil
	}
	var out []V
	if err := json.Unmarshal(b, &out); err != nil {
		return err
	}
	*l = out
	return nil
}

// Ref is how one object names another: {"id", "phid", "name"}.
type Ref struct {
	ID   Int    `json:"id"`
	PHID string `json:"phid"`
	Name Str    `json:"name"`
}

// Task is a Maniphest task as maniphest.search gives it.
type Task struct {
	ID   int
	PHID string
	// Title is fields.name.
	Title        string
	AuthorPHID   string
	OwnerPHID    string // "" when unassigned
	Status       string // status key ("open", "resolved"...)
	StatusName   string
	Priority     int
	PriorityName string
	Points       Points
	Subtype      string
	CloserPHID   string
	Created      time.Time
	Modified     time.Time
	Closed       time.Time // zero while open
	// Projects is the projects attachment (nil when not requested).
	Projects []string
	// Columns is the columns attachment: board (project) PHID → the task's columns on it
	// (nil when not requested). Boards where the task sits in a milestone's proxy column, and
	// projects without a workboard, are absent, as the server omits them.
	Columns map[string][]Column
}

// Column is a workboard column a task is in (columns attachment) or a column as
// project.column.search gives it.
type Column struct {
	ID        int
	PHID      string
	Name      string
	BoardPHID string // project.column.search only
	ProxyPHID string // milestone or subproject the column stands for
	Hidden    bool
	// Default reports isDefaultColumn, where newly tagged tasks land. DefaultKnown is false on
	// servers that do not send it (Phabricator, Phorge before 2023-06).
	Default      bool
	DefaultKnown bool
	Sequence     int
}

type taskWire struct {
	ID     Int    `json:"id"`
	PHID   string `json:"phid"`
	Fields Dict[struct {
		Name       Str `json:"name"`
		AuthorPHID Str `json:"authorPHID"`
		OwnerPHID  Str `json:"ownerPHID"`
		Status     Dict[struct {
			Value Str `json:"value"`
			Name  Str `json:"name"`
		}] `json:"status"`
		Priority Dict[struct {
			Value Int `json:"value"`
			Name  Str `json:"name"`
		}] `json:"priority"`
		Points       Points `json:"points"`
		Subtype      Str    `json:"subtype"`
		CloserPHID   Str    `json:"closerPHID"`
		DateCreated  Time   `json:"dateCreated"`
		DateModified Time   `json:"dateModified"`
		DateClosed   Time   `json:"dateClosed"`
	}] `json:"fields"`
	Attachments Dict[struct {
		Columns *Dict[struct {
			Boards Map[Dict[struct {
				Columns List[struct {
					ID   Int    `json:"id"`
					PHID string `json:"phid"`
					Name Str    `json:"name"`
				}] `json:"columns"`
			}]] `json:"boards"`
		}] `json:"columns"`
		Projects *Dict[struct {
			ProjectPHIDs Strings `json:"projectPHIDs"`
		}] `json:"projects"`
	}] `json:"attachments"`
}

// DecodeTask decodes one item of maniphest.search's data.
func DecodeTask(raw json.RawMessage) (Task, error) {
	var w taskWire
	if err := json.Unmarshal(raw, &w); err != nil {
		return Task{}, err
	}
	f := w.Fields.V
	t := Task{
		ID: int(w.ID), PHID: w.PHID, Title: string(f.Name), AuthorPHID: string(f.AuthorPHID), OwnerPHID: string(f.OwnerPHID),
		Status: string(f.Status.V.Value), StatusName: string(f.Status.V.Name),
		Priority: int(f.Priority.V.Value), PriorityName: string(f.Priority.V.Name),
		Points: f.Points, Subtype: string(f.Subtype), CloserPHID: string(f.CloserPHID),
		Created: f.DateCreated.Time, Modified: f.DateModified.Time, Closed: f.DateClosed.Time,
	}
	if p := w.Attachments.V.Projects; p != nil {
		t.Projects = append([]string{}, p.V.ProjectPHIDs...)
		sort.Strings(t.Projects)
	}
	if c := w.Attachments.V.Columns; c != nil {
		t.Columns = map[string][]Column{}
		for board, b := range c.V.Boards {
			var cols []Column
			for _, col := range b.V.Columns {
				cols = append(cols, Column{ID: int(col.ID), PHID: col.PHID, Name: string(col.Name), BoardPHID: board})
			}
			t.Columns[board] = cols
		}
	}
	return t, nil
}

// Priority is one of the server's task priorities (maniphest.priority.search).
type Priority struct {
	Value int
	Name  string
	Short string
	Color string
	// Keywords are what maniphest.edit accepts for it; the first is canonical.
	Keywords []string
	Disabled bool
}

// Keyword is the canonical keyword maniphest.edit takes for the priority.
func (p Priority) Keyword() string {
	if len(p.Keywords) > 0 {
		return p.Keywords[0]
	}
	return ""
}

// Status is one of the server's task statuses (maniphest.status.search).
type Status struct {
	Value  string
	Name   string
	Closed bool
	// Special is "default", "closed", "duplicate"... or "".
	Special string
}

// User is a user account (user.whoami, user.search).
type User struct {
	PHID     string
	Username string
	RealName string
	Roles    []string
}

// Project is a project (project.search).
type Project struct {
	ID   int
	PHID string
	Name string
	Slug string
	// Milestone is the milestone number, or 0 for a project that is not a milestone.
	Milestone  int
	Depth      int
	ParentPHID string
	Status     string // "active", "archived"
	// Members is the members attachment (nil when not requested).
	Members []string
}

// Move is one column move of a core:columns transaction.
type Move struct {
	ColumnPHID string `json:"columnPHID"`
	BoardPHID  string `json:"boardPHID"`
	// FromColumnPHIDs are the columns the task left on that board (an object keyed by PHID,
	// or [] when the task was not on the board).
	FromColumnPHIDs PHIDs `json:"fromColumnPHIDs"`
	BeforePHIDs     PHIDs `json:"beforePHIDs"`
	AfterPHIDs      PHIDs `json:"afterPHIDs"`
}

// Reorder reports whether the move only changed the task's position within its column.
func (m Move) Reorder() bool { return m.FromColumnPHIDs.Has(m.ColumnPHID) }

// From is the single column the task came from on the board, or "" when it came from none or
// from several.
func (m Move) From() string {
	if len(m.FromColumnPHIDs) == 1 {
		return m.FromColumnPHIDs[0]
	}
	return ""
}
