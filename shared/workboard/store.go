package workboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/store"
)

// API is the part of the DynamoDB client the store needs.
type API interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

var _ API = (*dynamodb.Client)(nil)

// IncidentRetention is how long an incident is kept after it was raised (response-time
// statistics look back a year at most).
const IncidentRetention = 400 * 24 * time.Hour

// Store keeps incidents, the teams' resolved boards and announcement markers in the state
// table (see the package doc for the keys).
type Store struct {
	API   API
	Table string
}

// Incident is one Unbreak Now! episode of a task for a team: from the transaction that made it
// Unbreak Now! (or tagged the team on an Unbreak Now! task) to the one that lowered it, closed
// it or took it off the team's project.
type Incident struct {
	Team string `json:"team"`
	// ID is the incident's sort key: INC#<raised>#<task>#<transaction>.
	ID     string `json:"id"`
	Task   string `json:"task"`
	TaskID int    `json:"task_id"`
	Title  string `json:"title"`
	URL    string `json:"url"`
	Xact   string `json:"xact"`
	// RaiseGroup is the raising edit's transaction group (its other transactions are part of
	// the raise, not responses to it).
	RaiseGroup string `json:"raise_group,omitempty"`
	RaisedBy   string `json:"raised_by"` // user PHID
	// RaisedByName is how the raiser is shown (a person's name, or the Phabricator username).
	RaisedByName string    `json:"raised_by_name"`
	RaisedAt     time.Time `json:"raised_at"`
	// Channel and TS locate the announcement ("" when none was posted: the incident was over
	// before Rituals heard of it).
	Channel string `json:"channel,omitempty"`
	TS      string `json:"ts,omitempty"`
	// Duty is the person on duty when it was raised ("" when the team has no rotation).
	Duty string `json:"duty,omitempty"`
	// RespondedAt is the first response by a team member, RespondedBy their person id and
	// RespondedHow what they did ("acknowledged in Slack", "commented", "claimed the task"...).
	RespondedAt  time.Time `json:"responded_at"`
	RespondedBy  string    `json:"responded_by,omitempty"`
	RespondedHow string    `json:"responded_how,omitempty"`
	// TakenBy is the person who pressed Take it (the task is assigned to them).
	TakenBy string `json:"taken_by,omitempty"`
	// ResolvedAt ends the incident; ResolvedHow says how ("priority lowered to High by bob").
	ResolvedAt  time.Time `json:"resolved_at"`
	ResolvedHow string    `json:"resolved_how,omitempty"`
	// EscalatedAt is when the EM was told.
	EscalatedAt time.Time `json:"escalated_at"`
	Rev         int       `json:"rev"`
}

// Open reports whether the incident is not resolved.
func (i *Incident) Open() bool { return i.ResolvedAt.IsZero() }

// Key is the incident's Slack button value: team and id.
func (i *Incident) Key() string { return i.Team + "|" + i.ID }

// ParseKey splits a button value into team and incident id.
func ParseKey(v string) (team, id string, ok bool) {
	team, id, ok = strings.Cut(v, "|")
	return team, id, ok && team != "" && strings.HasPrefix(id, "INC#")
}

func incidentPK(team string) string { return "PHABUBN#" + team }
func openPK(team string) string     { return "PHABUBNOPEN#" + team }

// IncidentID is the id of the incident raised by transaction xact of task at raised.
func IncidentID(raised time.Time, task, xact string) string {
	return "INC#" + store.TS(raised) + "#" + task + "#" + xact
}

func (s Store) incidentItem(i *Incident) store.Item {
	data, _ := json.Marshal(i)
	item := store.Key(incidentPK(i.Team), i.ID)
	item["data"] = store.S(string(data))
	item["rev"] = store.N(int64(i.Rev))
	item["raised"] = store.S(store.TS(i.RaisedAt))
	item["expires"] = store.Expires(i.RaisedAt, IncidentRetention)
	if i.Open() {
		item["gsi1pk"] = store.S(openPK(i.Team))
		item["gsi1sk"] = store.S(store.TS(i.RaisedAt) + "#" + i.Task)
	}
	return item
}

