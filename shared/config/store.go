package config

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The config lives in the state table under pk "CONFIG":
//
//	sk "current"   yaml, version, sha256, pushed_by, pushed_at   what Load reads
//	sk "version"   version, sha256                               what Source polls
//	sk "v#000001"  yaml, version, sha256, pushed_by, pushed_at   history, one per version
//
// The "version" item exists because DynamoDB bills a read by the size of the item, not of the
// attributes projected: polling a ~100-byte item costs one read unit however large the YAML
// grows. All three are written in one transaction, conditional on the version read before, so
// they never disagree and two pushes can never both become version N.
const (
	storePK   = "CONFIG"
	currentSK = "current"
	versionSK = "version"
)

func historySK(version int) string { return fmt.Sprintf("v#%06d", version) }

// MaxSize is the largest config Push accepts: each item must stay under DynamoDB's 400 KB.
const MaxSize = 300 * 1024

// maxPushAttempts bounds retries after losing the race to a concurrent push. A lost race
// means another push made progress, so retrying cannot livelock; the bound only caps the
// work under a pathological stampede.
const maxPushAttempts = 25

// ErrNoConfig is returned (wrapped) by Load and Source when no config was ever pushed.
var ErrNoConfig = errors.New("no config has been pushed")

// ErrConflict is returned (wrapped) by Push when it kept losing to concurrent pushes.
var ErrConflict = errors.New("concurrent config pushes")

// Reader is the part of the DynamoDB client Load and Source use.
type Reader interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// Writer is the part of the DynamoDB client Push uses.
type Writer interface {
	Reader
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var (
	_ Reader = (*dynamodb.Client)(nil)
	_ Writer = (*dynamodb.Client)(nil)
)

// Push validates yamlBytes and stores it in table as the next version, pushed by by at now,
// returning that version (1 for the first push). Nothing is stored when the file does not
// parse: the error wraps the *ValidationError. Pushing the same bytes as the current version is
// a no-op that returns the current version. Concurrent pushes each get their own version (a
// loser re-reads and tries the next one), so the last to commit is current.
func Push(ctx context.Context, api Writer, table string, yamlBytes []byte, by string, now time.Time) (version int, err error) {
	if by == "" {
		return 0, errors.New("push config: say who is pushing (by is empty)")
	}
	if len(yamlBytes) > MaxSize {
		return 0, fmt.Errorf("push config: file is %d bytes, more than the %d a DynamoDB item can hold", len(yamlBytes), MaxSize)
	}
	if _, err := Parse(yamlBytes); err != nil {
		return 0, fmt.Errorf("config not pushed: %w", err)
	}
	sum := sha256.Sum256(yamlBytes)
	digest := hex.EncodeToString(sum[:])
	for attempt := 0; attempt < maxPushAttempts; attempt++ {
		head, found, err := readHead(ctx, api, table)
		if err != nil {
			return 0, fmt.Errorf("push config: %w", err)
		}
		if found && head.sha256 == digest {
			return head.version, nil
		}
		next := head.version + 1
		err = writeVersion(ctx, api, table, next, found, yamlBytes, digest, by, now)
		if err == nil {
			return next, nil
		}
		if !lostRace(err) {
			return 0, fmt.Errorf("push config version %d to %s: %w", next, table, err)
		}
	}
	return 0, fmt.Errorf("push config to %s: lost to other pushes %d times: %w", table, maxPushAttempts, ErrConflict)
}

type head struct {
	version int
	sha256  string
}

// readHead reads the small version item; found is false before the first push.
func readHead(ctx context.Context, api Reader, table string) (h head, found bool, err error) {
	out, err := api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                aws.String(table),
		Key:                      configKey(versionSK),
		ConsistentRead:           aws.Bool(true),
		ProjectionExpression:     aws.String("#v, sha256"),
		ExpressionAttributeNames: map[string]string{"#v": "version"},
	})
	if err != nil {
		return head{}, false, fmt.Errorf("read config version from %s: %w", table, err)
	}
	if out.Item == nil {
		return head{}, false, nil
	}
	v, err := numberAttr(out.Item, "version")
	if err != nil {
		return head{}, false, fmt.Errorf("config version item in %s: %w", table, err)
	}
	return head{version: v, sha256: stringAttr(out.Item, "sha256")}, true, nil
}

