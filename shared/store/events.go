package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ErrDuplicate is returned by PutEvent when an event with the same key was stored before: the
// delivery is a redelivery and must not be processed again.
var ErrDuplicate = errors.New("duplicate delivery")

// ErrNotFound is returned when a record does not exist (or has expired).
var ErrNotFound = errors.New("not found")

// EventRetention is how long a delivery is kept, and so how long a redelivery is recognised.
// Phabricator retries for 7 days; GitHub redeliveries are manual and rarely older than a month.
const EventRetention = 35 * 24 * time.Hour

// chunkSize keeps each item well under DynamoDB's 400 KB limit, attributes included.
const chunkSize = 350 * 1024

// Event is one verified inbound delivery.
type Event struct {
	// Key is the idempotency key: "github#<X-GitHub-Delivery>", "phabricator#<hash>", ...
	Key string
	// Source is github, phabricator or slack; stream filters select on it.
	Source string
	// Type is the event name (X-GitHub-Event, "herald", a Slack event type).
	Type string
	// Action is the payload's action, when it has one.
	Action string
	// Repo is owner/name for GitHub events that have a repository.
	Repo string
	// Test marks deliveries the sender flagged as tests (Herald's action.test).
	Test       bool
	ReceivedAt time.Time
	// Payload is the raw body exactly as received.
	Payload []byte
}

// EventsAPI is the part of the DynamoDB client the events table needs.
type EventsAPI interface {
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
}

var _ EventsAPI = (*dynamodb.Client)(nil)

// Events stores deliveries in the events table.
type Events struct {
	API   EventsAPI
	Table string
}

// PutEvent stores e exactly once. The payload is gzipped; one that is still too large for an item
// is split into part items written first, so that the head item (the only one the stream
// filters select) never becomes visible before its parts. It returns ErrDuplicate, and writes
// nothing new, when the key was stored before.
func (s Events) PutEvent(ctx context.Context, e Event) error {
	item, zipped, err := eventItem(e)
	if err != nil {
		return err
	}
	if len(zipped) > chunkSize {
		parts := splitChunks(zipped, chunkSize)
		if err := s.putParts(ctx, e.Key, parts, item["expires"].(*types.AttributeValueMemberN).Value); err != nil {
			return err
		}
		item["parts"] = &types.AttributeValueMemberN{Value: strconv.Itoa(len(parts))}
	}
	_, err = s.API.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(s.Table),
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	var cond *types.ConditionalCheckFailedException
	if errors.As(err, &cond) {
		return ErrDuplicate
	}
	if err != nil {
		return fmt.Errorf("put event %s: %w", e.Key, err)
	}
	return nil
}

// ErrEventTooLarge is returned by EventPut for a payload that would need part items, which a
// transaction cannot write before the head item.
var ErrEventTooLarge = errors.New("event payload too large for one item")

// EventPut is the conditional put of e into the events table as one item of a transaction, so
// that a state change and the internal event announcing it commit together or not at all: the
// event can then never be lost after the change (nor exist without it). Only payloads that fit
// one item are accepted (internal events are small); the transaction fails with a condition
// failure on this item if the key exists.
func EventPut(table string, e Event) (*types.Put, error) {
	item, zipped, err := eventItem(e)
	if err != nil {
		return nil, err
	}
	if len(zipped) > chunkSize {
		return nil, fmt.Errorf("event %s: %w", e.Key, ErrEventTooLarge)
	}
	return &types.Put{TableName: aws.String(table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}, nil
}

// eventItem is e's head item; the payload is inline when it fits (zipped is returned so a
// caller can split a larger one into parts).
func eventItem(e Event) (map[string]types.AttributeValue, []byte, error) {
	zipped, err := gzipBytes(e.Payload)
	if err != nil {
		return nil, nil, fmt.Errorf("compress payload: %w", err)
	}
	item := map[string]types.AttributeValue{
		"pk":       &types.AttributeValueMemberS{Value: e.Key},
		"source":   &types.AttributeValueMemberS{Value: e.Source},
		"event":    &types.AttributeValueMemberS{Value: e.Type},
		"received": &types.AttributeValueMemberS{Value: e.ReceivedAt.UTC().Format(time.RFC3339Nano)},
		"expires":  &types.AttributeValueMemberN{Value: strconv.FormatInt(e.ReceivedAt.Add(EventRetention).Unix(), 10)},
	}
	if e.Action != "" {
		item["action"] = &types.AttributeValueMemberS{Value: e.Action}
	}
	if e.Repo != "" {
		item["repo"] = &types.AttributeValueMemberS{Value: e.Repo}
	}
	if e.Test {
		item["test"] = &types.AttributeValueMemberBOOL{Value: true}
	}
	if len(zipped) <= chunkSize {
		item["payload"] = &types.AttributeValueMemberB{Value: zipped}
	}
	return item, zipped, nil
}

func partKey(key string, i int) string { return key + "#part#" + strconv.Itoa(i) }

// putParts writes part items; rewriting them on a redelivery is harmless (same bytes).
func (s Events) putParts(ctx context.Context, key string, parts [][]byte, expires string) error {
	var reqs []types.WriteRequest
	for i, p := range parts {
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{
			"pk":      &types.AttributeValueMemberS{Value: partKey(key, i)},
			"data":    &types.AttributeValueMemberB{Value: p},
			"expires": &types.AttributeValueMemberN{Value: expires},
		}}})
	}
	return BatchWrite(ctx, s.API, s.Table, reqs)
}

