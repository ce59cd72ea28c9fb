package phab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/store"
)

// MirrorAPI is the part of the DynamoDB client the mirror needs.
type MirrorAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

var _ MirrorAPI = (*dynamodb.Client)(nil)

// HistoryRetention is how long a task's transactions are kept: a sprint report or a Clinic Duty
// period looks back months at most.
const HistoryRetention = 400 * 24 * time.Hour

// maxComment bounds the comment text kept with a transaction (it is kept only so that a
// response can be quoted, never as the task's record).
const maxComment = 2000

// Mirror keeps, in the state table, each task as the server last showed it, every transaction
// a delivery brought, and where the task is on each board. It is what Slack commands read, and
// what late deliveries are judged against.
//
// Key layout:
//
//	snapshot   pk PHABTASK#<task>  sk TASK
//	history    pk PHABTASK#<task>  sk X#<created>#<transaction PHID>   one item per transaction
//	position   pk PHABTASK#<task>  sk BOARD#<board>
//	           gsi1pk PHABCOL#<column>  gsi1sk <since>#<task>         while the task is open
//
// Every write is idempotent: a history item is put once per transaction PHID, and the snapshot
// and positions are written only by a read of the task at least as recent as theirs, so
// deliveries processed twice, late or out of order leave the newest state.
type Mirror struct {
	API   MirrorAPI
	Table string
}

// Snapshot is a task as the mirror holds it.
type Snapshot struct {
	PHID     string            `json:"phid"`
	ID       int               `json:"id"`
	Title    string            `json:"title"`
	Author   string            `json:"author"`
	Owner    string            `json:"owner,omitempty"`
	Status   string            `json:"status"`
	Closed   bool              `json:"closed,omitempty"`
	Priority int               `json:"priority"`
	Points   conduit.Points    `json:"points"`
	Projects []string          `json:"projects"`
	Columns  map[string]string `json:"columns"` // board → column
	Created  time.Time         `json:"created"`
	Modified time.Time         `json:"modified"`
	// Seen is when Rituals read the task (wall clock of the delivery's processing).
	Seen time.Time `json:"seen"`
}

// SnapshotOf is t as the mirror keeps it; server says which statuses are closed.
func SnapshotOf(t conduit.Task, server *Server, seen time.Time) Snapshot {
	s := Snapshot{PHID: t.PHID, ID: t.ID, Title: t.Title, Author: t.AuthorPHID, Owner: t.OwnerPHID, Status: t.Status,
		Closed: server.Closed(t.Status), Priority: t.Priority, Points: t.Points, Projects: t.Projects, Columns: map[string]string{},
		Created: t.Created, Modified: t.Modified, Seen: seen}
	for board, cols := range t.Columns {
		if len(cols) > 0 {
			s.Columns[board] = cols[0].PHID
		}
	}
	return s
}

// Position is where an open task is on one board.
type Position struct {
	Task   string    `json:"task"`
	Board  string    `json:"board"`
	Column string    `json:"column"`
	Since  time.Time `json:"since"`
	Open   bool      `json:"open"`
	// ID and Title are copied from the snapshot so that a column's list reads one index query.
	ID       int       `json:"id"`
	Title    string    `json:"title"`
	Modified time.Time `json:"modified"`
}

func taskPK(task string) string  { return "PHABTASK#" + task }
func columnPK(col string) string { return "PHABCOL#" + col }
func historySK(x conduit.Xact) string {
	return "X#" + store.TS(x.Created) + "#" + x.PHID
}

// Get returns the task's snapshot, or nil when the mirror has none.
func (m Mirror) Get(ctx context.Context, task string) (*Snapshot, error) {
	out, err := m.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(m.Table), Key: store.Key(taskPK(task), "TASK"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read mirror of %s: %w", task, err)
	}
	if out.Item == nil {
		return nil, nil
	}
	var s Snapshot
	if err := json.Unmarshal([]byte(store.Str(out.Item, "data")), &s); err != nil {
		return nil, fmt.Errorf("decode mirror of %s: %w", task, err)
	}
	return &s, nil
}

