package standup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/killpoint"
	"github.com/rituals-dev/rituals/shared/store"
)

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

// Submit records a submission in one transaction: the entry (conditional on the revision read
// and on not being reviewed), on the first submission the review item entering the reviewer's
// queue, and the standup.submitted event for this revision. Then it moves the person's
// last-standup pointer when this is their latest (see RecordLast). It returns the new revision.
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
	ev, err := st.eventPut(EventSubmitted, sub.ID.String()+"#"+itoa(rev), EventPayload{ID: sub.ID.String(), Revision: rev}, sub.Now)
	if err != nil {
		return 0, fmt.Errorf("submit %s: %w", sub.ID, err)
	}
	tx = append(tx, types.TransactWriteItem{Put: ev})
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
	killpoint.Reach(killpoint.Committed)
	// The pointer cannot be part of the transaction (its condition may rightly fail when a
	// later day is already submitted). A failure here is repaired by the processor, which
	// records it again from the standup.submitted event; the submission itself has committed.
	_ = st.RecordLast(ctx, sub.ID, sub.Entry)
	return rev, nil
}

// RecordLast moves the person's last-submitted pointer to id (with the entry's plan, blockers
// and footprint end) unless it already points at a later day. It is idempotent.
func (st Store) RecordLast(ctx context.Context, id ID, e Entry) error {
	return st.putLast(ctx, id, Last{
		ID: id.String(), Date: id.Date.String(), FootprintTo: e.Footprint.To,
		Comment: e.Comment, Plan: e.Plan, Availability: e.Availability, Blockers: e.Blockers,
	})
}

// eventPut is the internal event typ for key as one item of a transaction.
func (st Store) eventPut(typ, key string, p EventPayload, now time.Time) (*types.Put, error) {
	if st.Events == "" {
		return nil, errNoEventsTable
	}
	data, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return store.EventPut(st.Events, store.Event{Key: "rituals#" + typ + "#" + key, Source: "rituals", Type: typ, ReceivedAt: now, Payload: data})
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
