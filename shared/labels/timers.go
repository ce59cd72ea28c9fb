package labels

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rituals-dev/rituals/shared/store"
)

// Timer states.
const (
	Pending   = "pending"
	Done      = "done"
	Cancelled = "cancelled"
	// Dead is a timer whose actions failed MaxAttempts times; it is kept, with its error, for
	// /labels pending to show, and the team's channel was told.
	Dead = "dead"
)

// Timer is one pending (or finished) timer of a rule's activation on an issue.
type Timer struct {
	Team, Rule string
	Repo       string
	Number     int
	// Activation identifies the trigger (see activationID); Index is the timer's position in
	// the rule's timers.
	Activation string
	Index      int
	// Activated is when the rule triggered, on GitHub's clock: conditions compare comments
	// and label changes with it.
	Activated time.Time
	// Due is when it fires next; Fired how often it has fired.
	Due   time.Time
	Fired int
	State string
	// Attempts counts failed attempts at the current firing; Error is the last failure, or why
	// the timer was cancelled.
	Attempts int
	Error    string
	Title    string
}

// sk is the timer's sort key: the issue first, so that one Query finds an issue's timers.
func (t Timer) sk() string {
	return fmt.Sprintf("%s#%s#%s#%03d", issuePrefix(t.Repo, t.Number), t.Rule, t.Activation, t.Index)
}

func issuePrefix(repo string, number int) string {
	return strings.ToLower(repo) + "#" + strconv.Itoa(number) + "#"
}

func timersPK(team string) string { return "LABELTIMER#" + team }

// Due index (gsi1): a pending timer is in the partition of its due day (UTC), sorted by due
// time, so that a sweep reads exactly the timers that are due: a Query per day from the
// sweep cursor up to today, with the sort key bounded by now.
func duePK(day string) string { return "LABELDUE#" + day }

func dueDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// dueSK sorts by due time first; the rest only makes it unique.
func dueSK(t Timer) string { return t.Due.UTC().Format(time.RFC3339) + "#" + t.Team + "#" + t.sk() }

// FinishedRetention is how long a finished timer is kept (for /labels pending and so that a
// late redelivery of its trigger finds it and does not start it again).
const FinishedRetention = 90 * 24 * time.Hour

func (t Timer) item() store.Item {
	it := store.Key(timersPK(t.Team), t.sk())
	it["team"], it["rule"], it["repo"] = store.S(t.Team), store.S(t.Rule), store.S(t.Repo)
	it["number"], it["idx"], it["fired"], it["attempts"] = store.N(int64(t.Number)), store.N(int64(t.Index)), store.N(int64(t.Fired)), store.N(int64(t.Attempts))
	it["activation"], it["activated"], it["due"] = store.S(t.Activation), store.S(store.TS(t.Activated)), store.S(store.TS(t.Due))
	it["state"] = store.S(t.State)
	if t.Title != "" {
		it["title"] = store.S(t.Title)
	}
	if t.State == Pending {
		it["gsi1pk"], it["gsi1sk"] = store.S(duePK(dueDay(t.Due))), store.S(dueSK(t))
	}
	return it
}

func timerFrom(it store.Item) Timer {
	return Timer{
		Team: store.Str(it, "team"), Rule: store.Str(it, "rule"), Repo: store.Str(it, "repo"), Number: int(store.Int(it, "number")),
		Activation: store.Str(it, "activation"), Index: int(store.Int(it, "idx")), Activated: store.Time(it, "activated"),
		Due: store.Time(it, "due"), Fired: int(store.Int(it, "fired")), State: store.Str(it, "state"),
		Attempts: int(store.Int(it, "attempts")), Error: store.Str(it, "error"), Title: store.Str(it, "title"),
	}
}

// TimersAPI is the part of the DynamoDB client the timer store needs.
type TimersAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

var _ TimersAPI = (*dynamodb.Client)(nil)

// Timers keeps timers in the state table (pk LABELTIMER#<team>, sk <repo>#<number>#<rule>#
// <activation>#<index>), the due index (gsi1, see duePK) and the sweep cursor (pk LABELSWEEP,
// sk cursor: the earliest due day that may still hold a due timer).
type Timers struct {
	API   TimersAPI
	Table string
}