// Apply records a delivery: each transaction once (returned in fresh when this call wrote it),
// the snapshot unless the mirror already holds a newer read, and the task's positions. before
// is the mirror's snapshot read before (nil when unknown): when the task's columns, title and
// state are as it says, the positions are left as they are without reading them.
func (m Mirror) Apply(ctx context.Context, snap Snapshot, before *Snapshot, xacts []conduit.Xact) (fresh map[string]bool, err error) {
	fresh = map[string]bool{}
	for _, x := range xacts {
		x.Comment = clip.Bytes(x.Comment, maxComment)
		data, _ := json.Marshal(x)
		item := store.Key(taskPK(snap.PHID), historySK(x))
		item["data"] = store.S(string(data))
		item["kind"] = store.S(x.Type)
		item["expires"] = store.Expires(x.Created, HistoryRetention)
		_, err := m.API.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(m.Table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")})
		switch {
		case err == nil:
			fresh[x.PHID] = true
		case !store.CondFailed(err):
			return nil, fmt.Errorf("record transaction %s of %s: %w", x.PHID, snap.PHID, err)
		}
	}
	newer, err := m.putSnapshot(ctx, snap)
	if err != nil || !newer || samePlaces(before, snap) {
		return fresh, err
	}
	return fresh, m.putPositions(ctx, snap, xacts)
}

// samePlaces reports whether the positions written for before still hold for snap.
func samePlaces(before *Snapshot, snap Snapshot) bool {
	return before != nil && before.Title == snap.Title && before.Closed == snap.Closed && maps.Equal(before.Columns, snap.Columns)
}

// putSnapshot writes snap unless the mirror holds a read of a later dateModified; it reports
// whether it wrote.
func (m Mirror) putSnapshot(ctx context.Context, snap Snapshot) (bool, error) {
	data, _ := json.Marshal(snap)
	item := store.Key(taskPK(snap.PHID), "TASK")
	item["data"] = store.S(string(data))
	item["modified"] = store.N(snap.Modified.Unix())
	_, err := m.API.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(m.Table), Item: item,
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR modified <= :m"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":m": store.N(snap.Modified.Unix())},
	})
	if store.CondFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("write mirror of %s: %w", snap.PHID, err)
	}
	return true, nil
}

// Positions returns the task's positions (open or not) by board.
func (m Mirror) Positions(ctx context.Context, task string) (map[string]Position, error) {
	items, err := store.QueryAll(ctx, m.API, &dynamodb.QueryInput{
		TableName:                 aws.String(m.Table),
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :b)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": store.S(taskPK(task)), ":b": store.S("BOARD#")},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("read positions of %s: %w", task, err)
	}
	out := map[string]Position{}
	for _, it := range items {
		var p Position
		if json.Unmarshal([]byte(store.Str(it, "data")), &p) == nil {
			out[p.Board] = p
		}
	}
	return out, nil
}

