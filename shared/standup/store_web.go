package standup

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/store"
)

// Reads for the web pages' reviewer views. Like ReviewOf, only reviewer paths call them.

// Waiting is an unreviewed standup in a client's queue, as the reviewer's page lists it.
type Waiting struct {
	Queued
	// Ticket is the overdue-review issue's number in the client's HR repo (0: none opened).
	Ticket int
}

// Unreviewed lists the client's submitted, unreviewed standups, oldest submission first,
// whatever stage of the queue they are in (not yet brought, waiting, overdue with an issue).
// It reads the one review-queue partition, keeping the client's items.
func (st Store) Unreviewed(ctx context.Context, client string) ([]Waiting, error) {
	in := &dynamodb.QueryInput{
		TableName: aws.String(st.Table), IndexName: aws.String("gsi1"),
		KeyConditionExpression:    aws.String("gsi1pk = :pk"),
		FilterExpression:          aws.String("begins_with(id, :client)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": store.S(reviewIndexPK), ":client": store.S(client + "/")},
	}
	var out []Waiting
	for {
		res, err := st.API.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("review queue of %s: %w", client, err)
		}
		for _, m := range res.Items {
			id, err := ParseID(store.Str(m, "id"))
			if err != nil {
				return nil, err
			}
			stage, _, _ := strings.Cut(store.Str(m, "gsi1sk"), "#")
			out = append(out, Waiting{
				Queued: Queued{ID: id, Submitted: store.Time(m, "submitted"), OverdueAt: store.Time(m, "overdue_at"), Stage: stage + "#"},
				Ticket: int(store.Int(m, "ticket")),
			})
		}
		if len(res.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Submitted.Before(out[j].Submitted) })
	return out, nil
}

// Reviews reads the reviewer-only part of many standups at once; standups never submitted
// are absent from the map.
func (st Store) Reviews(ctx context.Context, ids []ID) (map[ID]Review, error) {
	out := map[ID]Review{}
	if len(ids) == 0 {
		return out, nil
	}
	keys := make([]map[string]types.AttributeValue, 0, len(ids))
	byKey := map[string]ID{}
	for _, id := range ids {
		k := reviewKey(id)
		keys = append(keys, k)
		byKey[store.Str(k, "pk")+"|"+store.Str(k, "sk")] = id
	}
	items, err := st.batchGet(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("read %d reviews: %w", len(ids), err)
	}
	for _, m := range items {
		id, ok := byKey[store.Str(m, "pk")+"|"+store.Str(m, "sk")]
		if !ok {
			continue
		}
		var r Review
		if d := store.Str(m, "data"); d != "" {
			if err := json.Unmarshal([]byte(d), &r); err != nil {
				return nil, fmt.Errorf("review of %s: %w", id, err)
			}
		}
		out[id] = r
	}
	return out, nil
}