var cursorKey = store.Key("LABELSWEEP", "cursor")

// Create stores a new pending timer, unless the same timer (same activation) exists already,
// and first lowers the sweep cursor to its due day if it was later, so that no sweep can pass
// the timer by. It reports whether the timer is new.
func (ts Timers) Create(ctx context.Context, t Timer) (bool, error) {
	day := dueDay(t.Due)
	_, err := ts.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(ts.Table), Key: cursorKey,
		UpdateExpression:          aws.String("SET #f = :d"),
		ConditionExpression:       aws.String("attribute_not_exists(#f) OR #f > :d"),
		ExpressionAttributeNames:  map[string]string{"#f": "from"},
		ExpressionAttributeValues: store.Item{":d": store.S(day)},
	})
	if err != nil && !store.CondFailed(err) {
		return false, fmt.Errorf("lower the sweep cursor to %s: %w", day, err)
	}
	t.State = Pending
	_, err = ts.API.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(ts.Table), Item: t.item(), ConditionExpression: aws.String("attribute_not_exists(pk)")})
	if store.CondFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("create timer %s: %w", t.sk(), err)
	}
	return true, nil
}

// Get reads a timer consistently (the due index may lag behind it).
func (ts Timers) Get(ctx context.Context, team, sk string) (Timer, bool, error) {
	out, err := ts.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(ts.Table), Key: store.Key(timersPK(team), sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Timer{}, false, fmt.Errorf("read timer %s/%s: %w", team, sk, err)
	}
	if out.Item == nil {
		return Timer{}, false, nil
	}
	return timerFrom(out.Item), true, nil
}

