package standup

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/store"
)

// DigestState is what is known of a team's digest for a day. Started is set before the
// standups are read, Included (the standups the digest shows as submitted) before it is
// posted, Channel and TS after: a submission that finds Started but not Included waits
// (it may or may not be in the digest); one not in Included goes to the thread.
type DigestState struct {
	Started     bool
	HasIncluded bool
	Included    map[string]bool
	// Posted is set once the digest's post is settled: Channel and TS say where it is, or are
	// empty when Slack refused it for good (then late standups have no thread to go to).
	Posted      bool
	Channel, TS string
	// Late are first submissions that arrived while the digest was being posted: the digest
	// posts them to its thread once it exists (see AddLate).
	Late []string
}

func digestKey(team string, day config.Date) map[string]types.AttributeValue {
	return store.Key(digestPK(team), day.String())
}

// Digest reads the digest state of team for day.
func (st Store) Digest(ctx context.Context, team string, day config.Date) (DigestState, error) {
	out, err := st.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(st.Table), Key: digestKey(team, day), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return DigestState{}, fmt.Errorf("read digest of %s for %s: %w", team, day, err)
	}
	if out.Item == nil {
		return DigestState{}, nil
	}
	d := DigestState{Started: true, Posted: store.Bool(out.Item, "posted"), Channel: store.Str(out.Item, "channel"), TS: store.Str(out.Item, "ts")}
	if late, ok := out.Item["late"].(*types.AttributeValueMemberSS); ok {
		d.Late = late.Value
		sort.Strings(d.Late)
	}
	if inc := store.Str(out.Item, "included"); inc != "" {
		var ids []string
		if err := json.Unmarshal([]byte(inc), &ids); err != nil {
			return DigestState{}, fmt.Errorf("digest of %s for %s: %w", team, day, err)
		}
		d.HasIncluded, d.Included = true, map[string]bool{}
		for _, id := range ids {
			d.Included[id] = true
		}
	}
	return d, nil
}

// StartDigest marks the digest started (once).
func (st Store) StartDigest(ctx context.Context, team string, day config.Date, now time.Time) error {
	item := digestKey(team, day)
	item["started"] = store.S(store.TS(now))
	item["kind"] = store.S("digest")
	item["expires"] = expires(now)
	_, err := st.API.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(st.Table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")})
	if err != nil && !store.CondFailed(err) {
		return fmt.Errorf("start digest of %s for %s: %w", team, day, err)
	}
	return nil
}

// SetDigestIncluded records which standups the digest shows, unless recorded before; it
// returns the recorded set.
func (st Store) SetDigestIncluded(ctx context.Context, team string, day config.Date, ids []string) (map[string]bool, error) {
	if ids == nil {
		ids = []string{}
	}
	data, _ := json.Marshal(ids)
	_, err := st.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(st.Table), Key: digestKey(team, day),
		UpdateExpression:          aws.String("SET included = :inc"),
		ConditionExpression:       aws.String("attribute_exists(pk) AND attribute_not_exists(included)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":inc": store.S(string(data))},
	})
	if err != nil && !store.CondFailed(err) {
		return nil, fmt.Errorf("record digest of %s for %s: %w", team, day, err)
	}
	d, err := st.Digest(ctx, team, day)
	if err != nil {
		return nil, err
	}
	return d.Included, nil
}

// SetDigestPosted records where the digest was posted (channel and ts empty: Slack refused it
// for good). Late submissions added after this go straight to the thread (see AddLate).
func (st Store) SetDigestPosted(ctx context.Context, team string, day config.Date, channel, tsID string) error {
	_, err := st.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(st.Table), Key: digestKey(team, day),
		UpdateExpression:          aws.String("SET channel = :c, ts = :ts, posted = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": store.S(channel), ":ts": store.S(tsID), ":p": &types.AttributeValueMemberBOOL{Value: true}},
	})
	if err != nil {
		return fmt.Errorf("record digest post of %s for %s: %w", team, day, err)
	}
	return nil
}

// AddLate records id as a first submission waiting for the digest's thread, unless the digest
// is already posted: then it reports false and the caller posts to the thread itself. Because
// the digest is marked posted before it reads the waiting ones, every late submission is
// posted by exactly one of the two.
func (st Store) AddLate(ctx context.Context, team string, day config.Date, id string) (bool, error) {
	_, err := st.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(st.Table), Key: digestKey(team, day),
		UpdateExpression:          aws.String("ADD late :id"),
		ConditionExpression:       aws.String("attribute_exists(pk) AND attribute_not_exists(posted)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":id": &types.AttributeValueMemberSS{Value: []string{id}}},
	})
	if store.CondFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("record late standup %s for the digest of %s: %w", id, team, err)
	}
	return true, nil
}
