package standup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/store"
)

// StoreAPI is the part of the DynamoDB client the standup store needs.
type StoreAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var _ StoreAPI = (*dynamodb.Client)(nil)

// Store keeps standups in the state table (see the package doc for the key layout).
type Store struct {
	API   StoreAPI
	Table string
}

// Errors callers branch on.
var (
	// ErrReviewed: the standup was reviewed and can no longer be edited.
	ErrReviewed = errors.New("standup already reviewed")
	// ErrConflict: the entry changed since it was read (a concurrent submission).
	ErrConflict = errors.New("standup changed concurrently")
	// ErrNotSubmitted: there is nothing to review yet.
	ErrNotSubmitted = errors.New("standup not submitted")
)

// Retention of standup items (slots, entries, reviews): about 13 months, so that a year of
// history stays visible.
const Retention = 400 * 24 * time.Hour

const (
	skEntry  = "#entry"
	skReview = "#review"
	skLast   = "last"
	awaySK   = "ranges"
	tickPK   = "SUPTICK"
	tickSK   = "cursor"

	stageBring  = "bring#"
	stageWait   = "wait#"
	stageTicket = "ticket#"
)

func standupPK(client, person string) string { return "SUP#" + client + "#" + person }

// reviewIndexPK is the one review-queue partition: a tick reads the whole queue with two
// queries however many clients there are (a few thousand writes a day are far below a
// partition's limits).
const reviewIndexPK = "SUPREV"

func awayPK(person string) string { return "SUPAWAY#" + person }

// expires is the TTL of a standup item written at t.
func expires(t time.Time) types.AttributeValue { return store.Expires(t, Retention) }
func digestPK(team string) string              { return "SUPDIGEST#" + team }

func slotKey(id ID) map[string]types.AttributeValue {
	return store.Key(standupPK(id.Client, id.Person), id.Date.String())
}
func entryKey(id ID) map[string]types.AttributeValue {
	return store.Key(standupPK(id.Client, id.Person), id.Date.String()+skEntry)
}
func reviewKey(id ID) map[string]types.AttributeValue {
	return store.Key(standupPK(id.Client, id.Person), id.Date.String()+skReview)
}
func lastKey(client, person string) map[string]types.AttributeValue {
	return store.Key(standupPK(client, person), skLast)
}

// slotItem is the slot's item: a pure function of the slot, so writing it twice is harmless.
func slotItem(sl Slot) map[string]types.AttributeValue {
	item := slotKey(sl.ID)
	item["kind"] = store.S("slot")
	item["client"] = store.S(sl.ID.Client)
	item["person"] = store.S(sl.ID.Person)
	item["date"] = store.S(sl.ID.Date.String())
	item["team"] = store.S(sl.Team)
	item["due"] = store.S(store.TS(sl.Due))
	item["nag"] = store.S(store.TS(sl.Nag))
	item["expires"] = expires(sl.Due)
	return item
}

func slotFrom(m map[string]types.AttributeValue) (Slot, error) {
	d, err := config.ParseDate(store.Str(m, "date"))
	if err != nil {
		return Slot{}, fmt.Errorf("slot %s %s: %w", store.Str(m, "pk"), store.Str(m, "sk"), err)
	}
	return Slot{
		ID:   ID{Client: store.Str(m, "client"), Person: store.Str(m, "person"), Date: d},
		Team: store.Str(m, "team"),
		Due:  store.Time(m, "due"),
		Nag:  store.Time(m, "nag"),
	}, nil
}

func entryFrom(m map[string]types.AttributeValue) (*Entry, error) {
	var e Entry
	if err := json.Unmarshal([]byte(store.Str(m, "data")), &e); err != nil {
		return nil, fmt.Errorf("entry %s %s: %w", store.Str(m, "pk"), store.Str(m, "sk"), err)
	}
	e.Revision = int(store.Int(m, "rev"))
	if r := store.Time(m, "reviewed"); !r.IsZero() {
		e.Reviewed = r
	}
	return &e, nil
}

// EnsureSlot creates the slot unless it exists (the on-demand path of /standup and the
// modal; the scheduler batches instead). Writing it again is harmless: it is deterministic.
func (st Store) EnsureSlot(ctx context.Context, sl Slot) error {
	_, err := st.API.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(st.Table), Item: slotItem(sl),
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if err != nil && !store.CondFailed(err) {
		return fmt.Errorf("create standup %s: %w", sl.ID, err)
	}
	return nil
}