func decodeIncident(item store.Item) (*Incident, error) {
	var i Incident
	if err := json.Unmarshal([]byte(store.Str(item, "data")), &i); err != nil {
		return nil, fmt.Errorf("decode incident %s: %w", store.Str(item, "sk"), err)
	}
	i.Rev = int(store.Int(item, "rev"))
	return &i, nil
}

// Create stores a new incident; it reports false (and stores nothing new) when one with its id
// exists, which a redelivery of the raising transaction gives. Either way it records the
// incident on the task too (see OpenForTask), so a crash between the two writes is mended by
// the retry.
func (s Store) Create(ctx context.Context, i *Incident) (bool, error) {
	i.Rev = 1
	_, err := s.API.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.Table), Item: s.incidentItem(i), ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	created := err == nil
	if err != nil && !store.CondFailed(err) {
		return false, fmt.Errorf("create incident %s: %w", i.ID, err)
	}
	marker := store.Key("PHABTASK#"+i.Task, taskIncidentSK(i.Team, i.ID))
	marker["expires"] = store.Expires(i.RaisedAt, IncidentRetention)
	if _, err := s.API.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: marker}); err != nil {
		return false, fmt.Errorf("record incident %s on its task: %w", i.ID, err)
	}
	return created, nil
}

// taskIncidentSK is the sort key, under the task, of a team's incident of the task.
func taskIncidentSK(team, id string) string { return "UBN#" + team + "#" + id }

// Get reads an incident; store.ErrNotFound when there is none.
func (s Store) Get(ctx context.Context, team, id string) (*Incident, error) {
	out, err := s.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: store.Key(incidentPK(team), id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read incident %s: %w", id, err)
	}
	if out.Item == nil {
		return nil, fmt.Errorf("incident %s: %w", id, store.ErrNotFound)
	}
	return decodeIncident(out.Item)
}

// Update applies fn to the incident and writes it if fn reports a change, on condition that
// nobody wrote it since it was read (retrying on a conflict). It returns the incident as
// written (or as read, when nothing changed) and whether it changed.
func (s Store) Update(ctx context.Context, team, id string, fn func(i *Incident) bool) (*Incident, bool, error) {
	for attempt := 0; attempt < 8; attempt++ {
		i, err := s.Get(ctx, team, id)
		if err != nil {
			return nil, false, err
		}
		if !fn(i) {
			return i, false, nil
		}
		prev := i.Rev
		i.Rev++
		_, err = s.API.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(s.Table), Item: s.incidentItem(i),
			ConditionExpression:       aws.String("rev = :r"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":r": store.N(int64(prev))},
		})
		if store.CondFailed(err) {
			continue
		}
		if err != nil {
			return nil, false, fmt.Errorf("write incident %s: %w", id, err)
		}
		return i, true, nil
	}
	return nil, false, fmt.Errorf("write incident %s: too many concurrent changes", id)
}

// ListOpen returns the team's open incidents, oldest first. The index may lag a write by a
// moment: callers that change an incident re-read it (Update does).
func (s Store) ListOpen(ctx context.Context, team string) ([]*Incident, error) {
	items, err := store.QueryAll(ctx, s.API, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), IndexName: aws.String("gsi1"),
		KeyConditionExpression:    aws.String("gsi1pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": store.S(openPK(team))},
	})
	if err != nil {
		return nil, fmt.Errorf("list open incidents of %s: %w", team, err)
	}
	var out []*Incident
	for _, it := range items {
		i, err := decodeIncident(it)
		if err != nil {
			return nil, err
		}
		if i.Open() {
			out = append(out, i)
		}
	}
	return out, nil
}

