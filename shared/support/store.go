package support

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/rotation"
	"github.com/rituals-dev/rituals/shared/store"
)

// StoreAPI is the part of the DynamoDB client the support store needs.
type StoreAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var _ StoreAPI = (*dynamodb.Client)(nil)

// Store keeps support requests, rotation overrides, audit records and simple questions in the
// state table (see the package doc for the key layout).
type Store struct {
	API   StoreAPI
	Table string
	// Calendar and Away decide who the rotation skips for being off throughout their week
	// (package rotation): a shared calendar when nil; without Away only the config's away days
	// count.
	Calendar *calendar.Calendar
	Away     rotation.AwayReader
}

// ClosedRetention is how long a request is kept after it stops being open (stats look back at
// most a year).
const ClosedRetention = 2 * 365 * 24 * time.Hour

// maxUpdateAttempts bounds read-modify-write retries when concurrent writers keep winning.
const maxUpdateAttempts = 10

// ErrConflict is returned (wrapped) by Update when concurrent writers kept winning.
var ErrConflict = errors.New("concurrent updates of a support request")

func teamPK(team string) string { return "SUPPORT#" + team }
func openPK(team string) string { return "SUPPORTOPEN#" + team }
func reqSK(id ID) string        { return "REQ#" + id.key() }
func utc(t time.Time) string    { return t.UTC().Format(time.RFC3339) }

// Get reads a request (consistently). It returns an error wrapping store.ErrNotFound when
// there is none.
func (st Store) Get(ctx context.Context, id ID) (*Request, error) {
	out, err := st.API.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(st.Table), Key: store.Key(teamPK(id.Team), reqSK(id)), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("get support request %s: %w", id, err)
	}
	if out.Item == nil {
		return nil, fmt.Errorf("support request %s: %w", id, store.ErrNotFound)
	}
	return decodeRequest(out.Item)
}

func decodeRequest(item map[string]types.AttributeValue) (*Request, error) {
	var r Request
	if err := json.Unmarshal([]byte(store.Str(item, "data")), &r); err != nil {
		return nil, fmt.Errorf("decode support request %s/%s: %w", store.Str(item, "pk"), store.Str(item, "sk"), err)
	}
	return &r, nil
}

// Update reads the request (found false and a fresh Request with the id when there is none),
// lets fn change it, and writes it back conditionally on the revision read, retrying from the
// read when another writer won. fn returns whether it changed anything; nothing is written
// when it did not. Update returns the request as stored afterwards and whether it wrote.
func (st Store) Update(ctx context.Context, id ID, fn func(r *Request, found bool) (bool, error)) (*Request, bool, error) {
	for attempt := 0; attempt < maxUpdateAttempts; attempt++ {
		cur, err := st.Get(ctx, id)
		found := err == nil
		if errors.Is(err, store.ErrNotFound) {
			cur, err = &Request{ID: id}, nil
		}
		if err != nil {
			return nil, false, err
		}
		next := cur.clone()
		changed, err := fn(next, found)
		if err != nil || !changed {
			return cur, false, err
		}
		next.Rev = cur.Rev + 1
		err = st.put(ctx, next, found, cur.Rev)
		if errors.Is(err, errLostRace) {
			continue
		}
		if err != nil {
			return nil, false, err
		}
		return next, true, nil
	}
	return nil, false, fmt.Errorf("update support request %s: %w", id, ErrConflict)
}

var errLostRace = errors.New("lost the race")

// maxArchivedPerWrite bounds the log entries one write moves out of the request item, so that
// the transaction stays within DynamoDB's 100 items; the rest move on the next write.
const maxArchivedPerWrite = 90

// entrySK keys log entry i of a request (zero-padded: entries sort in order).
func entrySK(id ID, i int) string { return fmt.Sprintf("%s#LOG#%06d", reqSK(id), i) }

// put writes r and its stats row in one transaction, on condition that the stored revision
// is still prev (or that there is none when !found). Log entries whose effects are done move
// out of the request item into items of their own in the same transaction, so the item stays
// small however long the request's history grows (DynamoDB's item limit is 400 KB).
func (st Store) put(ctx context.Context, r *Request, found bool, prev int) error {
	var archive []types.TransactWriteItem
	for r.LogBase < r.Synced && len(archive) < maxArchivedPerWrite && len(r.Log) > 0 {
		e := r.Log[0]
		data, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("encode log entry of %s: %w", r.ID, err)
		}
		archive = append(archive, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(st.Table), Item: map[string]types.AttributeValue{
			"pk": store.S(teamPK(r.ID.Team)), "sk": store.S(entrySK(r.ID, r.LogBase)),
			"data": store.S(string(data)), "expires": store.Expires(e.At, ClosedRetention+ClosedRetention),
		}}})
		r.Log, r.LogBase = r.Log[1:], r.LogBase+1
	}
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode support request %s: %w", r.ID, err)
	}
	item := map[string]types.AttributeValue{
		"pk": store.S(teamPK(r.ID.Team)), "sk": store.S(reqSK(r.ID)),
		"data": store.S(string(data)), "rev": store.N(int64(r.Rev)), "state": store.S(string(r.State)),
	}
	if r.IsOpen() {
		item["gsi1pk"] = store.S(openPK(r.ID.Team))
		item["gsi1sk"] = store.S(utc(r.Created) + "#" + r.ID.key())
	} else {
		at := r.Closed
		if at.IsZero() {
			at = r.Version.Received
		}
		item["expires"] = store.N(at.Add(ClosedRetention).Unix())
	}
	put := &types.Put{TableName: aws.String(st.Table), Item: item}
	if found {
		put.ConditionExpression = aws.String("rev = :rev")
		put.ExpressionAttributeValues = map[string]types.AttributeValue{":rev": store.N(int64(prev))}
	} else {
		put.ConditionExpression = aws.String("attribute_not_exists(pk)")
	}
	items := append([]types.TransactWriteItem{{Put: put}}, archive...)
	if r.announced() && !r.Created.IsZero() {
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(st.Table), Item: statItem(r)}})
	}
	_, err = st.API.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var tc *types.TransactionCanceledException
	if errors.As(err, &tc) {
		for _, reason := range tc.CancellationReasons {
			if aws.ToString(reason.Code) == "ConditionalCheckFailed" {
				return errLostRace
			}
		}
	}
	if err != nil {
		return fmt.Errorf("write support request %s: %w", r.ID, err)
	}
	return nil
}