// Standup reads a standup (slot and entry; never the review). ErrNotFound when the slot does
// not exist.
func (st Store) Standup(ctx context.Context, id ID) (Standup, error) {
	items, err := store.BatchGet(ctx, st.API, st.Table, []map[string]types.AttributeValue{slotKey(id), entryKey(id)})
	if err != nil {
		return Standup{}, fmt.Errorf("read standup %s: %w", id, err)
	}
	return assemble(id, items)
}

func assemble(id ID, items []map[string]types.AttributeValue) (Standup, error) {
	var out Standup
	found := false
	for _, m := range items {
		switch store.Str(m, "sk") {
		case id.Date.String():
			sl, err := slotFrom(m)
			if err != nil {
				return Standup{}, err
			}
			out.Slot, found = sl, true
		case id.Date.String() + skEntry:
			e, err := entryFrom(m)
			if err != nil {
				return Standup{}, err
			}
			out.Entry = e
		}
	}
	if !found {
		return Standup{}, fmt.Errorf("standup %s: %w", id, store.ErrNotFound)
	}
	return out, nil
}

// Standups reads many standups (slots and entries) at once; missing slots are absent from
// the map.
func (st Store) Standups(ctx context.Context, ids []ID) (map[ID]Standup, error) {
	if len(ids) == 0 {
		return map[ID]Standup{}, nil
	}
	var keys []map[string]types.AttributeValue
	for _, id := range ids {
		keys = append(keys, slotKey(id), entryKey(id))
	}
	items, err := st.batchGet(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("read %d standups: %w", len(ids), err)
	}
	byPK := map[string][]map[string]types.AttributeValue{}
	for _, m := range items {
		byPK[store.Str(m, "pk")] = append(byPK[store.Str(m, "pk")], m)
	}
	out := make(map[ID]Standup, len(ids))
	for _, id := range ids {
		sd, err := assemble(id, byPK[standupPK(id.Client, id.Person)])
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = sd
	}
	return out, nil
}