// EventFromItem decodes a head item as stored by PutEvent. When the payload was split into
// parts, Payload is nil and parts says how many LoadParts must fetch.
func EventFromItem(item map[string]types.AttributeValue) (e Event, parts int, err error) {
	e.Key = str(item["pk"])
	e.Source = str(item["source"])
	e.Type = str(item["event"])
	e.Action = str(item["action"])
	e.Repo = str(item["repo"])
	if b, ok := item["test"].(*types.AttributeValueMemberBOOL); ok {
		e.Test = b.Value
	}
	if ts := str(item["received"]); ts != "" {
		if e.ReceivedAt, err = time.Parse(time.RFC3339Nano, ts); err != nil {
			return e, 0, fmt.Errorf("event %s: bad received time: %w", e.Key, err)
		}
	}
	if n, ok := item["parts"].(*types.AttributeValueMemberN); ok {
		parts, err = strconv.Atoi(n.Value)
		return e, parts, err
	}
	if b, ok := item["payload"].(*types.AttributeValueMemberB); ok {
		if e.Payload, err = gunzipBytes(b.Value); err != nil {
			return e, 0, fmt.Errorf("event %s: %w", e.Key, err)
		}
	}
	return e, 0, nil
}

// GetEvent reads a stored event with its whole payload.
func (s Events) GetEvent(ctx context.Context, key string) (Event, error) {
	out, err := s.API.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.Table),
		Key:            map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: key}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Event{}, fmt.Errorf("get event %s: %w", key, err)
	}
	if out.Item == nil {
		return Event{}, fmt.Errorf("event %s: %w", key, ErrNotFound)
	}
	e, parts, err := EventFromItem(out.Item)
	if err != nil || parts == 0 {
		return e, err
	}
	e.Payload, err = s.LoadParts(ctx, key, parts)
	return e, err
}

// LoadParts reassembles a payload that PutEvent split into parts.
func (s Events) LoadParts(ctx context.Context, key string, parts int) ([]byte, error) {
	keys := make([]map[string]types.AttributeValue, parts)
	for i := range keys {
		keys[i] = map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: partKey(key, i)}}
	}
	items, err := BatchGet(ctx, s.API, s.Table, keys)
	if err != nil {
		return nil, fmt.Errorf("load parts of %s: %w", key, err)
	}
	byKey := make(map[string][]byte, len(items))
	for _, it := range items {
		if b, ok := it["data"].(*types.AttributeValueMemberB); ok {
			byKey[str(it["pk"])] = b.Value
		}
	}
	var zipped []byte
	for i := 0; i < parts; i++ {
		p, ok := byKey[partKey(key, i)]
		if !ok {
			return nil, fmt.Errorf("load parts of %s: part %d: %w", key, i, ErrNotFound)
		}
		zipped = append(zipped, p...)
	}
	return gunzipBytes(zipped)
}

func str(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

func splitChunks(b []byte, size int) [][]byte {
	var out [][]byte
	for len(b) > size {
		out = append(out, b[:size])
		b = b[size:]
	}
	return append(out, b)
}