// StatRow is what /support stats reads of one request.
type StatRow struct {
	ID       ID
	Priority string
	State    State
	Created  time.Time
	Acked    time.Time
	Closed   time.Time
}

func statSK(r *Request) string { return "LOG#" + utc(r.Created) + "#" + r.ID.key() }

func statItem(r *Request) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		"pk": store.S(teamPK(r.ID.Team)), "sk": store.S(statSK(r)),
		"id": store.S(r.ID.String()), "priority": store.S(r.Priority), "state": store.S(string(r.State)),
		"created": store.S(utc(r.Created)),
		"expires": store.N(r.Created.Add(ClosedRetention).Unix()),
	}
	if !r.Acked.IsZero() {
		item["acked"] = store.S(utc(r.Acked))
	}
	if !r.Closed.IsZero() && r.State == Resolved {
		item["closed"] = store.S(utc(r.Closed))
	}
	return item
}

// StatsSince returns the stats rows of the team's requests created at or after since, with one
// Query on the team's partition.
func (st Store) StatsSince(ctx context.Context, team string, since time.Time) ([]StatRow, error) {
	items, err := store.QueryAll(ctx, st.API, &dynamodb.QueryInput{
		TableName:              aws.String(st.Table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": store.S(teamPK(team)), ":from": store.S("LOG#" + utc(since)), ":to": store.S("LOG#~"),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("stats of team %s: %w", team, err)
	}
	var rows []StatRow
	for _, it := range items {
		id, err := ParseID(store.Str(it, "id"))
		if err != nil {
			continue
		}
		row := StatRow{ID: id, Priority: store.Str(it, "priority"), State: State(store.Str(it, "state"))}
		row.Created, _ = time.Parse(time.RFC3339, store.Str(it, "created"))
		row.Acked, _ = time.Parse(time.RFC3339, store.Str(it, "acked"))
		row.Closed, _ = time.Parse(time.RFC3339, store.Str(it, "closed"))
		rows = append(rows, row)
	}
	return rows, nil
}

// ListOpen returns the team's open requests, oldest first, with one Query on gsi1.
func (st Store) ListOpen(ctx context.Context, team string) ([]*Request, error) {
	items, err := store.QueryAll(ctx, st.API, &dynamodb.QueryInput{
		TableName:                 aws.String(st.Table),
		IndexName:                 aws.String("gsi1"),
		KeyConditionExpression:    aws.String("gsi1pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": store.S(openPK(team))},
	})
	if err != nil {
		return nil, fmt.Errorf("open requests of team %s: %w", team, err)
	}
	var out []*Request
	for _, it := range items {
		r, err := decodeRequest(it)
		if err != nil {
			return nil, err
		}
		// gsi1 is eventually consistent: a request closed a moment ago may still be listed.
		if r.IsOpen() {
			out = append(out, r)
		}
	}
	return out, nil
}

// History returns every log entry of a request, oldest first: the ones moved out of the
// request item and the ones still in it.
func (st Store) History(ctx context.Context, id ID) ([]Entry, error) {
	r, err := st.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	items, err := store.QueryAll(ctx, st.API, &dynamodb.QueryInput{
		TableName:              aws.String(st.Table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": store.S(teamPK(id.Team)), ":from": store.S(entrySK(id, 0)), ":to": store.S(entrySK(id, r.LogBase)),
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", id, err)
	}
	out := make([]Entry, 0, r.LogLen())
	for _, it := range items {
		if store.Str(it, "sk") == entrySK(id, r.LogBase) {
			continue // written by a concurrent archive; the request item has it too
		}
		var e Entry
		if err := json.Unmarshal([]byte(store.Str(it, "data")), &e); err != nil {
			return nil, fmt.Errorf("history of %s: %w", id, err)
		}
		out = append(out, e)
	}
	return append(out, r.Log...), nil
}
