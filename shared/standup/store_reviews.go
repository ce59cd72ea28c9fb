package standup

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/store"
)

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

// MarkReviewed stores the reviewer's fields, marks the entry reviewed, takes the standup out of
// the reviewer's queue and writes the standup.reviewed event, all in one transaction. It fails with ErrNotSubmitted before submission
// and ErrReviewed when it was reviewed before (the reviewer's notes are then left as they are).
func (st Store) MarkReviewed(ctx context.Context, id ID, r Review) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	ev, err := st.eventPut(EventReviewed, id.String(), EventPayload{ID: id.String()}, r.ReviewedAt)
	if err != nil {
		return fmt.Errorf("review %s: %w", id, err)
	}
	_, err = st.API.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: ev},
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

// Ticket returns the overdue-review issue recorded for id by MarkTicketed (0 when none) and
// whether it was recorded closed. The review item, kept as long as the standup, is what makes
// closing it once-ever: an effect record expires long before a review may come.
func (st Store) Ticket(ctx context.Context, id ID) (number int, closed bool, err error) {
	out, err := st.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(st.Table), Key: reviewKey(id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return 0, false, fmt.Errorf("read review ticket of %s: %w", id, err)
	}
	return int(store.Int(out.Item, "ticket")), store.Bool(out.Item, "ticket_closed"), nil
}

// MarkTicketClosed records that the overdue-review issue of id was closed.
func (st Store) MarkTicketClosed(ctx context.Context, id ID) error {
	_, err := st.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(st.Table), Key: reviewKey(id),
		UpdateExpression:          aws.String("SET ticket_closed = :t"),
		ConditionExpression:       aws.String("attribute_exists(pk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberBOOL{Value: true}},
	})
	if err != nil && !store.CondFailed(err) {
		return fmt.Errorf("record review ticket of %s closed: %w", id, err)
	}
	return nil
}
