package rotation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/store"
)

// StoreAPI is the part of the DynamoDB client the rotation store needs.
type StoreAPI interface {
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var _ StoreAPI = (*dynamodb.Client)(nil)

// Store keeps rotations' overrides and audit logs in the state table (see the package doc).
type Store struct {
	API   StoreAPI
	Table string
}

func periodKey(n int) string { return fmt.Sprintf("ROT#%08d", n+10_000_000) }
func utc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Overrides returns the overrides of periods from..to (inclusive) stored in partition, with
// one Query.
func (st Store) Overrides(ctx context.Context, partition string, from, to int) ([]Override, error) {
	items, err := store.QueryAll(ctx, st.API, &dynamodb.QueryInput{
		TableName:              aws.String(st.Table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": store.S(partition), ":from": store.S(periodKey(from) + "#"), ":to": store.S(periodKey(to) + "#~"),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("rotation overrides of %s: %w", partition, err)
	}
	out := make([]Override, 0, len(items))
	for _, it := range items {
		o := Override{Period: int(store.Int(it, "week")), Kind: OverrideKind(store.Str(it, "kind")), Member: store.Str(it, "member"), By: store.Str(it, "by"), seq: store.Str(it, "sk")}
		o.Made, _ = time.Parse(time.RFC3339, store.Str(it, "made"))
		if o.Kind == Cover {
			o.From, _ = config.ParseDate(store.Str(it, "from"))
			o.To, _ = config.ParseDate(store.Str(it, "to"))
		}
		out = append(out, o)
	}
	return out, nil
}

// SaveOverrides stores overrides in partition and the audit record of the change, in one
// transaction: a change is recorded with who made it, or not at all.
func (st Store) SaveOverrides(ctx context.Context, partition string, os []Override, a Audit) error {
	var items []types.TransactWriteItem
	for _, o := range os {
		item := map[string]types.AttributeValue{
			"pk": store.S(partition), "sk": store.S(periodKey(o.Period) + "#" + utc(o.Made) + "#" + randomHex()),
			"week": store.N(int64(o.Period)), "kind": store.S(string(o.Kind)), "member": store.S(o.Member),
			"by": store.S(o.By), "made": store.S(utc(o.Made)),
		}
		if o.Kind == Cover {
			item["from"], item["to"] = store.S(o.From.String()), store.S(o.To.String())
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(st.Table), Item: item}})
	}
	items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(st.Table), Item: map[string]types.AttributeValue{
		"pk": store.S(partition), "sk": store.S("AUDIT#" + utc(a.Made) + "#" + randomHex()),
		"by": store.S(a.By), "made": store.S(utc(a.Made)), "what": store.S(a.What),
	}}})
	if _, err := st.API.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items}); err != nil {
		return fmt.Errorf("save rotation change of %s: %w", partition, err)
	}
	return nil
}

// AuditLog returns the rotation changes stored in partition made at or after since, oldest
// first.
func (st Store) AuditLog(ctx context.Context, partition string, since time.Time) ([]Audit, error) {
	items, err := store.QueryAll(ctx, st.API, &dynamodb.QueryInput{
		TableName:              aws.String(st.Table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": store.S(partition), ":from": store.S("AUDIT#" + utc(since)), ":to": store.S("AUDIT#~"),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("rotation audit of %s: %w", partition, err)
	}
	var out []Audit
	for _, it := range items {
		a := Audit{By: store.Str(it, "by"), What: store.Str(it, "what")}
		a.Made, _ = time.Parse(time.RFC3339, store.Str(it, "made"))
		out = append(out, a)
	}
	return out, nil
}

func randomHex() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
