package activity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/store"
)

// QueryAPI is the part of the DynamoDB client the Reader needs.
type QueryAPI interface {
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

var _ QueryAPI = (*dynamodb.Client)(nil)

// ErrBadRepo is returned for a repos entry that is neither "owner/name" nor "owner/*".
var ErrBadRepo = errors.New(`repo must be "owner/name" or "owner/*"`)

// Reader answers questions from the activity mirror. Each answer is one DynamoDB Query on the
// base table (strongly consistent), followed through its pages only when DynamoDB pages it.
type Reader struct {
	API   QueryAPI
	Table string
	// PageSize, when positive, caps the items DynamoDB evaluates per page (tests use it to
	// exercise paging); zero lets DynamoDB page at 1 MB.
	PageSize int32
}

// Footprint returns what login did in repos from (inclusive) to to (exclusive), oldest first.
// Entries of repos are "owner/name" or "owner/*" (every repo of owner), matched
// case-insensitively; an empty repos means every repo. Items older than the retention may
// still appear until DynamoDB's TTL removes them; they are still true.
func (r Reader) Footprint(ctx context.Context, login string, repos []string, from, to time.Time) ([]Item, error) {
	filter, err := parseRepos(repos)
	if err != nil {
		return nil, err
	}
	lo, hi := ceilSecond(from), ceilSecond(to)
	if !lo.Before(hi) {
		return nil, nil
	}
	// Sort keys start with the time, so BETWEEN "<from>" AND "<to>" selects from <= At < to:
	// an item at exactly to has the key "<to>#..." which sorts after "<to>".
	q := query{
		key:    "#pk = :pk AND #sk BETWEEN :lo AND :hi",
		names:  map[string]string{"#pk": attrPK, "#sk": attrSK},
		values: map[string]types.AttributeValue{":pk": store.S(activityPK(login)), ":lo": store.S(keyTS(lo)), ":hi": store.S(keyTS(hi))},
	}
	q.filter = filter.expression(q.names, q.values)
	var items []Item
	err = r.query(ctx, q, func(m map[string]types.AttributeValue) error {
		it, err := itemFrom(m)
		if err != nil {
			return fmt.Errorf("item %s %s: %w", store.Str(m, attrPK), store.Str(m, attrSK), err)
		}
		items = append(items, it)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("footprint of %s: %w", login, err)
	}
	return items, nil
}

// Recent returns at most limit of what login did in repos from (inclusive) to to (exclusive),
// the newest ones, oldest first, and whether older ones were left out. It reads newest first
// and stops as soon as it has limit items, so its cost is bounded by limit however long the
// interval is (a standup after months away covers months).
func (r Reader) Recent(ctx context.Context, login string, repos []string, from, to time.Time, limit int) ([]Item, bool, error) {
	filter, err := parseRepos(repos)
	if err != nil {
		return nil, false, err
	}
	lo, hi := ceilSecond(from), ceilSecond(to)
	if !lo.Before(hi) || limit <= 0 {
		return nil, false, nil
	}
	names := map[string]string{"#pk": attrPK, "#sk": attrSK}
	values := map[string]types.AttributeValue{":pk": store.S(activityPK(login)), ":lo": store.S(keyTS(lo)), ":hi": store.S(keyTS(hi))}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(r.Table),
		KeyConditionExpression:    aws.String("#pk = :pk AND #sk BETWEEN :lo AND :hi"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
		ConsistentRead:            aws.Bool(true),
		ScanIndexForward:          aws.Bool(false),
		// A page evaluates about what the answer needs (the repo filter drops some).
		Limit: aws.Int32(int32(min(2*limit+1, 1000))),
	}
	if f := filter.expression(names, values); f != "" {
		in.FilterExpression = aws.String(f)
	}
	if r.PageSize > 0 {
		in.Limit = aws.Int32(r.PageSize)
	}
	var items []Item
	for {
		out, err := r.API.Query(ctx, in)
		if err != nil {
			return nil, false, fmt.Errorf("recent footprint of %s: %w", login, err)
		}
		for _, m := range out.Items {
			if len(items) == limit {
				slices.Reverse(items)
				return items, true, nil
			}
			it, err := itemFrom(m)
			if err != nil {
				return nil, false, fmt.Errorf("item %s %s: %w", store.Str(m, attrPK), store.Str(m, attrSK), err)
			}
			items = append(items, it)
		}
		if len(out.LastEvaluatedKey) == 0 {
			slices.Reverse(items)
			return items, false, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// OpenAssignments returns the open issues assigned to login in repos (as in Footprint; empty
// means every repo), ordered by repo and number.
func (r Reader) OpenAssignments(ctx context.Context, login string, repos []string) ([]Assignment, error) {
	filter, err := parseRepos(repos)
	if err != nil {
		return nil, err
	}
	q := query{
		key:    "#pk = :pk",
		names:  map[string]string{"#pk": attrPK, "#live": attrLive},
		values: map[string]types.AttributeValue{":pk": store.S(assignmentPK(login)), ":true": boolAttr(true)},
	}
	// Sort keys start with the repo, so a single repo or owner narrows the key range itself.
	if prefix, ok := filter.keyPrefix(); ok {
		q.key += " AND begins_with(#sk, :prefix)"
		q.names["#sk"] = attrSK
		q.values[":prefix"] = store.S(prefix)
		filter = repoFilter{}
	}
	q.filter = "#live = :true"
	if f := filter.expression(q.names, q.values); f != "" {
		q.filter += " AND (" + f + ")"
	}
	var out []Assignment
	err = r.query(ctx, q, func(m map[string]types.AttributeValue) error {
		a, err := assignmentFrom(m)
		if err != nil {
			return fmt.Errorf("assignment %s %s: %w", store.Str(m, attrPK), store.Str(m, attrSK), err)
		}
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open assignments of %s: %w", login, err)
	}
	return out, nil
}

type query struct {
	key, filter string
	names       map[string]string
	values      map[string]types.AttributeValue
}

// query runs one Query through all of its pages.
func (r Reader) query(ctx context.Context, q query, each func(map[string]types.AttributeValue) error) error {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(r.Table),
		KeyConditionExpression:    aws.String(q.key),
		ExpressionAttributeNames:  q.names,
		ExpressionAttributeValues: q.values,
		ConsistentRead:            aws.Bool(true),
	}
	if q.filter != "" {
		in.FilterExpression = aws.String(q.filter)
	}
	if r.PageSize > 0 {
		in.Limit = aws.Int32(r.PageSize)
	}
	for {
		out, err := r.API.Query(ctx, in)
		if err != nil {
			return err
		}
		for _, m := range out.Items {
			if err := each(m); err != nil {
				return err
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// repoFilter is a parsed repos argument, lowercased.
type repoFilter struct {
	repos, owners []string
}

func parseRepos(repos []string) (repoFilter, error) {
	var f repoFilter
	for _, r := range repos {
		o, name, ok := strings.Cut(strings.ToLower(strings.TrimSpace(r)), "/")
		if !ok || o == "" || name == "" || strings.ContainsAny(name, "/#") || strings.Contains(o, "#") {
			return repoFilter{}, fmt.Errorf("%q: %w", r, ErrBadRepo)
		}
		if name == "*" {
			f.owners = append(f.owners, o)
		} else {
			f.repos = append(f.repos, o+"/"+name)
		}
	}
	return f, nil
}

// keyPrefix is the sort-key prefix selecting exactly f in the assignment layout, when f is a
// single repo or a single owner.
func (f repoFilter) keyPrefix() (string, bool) {
	switch {
	case len(f.repos) == 1 && len(f.owners) == 0:
		return f.repos[0] + "#", true
	case len(f.repos) == 0 && len(f.owners) == 1:
		return f.owners[0] + "/", true
	}
	return "", false
}

// expression adds f's placeholders to names and values and returns the filter expression
// ("" when f selects every repo). IN takes at most 100 operands, so long lists are split.
func (f repoFilter) expression(names map[string]string, values map[string]types.AttributeValue) string {
	var terms []string
	in := func(attr, alias, prefix string, vals []string) {
		if len(vals) == 0 {
			return
		}
		names[alias] = attr
		for start := 0; start < len(vals); start += 100 {
			var ph []string
			for i, v := range vals[start:min(start+100, len(vals))] {
				p := fmt.Sprintf(":%s%d", prefix, start+i)
				values[p] = store.S(v)
				ph = append(ph, p)
			}
			terms = append(terms, alias+" IN ("+strings.Join(ph, ", ")+")")
		}
	}
	in(attrRepoKey, "#rk", "r", f.repos)
	in(attrOrgKey, "#org", "o", f.owners)
	return strings.Join(terms, " OR ")
}