// Page returns up to limit of the person's standups for client next to anchor, newest first,
// and whether there are more beyond them: older ones before anchor (exclusive; zero anchor:
// the latest), or newer ones after anchor when newer is set. It never reads review items
// into what it returns: history never shows reviewer fields.
func (st Store) Page(ctx context.Context, client, person string, anchor config.Date, newer bool, limit int) ([]Standup, bool, error) {
	lo, hi := "0000", "9999-99-99"
	switch {
	case newer:
		lo = anchor.String() + "~" // after every item of the anchor day
	case !anchor.IsZero():
		hi = anchor.String()
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(st.Table),
		KeyConditionExpression:    aws.String("pk = :pk AND sk BETWEEN :lo AND :hi"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": store.S(standupPK(client, person)), ":lo": store.S(lo), ":hi": store.S(hi)},
		ScanIndexForward:          aws.Bool(newer),
		ConsistentRead:            aws.Bool(true),
		// Three items per day (slot, entry, review): read about what the page needs.
		Limit: aws.Int32(int32(3*limit + 3)),
	}
	byDate := map[string]*Standup{}
	var order []string
	more := false
query:
	for {
		res, err := st.API.Query(ctx, in)
		if err != nil {
			return nil, false, fmt.Errorf("history of %s for %s: %w", person, client, err)
		}
		for _, m := range res.Items {
			sk := store.Str(m, "sk")
			if sk == hi || sk == skLast {
				continue
			}
			date, kind, _ := strings.Cut(sk, "#")
			if kind == "review" {
				continue
			}
			sd, ok := byDate[date]
			if !ok {
				if len(order) == limit {
					more = true
					break query
				}
				sd = &Standup{}
				byDate[date] = sd
				order = append(order, date)
			}
			switch kind {
			case "entry":
				e, err := entryFrom(m)
				if err != nil {
					return nil, false, err
				}
				sd.Entry = e
			case "":
				sl, err := slotFrom(m)
				if err != nil {
					return nil, false, err
				}
				sd.Slot = sl
			}
		}
		if len(res.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
	sort.Sort(sort.Reverse(sort.StringSlice(order)))
	out := make([]Standup, 0, len(order))
	for _, d := range order {
		sd := byDate[d]
		if sd.Slot.ID.IsZero() {
			sd.Slot.ID = ID{Client: client, Person: person}
			sd.Slot.ID.Date, _ = config.ParseDate(d)
		}
		out = append(out, *sd)
	}
	return out, more, nil
}

// Last returns the pointer to the person's last submitted standup for client (nil before
// the first).
func (st Store) Last(ctx context.Context, client, person string) (*Last, error) {
	out, err := st.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(st.Table), Key: lastKey(client, person), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("last standup of %s for %s: %w", person, client, err)
	}
	if out.Item == nil {
		return nil, nil
	}
	var l Last
	if err := json.Unmarshal([]byte(store.Str(out.Item, "data")), &l); err != nil {
		return nil, fmt.Errorf("last standup of %s for %s: %w", person, client, err)
	}
	return &l, nil
}

// Lasts reads the pointers of many (client, person) pairs at once, keyed "client/person".
func (st Store) Lasts(ctx context.Context, pairs [][2]string) (map[string]*Last, error) {
	var keys []map[string]types.AttributeValue
	for _, p := range pairs {
		keys = append(keys, lastKey(p[0], p[1]))
	}
	items, err := st.batchGet(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("read last standups: %w", err)
	}
	out := map[string]*Last{}
	for _, m := range items {
		var l Last
		if err := json.Unmarshal([]byte(store.Str(m, "data")), &l); err != nil {
			return nil, fmt.Errorf("last standup %s: %w", store.Str(m, "pk"), err)
		}
		out[strings.TrimPrefix(strings.Replace(store.Str(m, "pk"), "#", "/", 2), "SUP/")] = &l
	}
	return out, nil
}

// Submission is one submission of the modal, as the store records it.
type Submission struct {
	ID    ID
	Entry Entry
	// ReadRevision is the entry revision the submission started from (0: first submission).
	ReadRevision int
	// OverdueAt is when the review becomes overdue (first submission only).
	OverdueAt time.Time
	Now       time.Time
}

// Submit records a submission: the entry (conditional on the revision read and on not being
// reviewed), on the first submission the review item entering the reviewer's queue, and the
// person's last-standup pointer when this is their latest. It returns the new revision.
func (st Store) Submit(ctx context.Context, sub Submission) (int, error) {
	data, err := json.Marshal(sub.Entry)
	if err != nil {
		return 0, fmt.Errorf("encode entry %s: %w", sub.ID, err)
	}
	rev := sub.ReadRevision + 1
	entry := &types.Update{
		TableName: aws.String(st.Table), Key: entryKey(sub.ID),
		UpdateExpression:         aws.String("SET #d = :d, rev = :rev, submitted = :sub, edited = :now, kind = :kind, expires = :exp"),
		ExpressionAttributeNames: map[string]string{"#d": "data"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":d": store.S(string(data)), ":rev": store.N(int64(rev)), ":sub": store.S(store.TS(sub.Entry.Submitted)), ":now": store.S(store.TS(sub.Now)),
			":kind": store.S("entry"), ":exp": expires(sub.Now),
		},
	}
	if sub.ReadRevision == 0 {
		entry.ConditionExpression = aws.String("attribute_not_exists(pk)")
	} else {
		entry.ConditionExpression = aws.String("rev = :read AND attribute_not_exists(reviewed)")
		entry.ExpressionAttributeValues[":read"] = store.N(int64(sub.ReadRevision))
	}
	tx := []types.TransactWriteItem{{Update: entry}}
	if sub.ReadRevision == 0 {
		rk := reviewKey(sub.ID)
		item := map[string]types.AttributeValue{
			"pk": rk["pk"], "sk": rk["sk"], "kind": store.S("review"),
			"gsi1pk":     store.S(reviewIndexPK),
			"gsi1sk":     store.S(stageBring + store.TS(sub.Now) + "#" + sub.ID.String()),
			"id":         store.S(sub.ID.String()),
			"submitted":  store.S(store.TS(sub.Now)),
			"overdue_at": store.S(store.TS(sub.OverdueAt)),
			"expires":    expires(sub.Now),
		}
		tx = append(tx, types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(st.Table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}})
	}
	_, err = st.API.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
	if store.CondFailed(err) {
		cur, gerr := st.Standup(ctx, sub.ID)
		if gerr == nil && cur.Entry != nil && !cur.Entry.Reviewed.IsZero() {
			return 0, fmt.Errorf("submit %s: %w", sub.ID, ErrReviewed)
		}
		return 0, fmt.Errorf("submit %s: %w", sub.ID, ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("submit %s: %w", sub.ID, err)
	}
	last := Last{
		ID: sub.ID.String(), Date: sub.ID.Date.String(), FootprintTo: sub.Entry.Footprint.To,
		Comment: sub.Entry.Comment, Plan: sub.Entry.Plan, Availability: sub.Entry.Availability, Blockers: sub.Entry.Blockers,
	}
	if err := st.putLast(ctx, sub.ID, last); err != nil {
		return rev, err
	}
	return rev, nil
}

// putLast moves the pointer to id unless it already points at a later day.
func (st Store) putLast(ctx context.Context, id ID, l Last) error {
	data, err := json.Marshal(l)
	if err != nil {
		return err
	}
	item := lastKey(id.Client, id.Person)
	item["data"] = store.S(string(data))
	item["date"] = store.S(id.Date.String())
	item["kind"] = store.S("last")
	_, err = st.API.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(st.Table), Item: item,
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR #date <= :date"),
		ExpressionAttributeNames:  map[string]string{"#date": "date"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":date": store.S(id.Date.String())},
	})
	if err != nil && !store.CondFailed(err) {
		return fmt.Errorf("record last standup %s: %w", id, err)
	}
	return nil
}