// OfIssue returns the team's timers on an issue, pending or not (one Query).
func (ts Timers) OfIssue(ctx context.Context, team, repo string, number int) ([]Timer, error) {
	items, err := store.QueryAll(ctx, ts.API, &dynamodb.QueryInput{
		TableName:              aws.String(ts.Table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :p)"),
		ExpressionAttributeValues: store.Item{
			":pk": store.S(timersPK(team)), ":p": store.S(issuePrefix(repo, number)),
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("list timers of %s#%d: %w", repo, number, err)
	}
	out := make([]Timer, len(items))
	for i, it := range items {
		out[i] = timerFrom(it)
	}
	return out, nil
}

// PendingOfTeam returns up to limit of the team's pending timers (in issue order) and
// whether there are more.
func (ts Timers) PendingOfTeam(ctx context.Context, team string, limit int) ([]Timer, bool, error) {
	q := &dynamodb.QueryInput{
		TableName:                 aws.String(ts.Table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		FilterExpression:          aws.String("#s = :pending"),
		ExpressionAttributeNames:  map[string]string{"#s": "state"},
		ExpressionAttributeValues: store.Item{":pk": store.S(timersPK(team)), ":pending": store.S(Pending)},
	}
	var out []Timer
	for {
		res, err := ts.API.Query(ctx, q)
		if err != nil {
			return nil, false, fmt.Errorf("list pending timers of %s: %w", team, err)
		}
		for _, it := range res.Items {
			if len(out) == limit {
				return out, true, nil
			}
			out = append(out, timerFrom(it))
		}
		if len(res.LastEvaluatedKey) == 0 {
			return out, false, nil
		}
		q.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// DuePage returns up to limit timers due by now in day's partition of the due index, after
// start (nil for the first page), and the key to continue from (nil at the end). The index
// is eventually consistent: callers re-read each timer before acting on it.
func (ts Timers) DuePage(ctx context.Context, day string, now time.Time, limit int32, start store.Item) ([]Timer, store.Item, error) {
	// Every due sort key starts with an RFC 3339 second; the bound is the next second.
	bound := now.UTC().Truncate(time.Second).Add(time.Second).Format(time.RFC3339)
	out, err := ts.API.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(ts.Table),
		IndexName:                 aws.String("gsi1"),
		KeyConditionExpression:    aws.String("gsi1pk = :d AND gsi1sk < :b"),
		ExpressionAttributeValues: store.Item{":d": store.S(duePK(day)), ":b": store.S(bound)},
		Limit:                     aws.Int32(limit),
		ExclusiveStartKey:         start,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("query timers due on %s: %w", day, err)
	}
	timers := make([]Timer, len(out.Items))
	for i, it := range out.Items {
		timers[i] = timerFrom(it)
	}
	return timers, out.LastEvaluatedKey, nil
}

// Cursor returns the earliest due day a sweep must look at ("" when no timer was ever
// created).
func (ts Timers) Cursor(ctx context.Context) (string, error) {
	out, err := ts.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(ts.Table), Key: cursorKey, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("read the sweep cursor: %w", err)
	}
	return store.Str(out.Item, "from"), nil
}

// MoveCursor sets the cursor from old to day, unless someone changed it meanwhile (a timer
// created in an earlier day lowered it, and must not be passed by): then it is left alone.
func (ts Timers) MoveCursor(ctx context.Context, old, day string) error {
	if old == day {
		return nil
	}
	_, err := ts.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(ts.Table), Key: cursorKey,
		UpdateExpression:          aws.String("SET #f = :d"),
		ConditionExpression:       aws.String("#f = :old"),
		ExpressionAttributeNames:  map[string]string{"#f": "from"},
		ExpressionAttributeValues: store.Item{":d": store.S(day), ":old": store.S(old)},
	})
	if err != nil && !store.CondFailed(err) {
		return fmt.Errorf("move the sweep cursor to %s: %w", day, err)
	}
	return nil
}

// errMoved says a timer is no longer in the state the caller read (another sweep fired it,
// or an event cancelled it).
var errMoved = fmt.Errorf("timer changed meanwhile")

// Advance records that t fired and is next due at next, on condition that it is still pending
// at the firing the caller ran (t.Fired).
func (ts Timers) Advance(ctx context.Context, t Timer, next time.Time) error {
	t.Fired++
	t.Due, t.Attempts, t.Error = next, 0, ""
	return ts.update(ctx, t, "SET fired = :nf, due = :due, attempts = :zero, gsi1pk = :gpk, gsi1sk = :gsk REMOVE #e", store.Item{
		":nf": store.N(int64(t.Fired)), ":due": store.S(store.TS(next)), ":zero": store.N(0),
		":gpk": store.S(duePK(dueDay(next))), ":gsk": store.S(dueSK(t)),
	}, t.Fired-1)
}

// Finish ends t (Done, Cancelled or Dead) with a reason, taking it off the due index, on
// condition that it is still pending at the firing the caller read.
func (ts Timers) Finish(ctx context.Context, t Timer, state, reason string, now time.Time, fired int) error {
	vals := store.Item{":s": store.S(state), ":e": store.S(reason), ":exp": store.Expires(now, FinishedRetention), ":f": store.N(int64(fired))}
	return ts.update(ctx, t, "SET #s = :s, #e = :e, expires = :exp, fired = :f REMOVE gsi1pk, gsi1sk", vals, t.Fired)
}

// Failed records a failed attempt at t's current firing, to be tried again at retryAt.
func (ts Timers) Failed(ctx context.Context, t Timer, attempts int, reason string, retryAt time.Time) error {
	t.Due = retryAt
	return ts.update(ctx, t, "SET attempts = :a, #e = :e, due = :due, gsi1pk = :gpk, gsi1sk = :gsk", store.Item{
		":a": store.N(int64(attempts)), ":e": store.S(reason), ":due": store.S(store.TS(retryAt)),
		":gpk": store.S(duePK(dueDay(retryAt))), ":gsk": store.S(dueSK(t)),
	}, t.Fired)
}

func (ts Timers) update(ctx context.Context, t Timer, expr string, vals store.Item, fired int) error {
	vals[":pending"], vals[":fired"] = store.S(Pending), store.N(int64(fired))
	names := map[string]string{"#s": "state"}
	if strings.Contains(expr, "#e") {
		names["#e"] = "error"
	}
	_, err := ts.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(ts.Table), Key: store.Key(timersPK(t.Team), t.sk()),
		UpdateExpression:          aws.String(expr),
		ConditionExpression:       aws.String("#s = :pending AND fired = :fired"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: vals,
	})
	if store.CondFailed(err) {
		return errMoved
	}
	if err != nil {
		return fmt.Errorf("update timer %s/%s: %w", t.Team, t.sk(), err)
	}
	return nil
}
