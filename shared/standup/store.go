package standup

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/store"
)

// StoreAPI is the part of the DynamoDB client the standup store needs.
type StoreAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var _ StoreAPI = (*dynamodb.Client)(nil)

// Store keeps standups in the state table (see the package doc for the key layout).
type Store struct {
	API   StoreAPI
	Table string
	// Events is the events table. Submissions and reviews write their internal event
	// (standup.submitted, standup.reviewed) there in the same transaction as the change, so the
	// work it triggers (blockers to the delivery manager, the late post, closing the overdue
	// issue) can never be lost after the change commits.
	Events string
}

// errNoEventsTable: Submit and MarkReviewed cannot commit their event.
var errNoEventsTable = errors.New("standup store has no events table: the submitted/reviewed event could not be written with the change")

// Errors callers branch on.
var (
	// ErrReviewed: the standup was reviewed and can no longer be edited.
	ErrReviewed = errors.New("standup already reviewed")
	// ErrConflict: the entry changed since it was read (a concurrent submission).
	ErrConflict = errors.New("standup changed concurrently")
	// ErrNotSubmitted: there is nothing to review yet.
	ErrNotSubmitted = errors.New("standup not submitted")
)

// Retention of standup items (slots, entries, reviews): about 13 months, so that a year of
// history stays visible.
const Retention = 400 * 24 * time.Hour

const (
	skEntry  = "#entry"
	skReview = "#review"
	skLast   = "last"
	awaySK   = "ranges"
	tickPK   = "SUPTICK"
	tickSK   = "cursor"

	stageBring  = "bring#"
	stageWait   = "wait#"
	stageTicket = "ticket#"
)

func standupPK(client, person string) string { return "SUP#" + client + "#" + person }

// reviewIndexPK is the one review-queue partition: a tick reads the whole queue with two
// queries however many clients there are (a few thousand writes a day are far below a
// partition's limits).
const reviewIndexPK = "SUPREV"

func awayPK(person string) string { return "SUPAWAY#" + person }

// expires is the TTL of a standup item written at t.
func expires(t time.Time) types.AttributeValue { return store.Expires(t, Retention) }
func digestPK(team string) string              { return "SUPDIGEST#" + team }

func slotKey(id ID) map[string]types.AttributeValue {
	return store.Key(standupPK(id.Client, id.Person), id.Date.String())
}
func entryKey(id ID) map[string]types.AttributeValue {
	return store.Key(standupPK(id.Client, id.Person), id.Date.String()+skEntry)
}
func reviewKey(id ID) map[string]types.AttributeValue {
	return store.Key(standupPK(id.Client, id.Person), id.Date.String()+skReview)
}
func lastKey(client, person string) map[string]types.AttributeValue {
	return store.Key(standupPK(client, person), skLast)
}