// ReviewOf reads the reviewer-only part of a standup. Only reviewer paths call it.
func (st Store) ReviewOf(ctx context.Context, id ID) (Review, bool, error) {
	out, err := st.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(st.Table), Key: reviewKey(id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Review{}, false, fmt.Errorf("read review of %s: %w", id, err)
	}
	if out.Item == nil {
		return Review{}, false, nil
	}
	var r Review
	if d := store.Str(out.Item, "data"); d != "" {
		if err := json.Unmarshal([]byte(d), &r); err != nil {
			return Review{}, false, fmt.Errorf("review of %s: %w", id, err)
		}
	}
	return r, true, nil
}

// MarkReviewed stores the reviewer's fields, marks the entry reviewed and takes the standup
// out of the reviewer's queue, all at once. It fails with ErrNotSubmitted before submission
// and ErrReviewed when it was reviewed before (the reviewer's notes are then left as they are).
func (st Store) MarkReviewed(ctx context.Context, id ID, r Review) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = st.API.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{
			TableName: aws.String(st.Table), Key: entryKey(id),
			UpdateExpression:          aws.String("SET reviewed = :at"),
			ConditionExpression:       aws.String("attribute_exists(pk) AND attribute_not_exists(reviewed)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":at": store.S(store.TS(r.ReviewedAt))},
		}},
		{Update: &types.Update{
			TableName: aws.String(st.Table), Key: reviewKey(id),
			UpdateExpression:          aws.String("SET #d = :d, reviewed = :at REMOVE gsi1pk, gsi1sk"),
			ConditionExpression:       aws.String("attribute_exists(pk)"),
			ExpressionAttributeNames:  map[string]string{"#d": "data"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":d": store.S(string(data)), ":at": store.S(store.TS(r.ReviewedAt))},
		}},
	}})
	if store.CondFailed(err) {
		sd, gerr := st.Standup(ctx, id)
		if gerr == nil && sd.Entry != nil && !sd.Entry.Reviewed.IsZero() {
			return fmt.Errorf("review %s: %w", id, ErrReviewed)
		}
		return fmt.Errorf("review %s: %w", id, ErrNotSubmitted)
	}
	if err != nil {
		return fmt.Errorf("review %s: %w", id, err)
	}
	return nil
}

// Queued is a standup in a reviewer's queue.
type Queued struct {
	ID        ID
	Submitted time.Time
	OverdueAt time.Time
	Stage     string
}

