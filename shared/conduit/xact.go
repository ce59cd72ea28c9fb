package conduit

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// Kinds of Xact: what a task transaction changed, named as transaction.search names them.
// Transactions of other kinds keep the server's type name in Xact.Type.
const (
	KindCreate      = "create"
	KindTitle       = "title"
	KindStatus      = "status"
	KindPriority    = "priority"
	KindOwner       = "owner"
	KindPoints      = "points"
	KindComment     = "comment"
	KindProjects    = "projects"
	KindSubscribers = "subscribers"
	KindColumns     = "core:columns"
	KindMergedInto  = "mergedinto"
)

// Xact is one task transaction, decoded from either transaction.search or
// maniphest.gettasktransactions into one shape: who did what, when, and the values a
// workboard cares about.
type Xact struct {
	PHID       string
	TaskPHID   string
	AuthorPHID string
	Created    time.Time
	// GroupID is shared by the transactions of one edit (transaction.search only).
	GroupID string
	// Type is one of the Kind constants, another server type name, or "" when the server hid
	// the transaction's type (transaction.search answers "type": null for what it does not
	// expose: column moves on Phabricator and Phorge stable, policies, custom fields).
	Type string
	// Hidden is true for a "type": null transaction.
	Hidden bool

	// Priority: the values before (nil on create) and after.
	PriorityOld, PriorityNew *int
	// Status, Owner: keys and user PHIDs before and after ("" for none).
	StatusOld, StatusNew string
	OwnerOld, OwnerNew   string
	// Points before and after.
	PointsOld, PointsNew Points
	// Projects (and subscribers) added and removed.
	Added, Removed []string
	// Moves of a core:columns transaction.
	Moves []Move
	// Comment is the text of the comment, when the transaction carries one (the latest
	// version; "" when removed).
	Comment    string
	HasComment bool
}

// Transaction is one item of transaction.search.
type Transaction struct {
	ID          Int                      `json:"id"`
	PHID        string                   `json:"phid"`
	Type        *string                  `json:"type"`
	AuthorPHID  Str                      `json:"authorPHID"`
	ObjectPHID  Str                      `json:"objectPHID"`
	DateCreated Time                     `json:"dateCreated"`
	GroupID     Str                      `json:"groupID"`
	Comments    List[TransactionComment] `json:"comments"`
	Fields      json.RawMessage          `json:"fields"`
}

// TransactionComment is one version of a comment (newest first in transaction.search).
type TransactionComment struct {
	PHID       string `json:"phid"`
	Version    Int    `json:"version"`
	AuthorPHID Str    `json:"authorPHID"`
	Removed    bool   `json:"removed"`
	Content    Dict[struct {
		Raw Str `json:"raw"`
	}] `json:"content"`
}

type priorityValue struct {
	Value *Int `json:"value"`
}

// Xact normalizes the transaction.
func (t Transaction) Xact() (Xact, error) {
	x := Xact{PHID: t.PHID, TaskPHID: string(t.ObjectPHID), AuthorPHID: string(t.AuthorPHID), Created: t.DateCreated.Time, GroupID: string(t.GroupID)}
	if t.Type == nil {
		x.Hidden = true
	} else {
		x.Type = *t.Type
	}
	if len(t.Comments) > 0 {
		newest := t.Comments[0]
		for _, c := range t.Comments[1:] {
			if c.Version > newest.Version {
				newest = c
			}
		}
		x.HasComment = true
		if !newest.Removed {
			x.Comment = string(newest.Content.V.Raw)
		}
	}
	if x.Hidden || len(t.Fields) == 0 || isNull(t.Fields) {
		return x, nil
	}
	var err error
	switch x.Type {
	case KindPriority:
		var on struct {
			Old Dict[priorityValue] `json:"old"`
			New Dict[priorityValue] `json:"new"`
		}
		if err = json.Unmarshal(t.Fields, &on); err == nil {
			x.PriorityOld, x.PriorityNew = intPtr(on.Old.V.Value), intPtr(on.New.V.Value)
		}
	case KindStatus:
		x.StatusOld, x.StatusNew, err = strPair(t.Fields)
	case KindOwner:
		x.OwnerOld, x.OwnerNew, err = strPair(t.Fields)
	case KindPoints:
		var on struct {
			Old Points `json:"old"`
			New Points `json:"new"`
		}
		if err = json.Unmarshal(t.Fields, &on); err == nil {
			x.PointsOld, x.PointsNew = on.Old, on.New
		}
	case KindProjects, KindSubscribers:
		var f Dict[struct {
			Operations List[struct {
				Operation Str `json:"operation"`
				PHID      Str `json:"phid"`
			}] `json:"operations"`
		}]
		if err = json.Unmarshal(t.Fields, &f); err == nil {
			for _, op := range f.V.Operations {
				switch op.Operation {
				case "add":
					x.Added = append(x.Added, string(op.PHID))
				case "remove":
					x.Removed = append(x.Removed, string(op.PHID))
				}
			}
		}
	case KindColumns:
		var on struct {
			New List[Move] `json:"new"`
		}
		if err = json.Unmarshal(t.Fields, &on); err == nil {
			x.Moves = on.New
		}
	}
	if err != nil {
		return x, fmt.Errorf("transaction %s (%s): %w", t.PHID, x.Type, err)
	}
	return x, nil
}

