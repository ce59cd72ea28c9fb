package activity

import (
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/store"
)

// Attribute names. Expressions always refer to them through #aliases, since several common
// words (number, open, url...) are DynamoDB reserved words.
const (
	attrPK          = "pk"
	attrSK          = "sk"
	attrExpires     = "expires"
	attrKind        = "kind"
	attrRepo        = "repo"
	attrRepoKey     = "rk"  // lowercased owner/name, for repo filters
	attrOrgKey      = "org" // lowercased owner, for owner/* filters
	attrNumber      = "num"
	attrTitle       = "title"
	attrURL         = "url"
	attrAt          = "at"
	attrActor       = "actor"
	attrCommits     = "commits"
	attrBranch      = "branch"
	attrSHA         = "sha"
	attrMessage     = "msg"
	attrPR          = "pr"
	attrReviewState = "review_state"
	attrLogin       = "login"
	attrUpdated     = "updated"
	attrVersion     = "ver"
	attrLive        = "live" // false on a tombstone: unassigned, closed
)

func boolAttr(v bool) types.AttributeValue { return &types.AttributeValueMemberBOOL{Value: v} }

func getInt(m map[string]types.AttributeValue, name string) (int, error) {
	v, ok := m[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, nil
	}
	i, err := strconv.Atoi(v.Value)
	if err != nil {
		return 0, fmt.Errorf("attribute %s: %w", name, err)
	}
	return i, nil
}

func getTime(m map[string]types.AttributeValue, name string) (time.Time, error) {
	v := store.Str(m, name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("attribute %s: %w", name, err)
	}
	return t.UTC(), nil
}

// setNonEmpty adds the string attributes whose values are not empty: DynamoDB keeps no empty
// key attributes and there is no point storing empty ones.
func setNonEmpty(m map[string]types.AttributeValue, kv ...string) {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			m[kv[i]] = store.S(kv[i+1])
		}
	}
}

// itemAttributes encodes a footprint item (keys and expiry excluded).
func itemAttributes(it Item) map[string]types.AttributeValue {
	m := map[string]types.AttributeValue{
		attrKind:    store.S(string(it.Kind)),
		attrRepo:    store.S(it.Repo),
		attrRepoKey: store.S(lower(it.Repo)),
		attrOrgKey:  store.S(lower(owner(it.Repo))),
		attrAt:      store.S(it.At.UTC().Format(time.RFC3339)),
	}
	setNonEmpty(m, attrTitle, it.Title, attrURL, it.URL, attrActor, it.Actor, attrBranch, it.Branch,
		attrSHA, it.SHA, attrMessage, it.Message, attrReviewState, it.ReviewState)
	if it.Number != 0 {
		m[attrNumber] = store.N(int64(it.Number))
	}
	if it.PR != 0 {
		m[attrPR] = store.N(int64(it.PR))
	}
	if it.Commits != nil {
		list := make([]types.AttributeValue, len(it.Commits))
		for i, c := range it.Commits {
			list[i] = &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
				attrSHA: store.S(c.SHA), attrMessage: store.S(c.Message),
			}}
		}
		m[attrCommits] = &types.AttributeValueMemberL{Value: list}
	}
	return m
}

// itemFrom decodes a footprint item.
func itemFrom(m map[string]types.AttributeValue) (Item, error) {
	it := Item{
		Kind:        Kind(store.Str(m, attrKind)),
		Repo:        store.Str(m, attrRepo),
		Title:       store.Str(m, attrTitle),
		URL:         store.Str(m, attrURL),
		Actor:       store.Str(m, attrActor),
		Branch:      store.Str(m, attrBranch),
		SHA:         store.Str(m, attrSHA),
		Message:     store.Str(m, attrMessage),
		ReviewState: store.Str(m, attrReviewState),
	}
	var err error
	if it.Number, err = getInt(m, attrNumber); err != nil {
		return it, err
	}
	if it.PR, err = getInt(m, attrPR); err != nil {
		return it, err
	}
	if it.At, err = getTime(m, attrAt); err != nil {
		return it, err
	}
	if l, ok := m[attrCommits].(*types.AttributeValueMemberL); ok {
		it.Commits = make([]Commit, 0, len(l.Value))
		for _, v := range l.Value {
			if c, ok := v.(*types.AttributeValueMemberM); ok {
				it.Commits = append(it.Commits, Commit{SHA: store.Str(c.Value, attrSHA), Message: store.Str(c.Value, attrMessage)})
			}
		}
	}
	return it, nil
}

// assignmentAttributes encodes an assignment (keys, version, liveness and expiry excluded).
func assignmentAttributes(a Assignment) map[string]types.AttributeValue {
	m := map[string]types.AttributeValue{
		attrLogin:   store.S(a.Login),
		attrRepo:    store.S(a.Repo),
		attrRepoKey: store.S(lower(a.Repo)),
		attrOrgKey:  store.S(lower(owner(a.Repo))),
		attrNumber:  store.N(int64(a.Number)),
		attrUpdated: store.S(a.UpdatedAt.UTC().Format(time.RFC3339)),
	}
	setNonEmpty(m, attrTitle, a.Title, attrURL, a.URL)
	return m
}

func assignmentFrom(m map[string]types.AttributeValue) (Assignment, error) {
	a := Assignment{
		Login: store.Str(m, attrLogin),
		Repo:  store.Str(m, attrRepo),
		Title: store.Str(m, attrTitle),
		URL:   store.Str(m, attrURL),
	}
	var err error
	if a.Number, err = getInt(m, attrNumber); err != nil {
		return a, err
	}
	a.UpdatedAt, err = getTime(m, attrUpdated)
	return a, err
}