// OpenForTask returns the team's open incidents of a task, read consistently: a response
// delivered a moment after its raise must find the incident, which the open-incident index
// may not list yet.
func (s Store) OpenForTask(ctx context.Context, team, task string) ([]*Incident, error) {
	items, err := store.QueryAll(ctx, s.API, &dynamodb.QueryInput{
		TableName:              aws.String(s.Table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :p)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": store.S("PHABTASK#" + task), ":p": store.S(taskIncidentSK(team, "")),
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("list incidents of %s: %w", task, err)
	}
	var out []*Incident
	for _, it := range items {
		i, err := s.Get(ctx, team, strings.TrimPrefix(store.Str(it, "sk"), taskIncidentSK(team, "")))
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if i.Open() {
			out = append(out, i)
		}
	}
	return out, nil
}

// Since returns the team's incidents raised at or after from, oldest first (open or not):
// response and resolution times for statistics.
func (s Store) Since(ctx context.Context, team string, from time.Time) ([]*Incident, error) {
	items, err := store.QueryAll(ctx, s.API, &dynamodb.QueryInput{
		TableName:              aws.String(s.Table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :a AND :z"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": store.S(incidentPK(team)), ":a": store.S("INC#" + store.TS(from)), ":z": store.S("INC#~"),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("list incidents of %s: %w", team, err)
	}
	out := make([]*Incident, 0, len(items))
	for _, it := range items {
		i, err := decodeIncident(it)
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, nil
}

// BoardSummary is a team's board as last resolved, for the paths that do not call Conduit
// (/phab, the tick): the project, the triage column and the columns' names.
type BoardSummary struct {
	Team        string            `json:"team"`
	Project     string            `json:"project"`
	ProjectName string            `json:"project_name"`
	Triage      string            `json:"triage,omitempty"`
	TriageName  string            `json:"triage_name,omitempty"`
	Columns     map[string]string `json:"columns"` // PHID → name
	// URL is the server's root, for links.
	URL string `json:"url"`
}

// SaveBoard stores a team's board summary.
func (s Store) SaveBoard(ctx context.Context, b BoardSummary) error {
	data, _ := json.Marshal(b)
	item := store.Key("PHABBOARD#"+b.Team, "BOARD")
	item["data"] = store.S(string(data))
	if _, err := s.API.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item}); err != nil {
		return fmt.Errorf("save board of %s: %w", b.Team, err)
	}
	return nil
}

// Board reads a team's board summary; store.ErrNotFound before the first delivery or tick.
func (s Store) Board(ctx context.Context, team string) (*BoardSummary, error) {
	out, err := s.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: store.Key("PHABBOARD#"+team, "BOARD")})
	if err != nil {
		return nil, fmt.Errorf("read board of %s: %w", team, err)
	}
	if out.Item == nil {
		return nil, fmt.Errorf("board of %s: %w", team, store.ErrNotFound)
	}
	var b BoardSummary
	if err := json.Unmarshal([]byte(store.Str(out.Item, "data")), &b); err != nil {
		return nil, fmt.Errorf("decode board of %s: %w", team, err)
	}
	return &b, nil
}

// Announced reports whether the task was announced to the team (ever).
func (s Store) Announced(ctx context.Context, team, task string) (bool, error) {
	out, err := s.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: store.Key("PHABTASK#"+task, "NEW#"+team), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return false, fmt.Errorf("read announcement of %s: %w", task, err)
	}
	return out.Item != nil, nil
}

// MarkAnnounced records, on the task, that it was announced to the team. Unlike an effect
// record it has no expiry: a task announced once is never announced again.
func (s Store) MarkAnnounced(ctx context.Context, team, task string, at time.Time) error {
	item := store.Key("PHABTASK#"+task, "NEW#"+team)
	item["at"] = store.S(store.TS(at))
	if _, err := s.API.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item}); err != nil {
		return fmt.Errorf("record announcement of %s: %w", task, err)
	}
	return nil
}