func writeVersion(ctx context.Context, api Writer, table string, version int, replacing bool, yamlBytes []byte, digest, by string, now time.Time) error {
	v := &types.AttributeValueMemberN{Value: strconv.Itoa(version)}
	full := func(sk string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{
			"pk":        &types.AttributeValueMemberS{Value: storePK},
			"sk":        &types.AttributeValueMemberS{Value: sk},
			"yaml":      &types.AttributeValueMemberS{Value: string(yamlBytes)},
			"version":   v,
			"sha256":    &types.AttributeValueMemberS{Value: digest},
			"pushed_by": &types.AttributeValueMemberS{Value: by},
			"pushed_at": &types.AttributeValueMemberS{Value: now.UTC().Format(time.RFC3339)},
		}
	}
	// The version item is the lock: it must still hold the version this push read.
	cond := &types.Put{
		TableName: aws.String(table),
		Item: map[string]types.AttributeValue{
			"pk":      &types.AttributeValueMemberS{Value: storePK},
			"sk":      &types.AttributeValueMemberS{Value: versionSK},
			"version": v,
			"sha256":  &types.AttributeValueMemberS{Value: digest},
		},
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}
	if replacing {
		cond.ConditionExpression = aws.String("#v = :prev")
		cond.ExpressionAttributeNames = map[string]string{"#v": "version"}
		cond.ExpressionAttributeValues = map[string]types.AttributeValue{":prev": &types.AttributeValueMemberN{Value: strconv.Itoa(version - 1)}}
	}
	_, err := api.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: cond},
		{Put: &types.Put{TableName: aws.String(table), Item: full(currentSK)}},
		{Put: &types.Put{
			TableName:           aws.String(table),
			Item:                full(historySK(version)),
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}},
	}})
	return err
}

// lostRace reports whether a transaction failed because another push got there first (its
// condition failed) or was committing at the same moment (a transaction conflict).
func lostRace(err error) bool {
	var conflict *types.TransactionConflictException
	if errors.As(err, &conflict) {
		return true
	}
	var canceled *types.TransactionCanceledException
	if !errors.As(err, &canceled) {
		return false
	}
	for _, r := range canceled.CancellationReasons {
		if code := aws.ToString(r.Code); code == "ConditionalCheckFailed" || code == "TransactionConflict" {
			return true
		}
	}
	return false
}

// Load reads and parses the current config from table, returning it with its version. Before
// the first push it returns an error wrapping ErrNoConfig that says to push one.
func Load(ctx context.Context, api Reader, table string) (*Config, int, error) {
	out, err := api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(table),
		Key:            configKey(currentSK),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read config from %s: %w", table, err)
	}
	if out.Item == nil {
		return nil, 0, fmt.Errorf("table %s has no config: run `rituals config push FILE` first: %w", table, ErrNoConfig)
	}
	version, err := numberAttr(out.Item, "version")
	if err != nil {
		return nil, 0, fmt.Errorf("config item in %s: %w", table, err)
	}
	// A config valid when pushed can fail here only if this code's rules are stricter than
	// the pusher's; the message names the version and who pushed it so it can be fixed.
	cfg, err := ParseFile(fmt.Sprintf("config v%d", version), []byte(stringAttr(out.Item, "yaml")))
	if err != nil {
		return nil, 0, fmt.Errorf("config version %d in %s (pushed by %s at %s) does not validate; fix it and run `rituals config push FILE`: %w",
			version, table, stringAttr(out.Item, "pushed_by"), stringAttr(out.Item, "pushed_at"), err)
	}
	return cfg, version, nil
}

func configKey(sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: storePK},
		"sk": &types.AttributeValueMemberS{Value: sk},
	}
}

func stringAttr(item map[string]types.AttributeValue, name string) string {
	if s, ok := item[name].(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

func numberAttr(item map[string]types.AttributeValue, name string) (int, error) {
	n, ok := item[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("attribute %s is missing or not a number", name)
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil {
		return 0, fmt.Errorf("attribute %s: %w", name, err)
	}
	return v, nil
}

// StoredVersion returns the current version in table, or 0 before the first push. It reads
// only the small version item.
func StoredVersion(ctx context.Context, api Reader, table string) (int, error) {
	h, _, err := readHead(ctx, api, table)
	return h.version, err
}
