package retro

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/store"
)

// Action item states, as mirrored from the tracker.
const (
	StateOpen   = "open"
	StateClosed = "closed"
)

func decodeAction(it store.Item) *Action {
	n, _ := strconv.Atoi(strings.TrimPrefix(store.Str(it, "sk"), skAction))
	return &Action{
		Retro:      ID{Team: store.Str(it, "team"), N: int(store.Int(it, "n"))},
		RetroTitle: store.Str(it, "retro_title"),
		Item:       n, Field: store.Str(it, "field"), Text: store.Str(it, "text"), Dots: int(store.Int(it, "dots")),
		Ticket: Ticket{Tracker: store.Str(it, "tracker"), Ref: store.Str(it, "ref"), URL: store.Str(it, "url")},
		Owner:  store.Str(it, "owner"), OwnerRev: int(store.Int(it, "owner_rev")),
		State: store.Str(it, "state"), StateAt: store.Time(it, "state_at"),
		Created: store.Time(it, "created"),
	}
}

// SaveAction records a closed retro's action item, unless it was recorded before (a retried
// close): the stored one, with its ticket, owner and state, is kept and returned.
func (s Store) SaveAction(ctx context.Context, a *Action) (*Action, error) {
	it := store.Key(retroPK(a.Retro), actionSK(a.Item))
	it["team"], it["n"] = store.S(a.Retro.Team), store.N(int64(a.Retro.N))
	it["retro_title"], it["field"], it["text"] = store.S(a.RetroTitle), store.S(a.Field), store.S(a.Text)
	it["dots"], it["owner_rev"] = store.N(int64(a.Dots)), store.N(0)
	it["state"], it["created"] = store.S(StateOpen), store.S(store.TS(a.Created))
	it["gsi1pk"] = store.S(actionsPK(a.Retro.Team))
	it["gsi1sk"] = store.S(fmt.Sprintf("%s#%06d#%04d", store.TS(a.Created), a.Retro.N, a.Item))
	_, err := s.API.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.Table), Item: it, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if err != nil && !store.CondFailed(err) {
		return nil, fmt.Errorf("record action item %d of retro %s: %w", a.Item, a.Retro, err)
	}
	return s.Action(ctx, a.Retro, a.Item)
}

// Action reads one action item; the error wraps store.ErrNotFound when there is none.
func (s Store) Action(ctx context.Context, id ID, item int) (*Action, error) {
	it, err := s.get(ctx, store.Key(retroPK(id), actionSK(item)))
	if err != nil {
		return nil, fmt.Errorf("read action item %d of retro %s: %w", item, id, err)
	}
	if it == nil {
		return nil, fmt.Errorf("action item %d of retro %s: %w", item, id, store.ErrNotFound)
	}
	return decodeAction(it), nil
}

// SetTicket records the ticket an action item was opened as (the first one recorded wins,
// which is also the only one: tickets are opened once, in Effects), and the lookup from the
// tracker's events back to the action item.
func (s Store) SetTicket(ctx context.Context, a *Action, t Ticket) error {
	_, err := s.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table), Key: store.Key(retroPK(a.Retro), actionSK(a.Item)),
		UpdateExpression:         aws.String("SET tracker = :tr, #ref = :ref, #url = :url"),
		ConditionExpression:      aws.String("attribute_exists(pk) AND attribute_not_exists(#ref)"),
		ExpressionAttributeNames: map[string]string{"#ref": "ref", "#url": "url"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":tr": store.S(t.Tracker), ":ref": store.S(t.Ref), ":url": store.S(t.URL),
		},
	})
	if err != nil && !store.CondFailed(err) {
		return fmt.Errorf("record the ticket of action item %d of retro %s: %w", a.Item, a.Retro, err)
	}
	look := store.Key(ticketPK(t), skTicket)
	look["team"], look["n"], look["item"] = store.S(a.Retro.Team), store.N(int64(a.Retro.N)), store.N(int64(a.Item))
	if _, err := s.API.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: look}); err != nil {
		return fmt.Errorf("record the lookup of %s: %w", t.Ref, err)
	}
	return nil
}

