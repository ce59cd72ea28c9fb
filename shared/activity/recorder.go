package activity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-github/v60/github"

	"github.com/rituals-dev/rituals/shared/store"
)

// RecorderAPI is the part of the DynamoDB client the Recorder needs (and the actions
// template.yaml grants ActivityRecorderFunction on the state table).
type RecorderAPI interface {
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

var _ RecorderAPI = (*dynamodb.Client)(nil)

// Recorder mirrors GitHub deliveries into the state table.
type Recorder struct {
	API   RecorderAPI
	Table string
	// Retention is how long footprint items, branch commits and tombstones live;
	// DefaultRetention when zero.
	Retention time.Duration
}

// Result says what recording one delivery did.
type Result struct {
	// Ignored is set when the event or action has nothing to mirror.
	Ignored bool
	// Items counts footprint items written.
	Items int
	// States counts assignment and open-PR states applied.
	States int
	// Stale counts states not applied because a newer one (or this very one, on a retry) was
	// already stored.
	Stale int
}

// Handles lists the GitHub events Record mirrors; ActivityRecorderFunction's stream filter in
// template.yaml selects exactly these (a test holds the two together).
func Handles() []string {
	return []string{"issues", "issue_comment", "pull_request", "pull_request_review", "push"}
}

// Record mirrors one stored GitHub delivery. It is idempotent: recording a delivery again
// (a retry, a replayed dead letter) writes the same items and leaves states as they are. Events
// it does not handle are ignored; a payload it cannot parse is an error, so the record is
// retried and then dead-lettered, never dropped.
func (r Recorder) Record(ctx context.Context, ev store.Event) (Result, error) {
	if ev.Source != "github" || !handled(ev.Type) {
		return Result{Ignored: true}, nil
	}
	payload, err := github.ParseWebHook(ev.Type, ev.Payload)
	if err != nil {
		return Result{}, fmt.Errorf("mirror %s %s: parse payload: %w", ev.Type, ev.Key, err)
	}
	var c change
	switch p := payload.(type) {
	case *github.IssuesEvent:
		c, err = mapIssues(p, ev.ReceivedAt, ev.Payload)
	case *github.IssueCommentEvent:
		c, err = mapIssueComment(p, ev.ReceivedAt)
	case *github.PullRequestEvent:
		c, err = mapPullRequest(p, ev.ReceivedAt)
	case *github.PullRequestReviewEvent:
		c, err = mapReview(p, ev.ReceivedAt)
	case *github.PushEvent:
		c, err = mapPush(p, ev.ReceivedAt)
	}
	if err != nil {
		return Result{}, fmt.Errorf("mirror %s %s in %s: %w", ev.Type, ev.Key, ev.Repo, err)
	}
	res, err := r.apply(ctx, c, ev.ReceivedAt)
	if err != nil {
		return res, fmt.Errorf("mirror %s %s in %s: %w", ev.Type, ev.Key, ev.Repo, err)
	}
	return res, nil
}

func handled(event string) bool { return slices.Contains(Handles(), event) }

func (r Recorder) retention() time.Duration {
	if r.Retention > 0 {
		return r.Retention
	}
	return DefaultRetention
}

// expires is the TTL for something that happened at t and was received at received: counted
// from the later of the two, so that old commit dates do not make items vanish on arrival.
func (r Recorder) expires(t, received time.Time) types.AttributeValue {
	if received.After(t) {
		t = received
	}
	return store.N(t.Add(r.retention()).Unix())
}

// apply completes c with what is stored and writes it. Versioned states go first, so that the
// open-PR index is current as early as possible; plain puts follow in batches.
func (r Recorder) apply(ctx context.Context, c change, received time.Time) (Result, error) {
	res := Result{Ignored: len(c.items) == 0 && len(c.states) == 0 && c.push == nil}
	var puts []types.WriteRequest

	if p := c.push; p != nil {
		if p.created {
			if err := r.clearBranch(ctx, p.branchRef, received); err != nil {
				return res, err
			}
		}
		if len(c.items) > 0 {
			pr, err := r.openPR(ctx, p.branchRef)
			if err != nil {
				return res, err
			}
			for i := range c.items {
				c.items[i].item.PR = pr
			}
		}
		for _, bc := range p.commits {
			puts = append(puts, types.WriteRequest{PutRequest: &types.PutRequest{Item: r.branchCommitItem(p.branchRef, bc, received)}})
		}
	}
	if b := c.prCommits; b != nil {
		commits, err := r.branchCommits(ctx, *b)
		if err != nil {
			return res, err
		}
		for i := range c.items {
			c.items[i].item.Commits = commits
		}
	}

	for _, st := range c.states {
		applied, err := r.putState(ctx, st, received)
		if err != nil {
			return res, err
		}
		if applied {
			res.States++
		} else {
			res.Stale++
		}
	}

	written := 0
	for _, f := range c.items {
		if f.item.Actor == "" {
			continue // nobody to attribute it to (a payload without sender)
		}
		written++
		m := itemAttributes(f.item)
		m[attrPK] = store.S(activityPK(f.item.Actor))
		m[attrSK] = store.S(activitySK(f.item, f.id))
		m[attrExpires] = r.expires(f.item.At, received)
		puts = append(puts, types.WriteRequest{PutRequest: &types.PutRequest{Item: m}})
	}
	if err := store.BatchWrite(ctx, r.API, r.Table, dedupe(puts)); err != nil {
		return res, err
	}
	res.Items = written
	return res, nil
}

// putState writes st only when the stored version is older (or absent). It reports false, and
// no error, when a newer or equal version is stored: an out-of-order delivery or a retry.
func (r Recorder) putState(ctx context.Context, st state, received time.Time) (bool, error) {
	item := make(map[string]types.AttributeValue, len(st.attrs)+5)
	for k, v := range st.attrs {
		item[k] = v
	}
	item[attrPK] = store.S(st.pk)
	item[attrSK] = store.S(st.sk)
	item[attrVersion] = store.S(st.ver)
	item[attrLive] = boolAttr(st.live)
	if !st.live {
		item[attrExpires] = r.expires(received, received)
	}
	_, err := r.API.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(r.Table),
		Item:                      item,
		ConditionExpression:       aws.String("attribute_not_exists(#ver) OR #ver < :ver"),
		ExpressionAttributeNames:  map[string]string{"#ver": attrVersion},
		ExpressionAttributeValues: map[string]types.AttributeValue{":ver": store.S(st.ver)},
	})
	var stale *types.ConditionalCheckFailedException
	if errors.As(err, &stale) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("put %s: %w", st.what, err)
	}
	return true, nil
}

// dedupe drops repeated keys, which BatchWriteItem rejects within one request (the last
// write of a key wins, as it would have with separate puts).
func dedupe(reqs []types.WriteRequest) []types.WriteRequest {
	index := map[string]int{}
	out := reqs[:0:0]
	for _, w := range reqs {
		k := key(w)
		if i, ok := index[k]; ok {
			out[i] = w
			continue
		}
		index[k] = len(out)
		out = append(out, w)
	}
	return out
}

func key(w types.WriteRequest) string {
	var m map[string]types.AttributeValue
	if w.PutRequest != nil {
		m = w.PutRequest.Item
	} else if w.DeleteRequest != nil {
		m = w.DeleteRequest.Key
	}
	return store.Str(m, attrPK) + "\x00" + store.Str(m, attrSK)
}
