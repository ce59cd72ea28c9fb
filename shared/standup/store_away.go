package standup

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/store"
)

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
