package activity

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/store"
)

// attrReceived on a branch commit is the receipt time of the push that recorded it.
const attrReceived = "recv"

func (r Recorder) branchCommitItem(b branchRef, c branchCommit, received time.Time) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK:       store.S(branchPK(b.repo, b.name)),
		attrSK:       store.S(commitSK(c.at, c.sha)),
		attrSHA:      store.S(c.sha),
		attrMessage:  store.S(c.line),
		attrAt:       store.S(c.at.UTC().Format(time.RFC3339)),
		attrReceived: store.S(received.UTC().Format(versionTime)),
		attrExpires:  r.expires(c.at, received),
	}
}

// openPR returns the number of an open PR whose head is b (the lowest, when several are), or 0.
func (r Recorder) openPR(ctx context.Context, b branchRef) (int, error) {
	in := &dynamodb.QueryInput{
		TableName:              aws.String(r.Table),
		KeyConditionExpression: aws.String("#pk = :pk AND begins_with(#sk, :prefix)"),
		FilterExpression:       aws.String("#live = :true"),
		ExpressionAttributeNames: map[string]string{
			"#pk": attrPK, "#sk": attrSK, "#live": attrLive,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": store.S(branchPK(b.repo, b.name)), ":prefix": store.S(prSKPrefix), ":true": boolAttr(true),
		},
		ConsistentRead: aws.Bool(true),
	}
	for {
		out, err := r.API.Query(ctx, in)
		if err != nil {
			return 0, fmt.Errorf("find open PR of %s:%s: %w", b.repo, b.name, err)
		}
		for _, it := range out.Items {
			if pr, err := getInt(it, attrNumber); err == nil && pr != 0 {
				return pr, nil
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return 0, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// branchCommits returns the latest MaxPRCommits commits recorded on b, oldest first: one
// Query, newest first, limited.
func (r Recorder) branchCommits(ctx context.Context, b branchRef) ([]Commit, error) {
	out, err := r.API.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(r.Table),
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :prefix)"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": store.S(branchPK(b.repo, b.name)), ":prefix": store.S(commitSKPrefix)},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(MaxPRCommits),
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("load commits of %s:%s: %w", b.repo, b.name, err)
	}
	commits := make([]Commit, 0, len(out.Items))
	for _, it := range out.Items {
		commits = append(commits, Commit{SHA: store.Str(it, attrSHA), Message: store.Str(it, attrMessage)})
	}
	slices.Reverse(commits)
	return commits, nil
}

// clearBranch deletes the commits recorded on b by pushes received before received: b was
// just created, so they belong to an earlier branch of the same name. Commits of the creating
// push itself (a retry) and of later pushes (processed first) are kept.
func (r Recorder) clearBranch(ctx context.Context, b branchRef, received time.Time) error {
	in := &dynamodb.QueryInput{
		TableName:              aws.String(r.Table),
		KeyConditionExpression: aws.String("#pk = :pk AND begins_with(#sk, :prefix)"),
		FilterExpression:       aws.String("#recv < :recv"),
		ProjectionExpression:   aws.String("#pk, #sk"),
		ExpressionAttributeNames: map[string]string{
			"#pk": attrPK, "#sk": attrSK, "#recv": attrReceived,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": store.S(branchPK(b.repo, b.name)), ":prefix": store.S(commitSKPrefix),
			":recv": store.S(received.UTC().Format(versionTime)),
		},
		ConsistentRead: aws.Bool(true),
	}
	var dels []types.WriteRequest
	for {
		out, err := r.API.Query(ctx, in)
		if err != nil {
			return fmt.Errorf("clear commits of %s:%s: %w", b.repo, b.name, err)
		}
		for _, it := range out.Items {
			dels = append(dels, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{
				attrPK: it[attrPK], attrSK: it[attrSK],
			}}})
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	if err := store.BatchWrite(ctx, r.API, r.Table, dels); err != nil {
		return fmt.Errorf("clear commits of %s:%s: %w", b.repo, b.name, err)
	}
	return nil
}