// queue reads one stage of the review queue; upTo, when not empty, bounds the part after the
// stage prefix (overdue_at for the wait stage).
func (st Store) queue(ctx context.Context, stage, upTo string) ([]Queued, error) {
	in := &dynamodb.QueryInput{
		TableName: aws.String(st.Table), IndexName: aws.String("gsi1"),
		KeyConditionExpression:    aws.String("gsi1pk = :pk AND begins_with(gsi1sk, :stage)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": store.S(reviewIndexPK), ":stage": store.S(stage)},
	}
	if upTo != "" {
		in.KeyConditionExpression = aws.String("gsi1pk = :pk AND gsi1sk BETWEEN :stage AND :hi")
		in.ExpressionAttributeValues[":hi"] = store.S(stage + upTo + "~")
	}
	var out []Queued
	for {
		res, err := st.API.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("review queue %s: %w", strings.TrimSuffix(stage, "#"), err)
		}
		for _, m := range res.Items {
			id, err := ParseID(store.Str(m, "id"))
			if err != nil {
				return nil, err
			}
			out = append(out, Queued{ID: id, Submitted: store.Time(m, "submitted"), OverdueAt: store.Time(m, "overdue_at"), Stage: stage})
		}
		if len(res.LastEvaluatedKey) == 0 {
			return out, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// ToBring lists the submitted standups not yet brought to their reviewers, oldest first.
func (st Store) ToBring(ctx context.Context) ([]Queued, error) {
	return st.queue(ctx, stageBring, "")
}

// Overdue lists the brought, unreviewed standups whose review is overdue at now and for which
// no issue was opened yet.
func (st Store) Overdue(ctx context.Context, now time.Time) ([]Queued, error) {
	return st.queue(ctx, stageWait, store.TS(now))
}

// MarkBrought moves a standup from the bring stage to the wait stage (ordered by when its
// review becomes overdue). It does nothing when it was moved (or reviewed) meanwhile.
func (st Store) MarkBrought(ctx context.Context, q Queued, now time.Time) error {
	_, err := st.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(st.Table), Key: reviewKey(q.ID),
		UpdateExpression:          aws.String("SET gsi1sk = :sk, brought = :now"),
		ConditionExpression:       aws.String("begins_with(gsi1sk, :bring)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":sk": store.S(stageWait + store.TS(q.OverdueAt) + "#" + q.ID.String()), ":now": store.S(store.TS(now)), ":bring": store.S(stageBring)},
	})
	if err != nil && !store.CondFailed(err) {
		return fmt.Errorf("mark %s brought: %w", q.ID, err)
	}
	return nil
}

// MarkTicketed records the overdue-review issue and takes the standup out of the overdue
// stage. It reports false when the standup was reviewed meanwhile (the issue must then be
// closed by the caller).
func (st Store) MarkTicketed(ctx context.Context, id ID, issue int) (bool, error) {
	_, err := st.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(st.Table), Key: reviewKey(id),
		UpdateExpression:          aws.String("SET gsi1sk = :sk, ticket = :t"),
		ConditionExpression:       aws.String("begins_with(gsi1sk, :wait)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":sk": store.S(stageTicket + id.String()), ":t": store.N(int64(issue)), ":wait": store.S(stageWait)},
	})
	if store.CondFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("record ticket of %s: %w", id, err)
	}
	return true, nil
}

// AwayRanges returns the ranges set with /standup away for each person (absent: none).
func (st Store) AwayRanges(ctx context.Context, people []string) (map[string][]config.DateRange, error) {
	var keys []map[string]types.AttributeValue
	for _, p := range people {
		keys = append(keys, store.Key(awayPK(p), awaySK))
	}
	items, err := st.batchGet(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("read away ranges: %w", err)
	}
	out := map[string][]config.DateRange{}
	for _, m := range items {
		rs, err := rangesFrom(m)
		if err != nil {
			return nil, err
		}
		out[strings.TrimPrefix(store.Str(m, "pk"), "SUPAWAY#")] = rs
	}
	return out, nil
}

type storedRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

func rangesFrom(m map[string]types.AttributeValue) ([]config.DateRange, error) {
	var raw []storedRange
	if err := json.Unmarshal([]byte(store.Str(m, "data")), &raw); err != nil {
		return nil, fmt.Errorf("away ranges %s: %w", store.Str(m, "pk"), err)
	}
	var out []config.DateRange
	for _, r := range raw {
		f, err1 := config.ParseDate(r.From)
		t, err2 := config.ParseDate(r.To)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, config.DateRange{From: f, To: t})
	}
	return out, nil
}