func intPtr(i *Int) *int {
	if i == nil {
		return nil
	}
	v := int(*i)
	return &v
}

func strPair(b json.RawMessage) (string, string, error) {
	var on struct {
		Old Str `json:"old"`
		New Str `json:"new"`
	}
	err := json.Unmarshal(b, &on)
	return string(on.Old), string(on.New), err
}

// RawTransaction is one item of maniphest.gettasktransactions: the server's raw types and
// values (numbers often as strings).
type RawTransaction struct {
	TaskID      Int             `json:"taskID"`
	ID          Int             `json:"transactionID"`
	PHID        string          `json:"transactionPHID"`
	Type        Str             `json:"transactionType"`
	OldValue    json.RawMessage `json:"oldValue"`
	NewValue    json.RawMessage `json:"newValue"`
	Meta        json.RawMessage `json:"meta"`
	Comments    *Str            `json:"comments"`
	AuthorPHID  Str             `json:"authorPHID"`
	DateCreated Time            `json:"dateCreated"`
}

// ProjectEdgeType is the edge type of "task has project" (PhabricatorProjectObjectHasProjectEdgeType).
const ProjectEdgeType = 41

// Xact normalizes the raw transaction of the task taskPHID.
func (r RawTransaction) Xact(taskPHID string) (Xact, error) {
	x := Xact{PHID: r.PHID, TaskPHID: taskPHID, AuthorPHID: string(r.AuthorPHID), Created: r.DateCreated.Time}
	if r.Comments != nil && *r.Comments != "" {
		x.HasComment, x.Comment = true, string(*r.Comments)
	}
	var err error
	switch string(r.Type) {
	case "core:create":
		x.Type = KindCreate
	case "title":
		x.Type = KindTitle
	case "core:comment":
		x.Type = KindComment
	case "status":
		x.Type = KindStatus
		x.StatusOld, x.StatusNew, err = rawStrPair(r.OldValue, r.NewValue)
	case "reassign":
		x.Type = KindOwner
		x.OwnerOld, x.OwnerNew, err = rawStrPair(r.OldValue, r.NewValue)
	case "priority":
		x.Type = KindPriority
		var o, n Str
		if err = unmarshalOpt(r.OldValue, &o); err == nil {
			err = unmarshalOpt(r.NewValue, &n)
		}
		if err == nil {
			x.PriorityOld, err = atoiPtr(string(o))
		}
		if err == nil {
			x.PriorityNew, err = atoiPtr(string(n))
		}
	case "points":
		x.Type = KindPoints
		if err = unmarshalOpt(r.OldValue, &x.PointsOld); err == nil {
			err = unmarshalOpt(r.NewValue, &x.PointsNew)
		}
	case "core:columns":
		x.Type = KindColumns
		var moves List[Move]
		if err = unmarshalOpt(r.NewValue, &moves); err == nil {
			x.Moves = moves
		}
	case "core:subscribers":
		x.Type = KindSubscribers
		var o, n PHIDs
		if err = unmarshalOpt(r.OldValue, &o); err == nil {
			err = unmarshalOpt(r.NewValue, &n)
		}
		x.Added, x.Removed = diff(o, n)
	case "core:edge":
		var meta Dict[map[string]json.RawMessage]
		_ = unmarshalOpt(r.Meta, &meta)
		var edgeType Int
		_ = unmarshalOpt(meta.V["edge:type"], &edgeType)
		if edgeType != ProjectEdgeType {
			x.Type = "core:edge"
			break
		}
		x.Type = KindProjects
		var o, n PHIDs
		if err = unmarshalOpt(r.OldValue, &o); err == nil {
			err = unmarshalOpt(r.NewValue, &n)
		}
		x.Added, x.Removed = diff(o, n)
	default:
		x.Type = string(r.Type)
	}
	if err != nil {
		return x, fmt.Errorf("transaction %s (%s): %w", r.PHID, r.Type, err)
	}
	return x, nil
}

func unmarshalOpt(b json.RawMessage, v any) error {
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, v)
}

func rawStrPair(o, n json.RawMessage) (string, string, error) {
	var a, b Str
	if err := unmarshalOpt(o, &a); err != nil {
		return "", "", err
	}
	err := unmarshalOpt(n, &b)
	return string(a), string(b), err
}

func atoiPtr(s string) (*int, error) {
	if s == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil, fmt.Errorf("priority %q is not a number", s)
	}
	return &n, nil
}

// diff returns what is in n and not in o, and what is in o and not in n, sorted.
func diff(o, n []string) (added, removed []string) {
	inO, inN := map[string]bool{}, map[string]bool{}
	for _, p := range o {
		inO[p] = true
	}
	for _, p := range n {
		inN[p] = true
		if !inO[p] {
			added = append(added, p)
		}
	}
	for _, p := range o {
		if !inN[p] {
			removed = append(removed, p)
		}
	}
	sort.Strings(added)
	sort.Strings(removed)
	return added, removed
}
