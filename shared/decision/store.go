package decision

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/store"
)

// StoreAPI is the part of the DynamoDB client the decision store needs.
type StoreAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var _ StoreAPI = (*dynamodb.Client)(nil)

// Store keeps decisions in the state table (see the package doc for the keys).
type Store struct {
	API   StoreAPI
	Table string
	// Events is the events table: every write of a decision commits its decision.changed event
	// (per revision) in the same transaction, so no change can miss its processing.
	Events string
}

// Retention is how long a decided decision is kept (open ones are kept while open).
const Retention = 2 * 365 * 24 * time.Hour

// ErrChanged says the decision changed since it was read (another verdict at the same time);
// Update retries on it by itself, and returns it only when writers kept winning.
var ErrChanged = errors.New("decision changed concurrently")

func teamPK(team string) string { return "DECISION#" + team }
func decisionSK(n int) string   { return fmt.Sprintf("D#%06d", n) }

// Create numbers d in its team (one atomic counter update) and stores it. A number whose
// record was never written (a crash between the two) is skipped, never reused.
func (s Store) Create(ctx context.Context, d *Decision) (*Decision, error) {
	out, err := s.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table), Key: store.Key(teamPK(d.ID.Team), "SEQ"),
		UpdateExpression:          aws.String("ADD seq :one"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": store.N(1)},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return nil, fmt.Errorf("number a decision of %s: %w", d.ID.Team, err)
	}
	next := *d
	next.ID.N = int(store.Int(out.Attributes, "seq"))
	next.State, next.Rev = Open, 1
	if err := s.put(ctx, &next, 0, d.Created); err != nil {
		return nil, err
	}
	return &next, nil
}

// put writes d on condition that its stored revision is prev (0: that there is none), with its
// decision.changed event received at, in one transaction.
func (s Store) put(ctx context.Context, d *Decision, prev int, at time.Time) error {
	data, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode decision %s: %w", d.ID, err)
	}
	it := store.Key(teamPK(d.ID.Team), decisionSK(d.ID.N))
	it["data"], it["rev"], it["state"] = store.S(string(data)), store.N(int64(d.Rev)), store.S(string(d.State))
	if d.State != Open {
		it["expires"] = store.Expires(d.Decided, Retention)
	}
	in := &types.Put{TableName: aws.String(s.Table), Item: it}
	if prev == 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(pk)")
	} else {
		in.ConditionExpression = aws.String("rev = :rev")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":rev": store.N(int64(prev))}
	}
	ev, err := changedEvent(d, at)
	if err != nil {
		return err
	}
	evPut, err := store.EventPut(s.Events, ev)
	if err != nil {
		return err
	}
	_, err = s.API.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{{Put: in}, {Put: evPut}}})
	if store.CondFailed(err) {
		return ErrChanged
	}
	if err != nil {
		return fmt.Errorf("write decision %s: %w", d.ID, err)
	}
	return nil
}

func decode(it store.Item) (*Decision, error) {
	var d Decision
	if err := json.Unmarshal([]byte(store.Str(it, "data")), &d); err != nil {
		return nil, fmt.Errorf("decode decision %s/%s: %w", store.Str(it, "pk"), store.Str(it, "sk"), err)
	}
	d.ID.Team = strings.TrimPrefix(store.Str(it, "pk"), "DECISION#")
	d.ID.N, _ = strconv.Atoi(strings.TrimPrefix(store.Str(it, "sk"), "D#"))
	return &d, nil
}

// Get reads a decision; the error wraps store.ErrNotFound when there is none.
func (s Store) Get(ctx context.Context, id ID) (*Decision, error) {
	out, err := s.API.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.Table), Key: store.Key(teamPK(id.Team), decisionSK(id.N)), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("read decision %s: %w", id, err)
	}
	if out.Item == nil {
		return nil, fmt.Errorf("decision %s: %w", id, store.ErrNotFound)
	}
	return decode(out.Item)
}

// Update reads the decision, lets fn change it, and writes it back (with its event, received at)
// on condition that nobody wrote in between, retrying from the read when someone did. fn
// reports whether it changed anything; Update returns the decision as stored and whether it
// wrote.
func (s Store) Update(ctx context.Context, id ID, at time.Time, fn func(d *Decision) bool) (*Decision, bool, error) {
	for attempt := 0; attempt < 10; attempt++ {
		d, err := s.Get(ctx, id)
		if err != nil {
			return nil, false, err
		}
		prev := d.Rev
		if !fn(d) {
			return d, false, nil
		}
		err = s.put(ctx, d, prev, at)
		if errors.Is(err, ErrChanged) {
			continue
		}
		if err != nil {
			return nil, false, err
		}
		return d, true, nil
	}
	return nil, false, fmt.Errorf("update decision %s: %w", id, ErrChanged)
}

// List returns the team's latest decisions, newest first.
func (s Store) List(ctx context.Context, team string, limit int) ([]*Decision, error) {
	out, err := s.API.Query(ctx, &dynamodb.QueryInput{
		TableName:              aws.String(s.Table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :d)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": store.S(teamPK(team)), ":d": store.S("D#"),
		},
		ScanIndexForward: aws.Bool(false),
		Limit:            aws.Int32(int32(limit)),
	})
	if err != nil {
		return nil, fmt.Errorf("decisions of %s: %w", team, err)
	}
	var list []*Decision
	for _, it := range out.Items {
		d, err := decode(it)
		if err != nil {
			return nil, err
		}
		list = append(list, d)
	}
	return list, nil
}