// AddAway adds a range to the person's stored away ranges, dropping ranges that ended before
// today. Read-modify-write with a version check, retried on a concurrent change.
func (st Store) AddAway(ctx context.Context, person string, r config.DateRange, today config.Date) ([]config.DateRange, error) {
	for attempt := 0; attempt < 5; attempt++ {
		out, err := st.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(st.Table), Key: store.Key(awayPK(person), awaySK), ConsistentRead: aws.Bool(true)})
		if err != nil {
			return nil, fmt.Errorf("read away ranges of %s: %w", person, err)
		}
		var cur []config.DateRange
		ver := int64(0)
		if out.Item != nil {
			if cur, err = rangesFrom(out.Item); err != nil {
				return nil, err
			}
			ver = store.Int(out.Item, "ver")
		}
		var keep []config.DateRange
		var raw []storedRange
		for _, c := range append(cur, r) {
			if c.To.Compare(today) < 0 {
				continue
			}
			keep = append(keep, c)
			raw = append(raw, storedRange{From: c.From.String(), To: c.To.String()})
		}
		data, _ := json.Marshal(raw)
		item := store.Key(awayPK(person), awaySK)
		item["data"] = store.S(string(data))
		item["ver"] = store.N(ver + 1)
		item["kind"] = store.S("away")
		cond := "attribute_not_exists(pk)"
		vals := map[string]types.AttributeValue{}
		if out.Item != nil {
			cond = "ver = :ver"
			vals[":ver"] = store.N(ver)
		}
		in := &dynamodb.PutItemInput{TableName: aws.String(st.Table), Item: item, ConditionExpression: aws.String(cond)}
		if len(vals) > 0 {
			in.ExpressionAttributeValues = vals
		}
		_, err = st.API.PutItem(ctx, in)
		if store.CondFailed(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store away range of %s: %w", person, err)
		}
		return keep, nil
	}
	return nil, fmt.Errorf("store away range of %s: %w", person, ErrConflict)
}

// Cursor returns the end of the last tick the scheduler finished (zero before the first).
func (st Store) Cursor(ctx context.Context) (time.Time, error) {
	out, err := st.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(st.Table), Key: store.Key(tickPK, tickSK), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return time.Time{}, fmt.Errorf("read scheduler cursor: %w", err)
	}
	return store.Time(out.Item, "at"), nil
}

// Advance moves the cursor to at unless it is already there or later.
func (st Store) Advance(ctx context.Context, at time.Time) error {
	item := store.Key(tickPK, tickSK)
	item["at"] = store.S(store.TS(at))
	item["unix"] = store.N(at.UnixNano())
	_, err := st.API.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(st.Table), Item: item,
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR unix < :u"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":u": store.N(at.UnixNano())},
	})
	if err != nil && !store.CondFailed(err) {
		return fmt.Errorf("advance scheduler cursor: %w", err)
	}
	return nil
}

// batchParallel bounds the BatchGetItem/BatchWriteItem requests in flight.
const batchParallel = 8

// batchGet reads keys in batches of 100, up to batchParallel batches at a time.
func (st Store) batchGet(ctx context.Context, keys []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	if len(keys) <= 100 {
		return store.BatchGet(ctx, st.API, st.Table, keys)
	}
	var mu sync.Mutex
	var out []map[string]types.AttributeValue
	err := chunks(ctx, len(keys), 100, func(ctx context.Context, lo, hi int) error {
		items, err := store.BatchGet(ctx, st.API, st.Table, keys[lo:hi])
		mu.Lock()
		out = append(out, items...)
		mu.Unlock()
		return err
	})
	return out, err
}

// batchWrite writes reqs in batches of 25, up to batchParallel batches at a time.
func (st Store) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	return chunks(ctx, len(reqs), 25, func(ctx context.Context, lo, hi int) error {
		return store.BatchWrite(ctx, st.API, st.Table, reqs[lo:hi])
	})
}

// chunks calls fn for [lo, hi) chunks of size of n items, batchParallel at a time, and joins
// the errors.
func chunks(ctx context.Context, n, size int, fn func(ctx context.Context, lo, hi int) error) error {
	sem := make(chan struct{}, batchParallel)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for lo := 0; lo < n; lo += size {
		hi := min(lo+size, n)
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := fn(ctx, lo, hi); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
