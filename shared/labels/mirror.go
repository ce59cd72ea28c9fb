package labels

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rituals-dev/rituals/shared/store"
)

// Issue is the mirror of one issue or pull request: what timer conditions and templates need,
// kept up to date from the deliveries Rituals receives (never polled from GitHub).
type Issue struct {
	Repo        string   `json:"repo"`
	Number      int      `json:"number"`
	PR          bool     `json:"pr,omitempty"`
	NodeID      string   `json:"node_id,omitempty"`
	Title       string   `json:"title,omitempty"`
	URL         string   `json:"url,omitempty"`
	Author      string   `json:"author,omitempty"`
	AuthorAssoc string   `json:"author_association,omitempty"`
	Labels      []string `json:"labels"`
	Open        bool     `json:"open"`
	Assignees   []string `json:"assignees,omitempty"`
	// Version orders snapshots: the issue's updated_at, then the delivery's receipt time
	// (deliveries arrive twice and out of order; an older snapshot is not applied).
	Version string `json:"version"`
	// Updated is the applied snapshot's updated_at (GitHub's clock).
	Updated time.Time `json:"updated"`
	// Comments holds each commenter's (lowercased login) latest comment time, GitHub's clock.
	Comments map[string]time.Time `json:"comments,omitempty"`
	// Commented lists the rules ("team/rule") whose comment has been posted on the issue: a
	// rule comments once per issue, ever (effect records expire; the issue does not).
	Commented map[string]bool `json:"commented,omitempty"`

	rev int64
}

// version renders a snapshot's position in the issue's history; it sorts as text.
func version(s Snapshot) string {
	return s.Updated.UTC().Format(time.RFC3339) + "|" + store.TS(s.Received)
}

// HasLabel reports whether the issue carries label (any case).
func (is *Issue) HasLabel(label string) bool { return hasLabel(is.Labels, label) }

// CommentedAfter reports whether login commented after t.
func (is *Issue) CommentedAfter(login string, t time.Time) bool {
	c, ok := is.Comments[strings.ToLower(login)]
	return ok && c.After(t)
}

// apply merges a snapshot: the issue's state when the snapshot is newer than the stored one,
// and a comment in any case. It reports whether anything changed.
func (is *Issue) apply(s Snapshot) (changed bool) {
	if v := version(s); v > is.Version {
		changed = true
		is.Version, is.Updated = v, s.Updated
		is.Repo, is.Number, is.PR = s.Repo, s.Number, s.PR
		is.NodeID, is.Title, is.URL = s.NodeID, s.Title, s.URL
		is.Author, is.AuthorAssoc = s.Author, s.AuthorAssoc
		is.Labels, is.Open, is.Assignees = append([]string{}, s.Labels...), s.Open, s.Assignees
	}
	if c := s.Comment; c != nil && c.Author != "" {
		login := strings.ToLower(c.Author)
		if is.Comments == nil {
			is.Comments = map[string]time.Time{}
		}
		if prev, ok := is.Comments[login]; !ok || c.Created.After(prev) {
			is.Comments[login] = c.Created
			changed = true
		}
	}
	return changed
}

// MirrorAPI is the part of the DynamoDB client the mirror needs.
type MirrorAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

var _ MirrorAPI = (*dynamodb.Client)(nil)

// Mirror keeps Issues in the state table: pk LABELISSUE#<repo lowercased>#<number>, sk issue,
// the Issue as JSON in data, a revision for optimistic writes, and a TTL of MirrorRetention
// after the last change.
type Mirror struct {
	API   MirrorAPI
	Table string
}

// MirrorRetention is how long an issue's mirror is kept after its last change: the time a
// timer may wait, with a wide margin. A rule's comment is "once per issue" for as long.
const MirrorRetention = 2 * 365 * 24 * time.Hour

// maxMirrorAttempts bounds read-modify-write retries when concurrent writers keep winning.
const maxMirrorAttempts = 10

func mirrorKey(repo string, number int) store.Item {
	return store.Key("LABELISSUE#"+strings.ToLower(repo)+"#"+strconv.Itoa(number), "issue")
}

// Get reads an issue's mirror (consistently); store.ErrNotFound when there is none.
func (m Mirror) Get(ctx context.Context, repo string, number int) (*Issue, error) {
	out, err := m.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(m.Table), Key: mirrorKey(repo, number), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read mirror of %s#%d: %w", repo, number, err)
	}
	if out.Item == nil {
		return nil, fmt.Errorf("mirror of %s#%d: %w", repo, number, store.ErrNotFound)
	}
	is := &Issue{}
	if err := json.Unmarshal([]byte(store.Str(out.Item, "data")), is); err != nil {
		return nil, fmt.Errorf("decode mirror of %s#%d: %w", repo, number, err)
	}
	is.rev = store.Int(out.Item, "rev")
	return is, nil
}

// Update reads the issue's mirror (an empty one when there is none), lets fn change it, and
// writes it back on condition that nobody else wrote in between, starting over when someone
// did. fn reports whether it changed anything; nothing is written when it did not. Update
// returns the mirror as stored afterwards.
func (m Mirror) Update(ctx context.Context, repo string, number int, now time.Time, fn func(is *Issue) bool) (*Issue, error) {
	for attempt := 0; attempt < maxMirrorAttempts; attempt++ {
		is, err := m.Get(ctx, repo, number)
		if errors.Is(err, store.ErrNotFound) {
			is, err = &Issue{Repo: repo, Number: number}, nil
		}
		if err != nil {
			return nil, err
		}
		if !fn(is) {
			return is, nil
		}
		data, err := json.Marshal(is)
		if err != nil {
			return nil, fmt.Errorf("encode mirror of %s#%d: %w", repo, number, err)
		}
		item := mirrorKey(repo, number)
		item["data"], item["rev"], item["expires"] = store.S(string(data)), store.N(is.rev+1), store.Expires(now, MirrorRetention)
		in := &dynamodb.PutItemInput{TableName: aws.String(m.Table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}
		if is.rev > 0 {
			in.ConditionExpression = aws.String("rev = :rev")
			in.ExpressionAttributeValues = store.Item{":rev": store.N(is.rev)}
		}
		_, err = m.API.PutItem(ctx, in)
		if store.CondFailed(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("write mirror of %s#%d: %w", repo, number, err)
		}
		is.rev++
		return is, nil
	}
	return nil, fmt.Errorf("write mirror of %s#%d: concurrent writers kept winning", repo, number)
}