// putPositions brings the task's position items in line with snap: a board whose column
// changed gets the time it entered it (the move's time when this delivery has it, else the
// read's), boards it left are deleted, and a closed task leaves every column's index.
func (m Mirror) putPositions(ctx context.Context, snap Snapshot, xacts []conduit.Xact) error {
	old, err := m.Positions(ctx, snap.PHID)
	if err != nil {
		return err
	}
	cond := map[string]types.AttributeValue{":m": store.N(snap.Modified.Unix())}
	for board, col := range snap.Columns {
		p, had := old[board]
		if had && p.Column == col && p.Open == !snap.Closed && p.Title == snap.Title {
			continue
		}
		if !had || p.Column != col {
			p = Position{Task: snap.PHID, Board: board, Column: col, Since: entered(snap, board, col, xacts)}
		}
		p.Open, p.ID, p.Title, p.Modified = !snap.Closed, snap.ID, snap.Title, snap.Modified
		data, _ := json.Marshal(p)
		item := store.Key(taskPK(snap.PHID), "BOARD#"+board)
		item["data"] = store.S(string(data))
		item["modified"] = store.N(snap.Modified.Unix())
		if p.Open {
			item["gsi1pk"] = store.S(columnPK(col))
			item["gsi1sk"] = store.S(store.TS(p.Since) + "#" + snap.PHID)
		}
		_, err := m.API.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(m.Table), Item: item,
			ConditionExpression: aws.String("attribute_not_exists(pk) OR modified <= :m"), ExpressionAttributeValues: cond,
		})
		if err != nil && !store.CondFailed(err) {
			return fmt.Errorf("write position of %s on %s: %w", snap.PHID, board, err)
		}
	}
	for board := range old {
		if _, still := snap.Columns[board]; still {
			continue
		}
		_, err := m.API.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName: aws.String(m.Table), Key: store.Key(taskPK(snap.PHID), "BOARD#"+board),
			ConditionExpression: aws.String("modified <= :m"), ExpressionAttributeValues: cond,
		})
		if err != nil && !store.CondFailed(err) {
			return fmt.Errorf("remove position of %s on %s: %w", snap.PHID, board, err)
		}
	}
	return nil
}

// entered is when the task entered col on board: the latest move there (or tagging with the
// board's project) among this delivery's transactions, else the read's dateModified.
func entered(snap Snapshot, board, col string, xacts []conduit.Xact) time.Time {
	var at time.Time
	for _, x := range xacts {
		for _, mv := range x.Moves {
			if mv.BoardPHID == board && mv.ColumnPHID == col && x.Created.After(at) {
				at = x.Created
			}
		}
		for _, p := range x.Added {
			if x.Type == conduit.KindProjects && p == board && at.IsZero() {
				at = x.Created
			}
		}
	}
	if at.IsZero() {
		at = snap.Modified
	}
	return at
}

// History returns the task's recorded transactions created at or after from, oldest first.
func (m Mirror) History(ctx context.Context, task string, from time.Time) ([]conduit.Xact, error) {
	items, err := store.QueryAll(ctx, m.API, &dynamodb.QueryInput{
		TableName:              aws.String(m.Table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :a AND :z"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": store.S(taskPK(task)), ":a": store.S("X#" + store.TS(from)), ":z": store.S("X#~"),
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("read history of %s: %w", task, err)
	}
	out := make([]conduit.Xact, 0, len(items))
	for _, it := range items {
		var x conduit.Xact
		if err := json.Unmarshal([]byte(store.Str(it, "data")), &x); err != nil {
			return nil, fmt.Errorf("decode history of %s: %w", task, err)
		}
		out = append(out, x)
	}
	SortXacts(out)
	return out, nil
}

// SortXacts orders transactions as they happened: by time, then by PHID for one edit's.
func SortXacts(xs []conduit.Xact) {
	sort.SliceStable(xs, func(i, j int) bool {
		if !xs[i].Created.Equal(xs[j].Created) {
			return xs[i].Created.Before(xs[j].Created)
		}
		return false
	})
}

// InColumn returns the open tasks in a column, longest there first.
func (m Mirror) InColumn(ctx context.Context, column string) ([]Position, error) {
	items, err := store.QueryAll(ctx, m.API, &dynamodb.QueryInput{
		TableName: aws.String(m.Table), IndexName: aws.String("gsi1"),
		KeyConditionExpression:    aws.String("gsi1pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": store.S(columnPK(column))},
	})
	if err != nil {
		return nil, fmt.Errorf("read column %s: %w", column, err)
	}
	out := make([]Position, 0, len(items))
	for _, it := range items {
		var p Position
		if json.Unmarshal([]byte(store.Str(it, "data")), &p) == nil && p.Open && p.Column == column {
			out = append(out, p)
		}
	}
	return out, nil
}

// ErrNoSnapshot is returned when a task the mirror should know is unknown to it.
var ErrNoSnapshot = errors.New("task not in the mirror")