// SetOwner records who owns an action item and returns it; OwnerRev counts the choices, so
// each choice has its own effects. Choosing the current owner again changes nothing.
func (s Store) SetOwner(ctx context.Context, id ID, item int, owner string) (*Action, bool, error) {
	out, err := s.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table), Key: store.Key(retroPK(id), actionSK(item)),
		UpdateExpression:         aws.String("SET #owner = :o, owner_rev = owner_rev + :one"),
		ConditionExpression:      aws.String("attribute_exists(pk) AND (attribute_not_exists(#owner) OR #owner <> :o)"),
		ExpressionAttributeNames: map[string]string{"#owner": "owner"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":o": store.S(owner), ":one": store.N(1),
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if store.CondFailed(err) {
		a, err := s.Action(ctx, id, item)
		return a, false, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("record the owner of action item %d of retro %s: %w", item, id, err)
	}
	return decodeAction(out.Attributes), true, nil
}

// ActionByTicket finds the action item a ticket was opened for; the error wraps
// store.ErrNotFound when the ticket is not an action item's.
func (s Store) ActionByTicket(ctx context.Context, t Ticket) (*Action, error) {
	look, err := s.get(ctx, store.Key(ticketPK(t), skTicket))
	if err != nil {
		return nil, fmt.Errorf("look up %s: %w", t.Ref, err)
	}
	if look == nil {
		return nil, fmt.Errorf("ticket %s: %w", t.Ref, store.ErrNotFound)
	}
	return s.Action(ctx, ID{Team: store.Str(look, "team"), N: int(store.Int(look, "n"))}, int(store.Int(look, "item")))
}

// MirrorState records the ticket's state as of at (the tracker's update time). Deliveries
// arrive out of order: an older state never overwrites a newer one. A closed action item is
// kept for Retention after it closed, and leaves the team's open list at once.
func (s Store) MirrorState(ctx context.Context, a *Action, state string, at time.Time) (bool, error) {
	update := "SET #state = :s, state_at = :at REMOVE expires"
	vals := map[string]types.AttributeValue{":s": store.S(state), ":at": store.S(store.TS(at))}
	if state == StateClosed {
		update = "SET #state = :s, state_at = :at, expires = :exp"
		vals[":exp"] = store.Expires(at, Retention)
	}
	_, err := s.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table), Key: store.Key(retroPK(a.Retro), actionSK(a.Item)),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String("attribute_exists(pk) AND (attribute_not_exists(state_at) OR state_at < :at)"),
		ExpressionAttributeNames:  map[string]string{"#state": "state"},
		ExpressionAttributeValues: vals,
	})
	if store.CondFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mirror the state of %s: %w", a.Ticket.Ref, err)
	}
	return true, nil
}

// Actions lists the team's action items, newest first: the open ones, or all when all is set
// (closed ones are kept for Retention).
func (s Store) Actions(ctx context.Context, team string, all bool, limit int) ([]*Action, error) {
	q := &dynamodb.QueryInput{
		TableName:                 aws.String(s.Table),
		IndexName:                 aws.String("gsi1"),
		KeyConditionExpression:    aws.String("gsi1pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": store.S(actionsPK(team))},
		ScanIndexForward:          aws.Bool(false),
	}
	if !all {
		q.FilterExpression = aws.String("#state = :open")
		q.ExpressionAttributeNames = map[string]string{"#state": "state"}
		q.ExpressionAttributeValues[":open"] = store.S(StateOpen)
	}
	var out []*Action
	for {
		page, err := s.API.Query(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("action items of %s: %w", team, err)
		}
		for _, it := range page.Items {
			out = append(out, decodeAction(it))
			if len(out) == limit {
				return out, nil
			}
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		q.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

// MarkDone closes an action item that has no ticket (a team without a tracker marks it done in
// Slack) and returns it; OwnerRev counts it as a change. An item with a ticket follows its
// ticket's state instead, and is left alone.
func (s Store) MarkDone(ctx context.Context, id ID, item int, at time.Time) (*Action, bool, error) {
	out, err := s.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table), Key: store.Key(retroPK(id), actionSK(item)),
		UpdateExpression:         aws.String("SET #state = :closed, state_at = :at, expires = :exp, owner_rev = owner_rev + :one"),
		ConditionExpression:      aws.String("attribute_exists(pk) AND attribute_not_exists(#ref) AND #state = :open"),
		ExpressionAttributeNames: map[string]string{"#state": "state", "#ref": "ref"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":closed": store.S(StateClosed), ":open": store.S(StateOpen), ":at": store.S(store.TS(at)),
			":exp": store.Expires(at, Retention), ":one": store.N(1),
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if store.CondFailed(err) {
		a, err := s.Action(ctx, id, item)
		return a, false, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("mark action item %d of retro %s done: %w", item, id, err)
	}
	return decodeAction(out.Attributes), true, nil
}
