package sprints

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

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/store"
)

// API is the part of the DynamoDB client the store needs.
type API interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

var _ API = (*dynamodb.Client)(nil)

// Retention is how long a milestone's tasks, changes and snapshots are kept after they were
// last written, and a sprint after it ended: a year of sprints to compare with.
const Retention = 400 * 24 * time.Hour

// maxAttempts bounds optimistic read-modify-write retries.
const maxAttempts = 10

// Store keeps sprints in the state table:
//
//	sprint     pk SPRINTS#<team>              sk S#<milestone key>   dates, state, goals, notes
//	milestone  pk SPRINTS#<team>              sk M#<milestone key>   a milestone seen (for /sprint start)
//	task       pk SPRINT#<team>#<milestone>   sk T#<task key>        the task as last seen
//	change     pk SPRINT#<team>#<milestone>   sk L#<at>#<task>#<id>  one per change, written once
//	snapshot   pk SPRINT#<team>#<milestone>   sk D#<YYYY-MM-DD>      the end of a business day, written once
//	plan       pk SPRINT#<team>#<milestone>   sk PLAN                the planned scope, written once
//	issue      pk SPRINTGH#<repo>#<number>    sk MS                  the milestone a GitHub issue was last seen in
//
// A team's sprints are one small partition (what /sprint reads first); everything about one
// milestone is another, read in one query for a report.
type Store struct {
	API   API
	Table string
}

func teamPK(team string) string          { return "SPRINTS#" + team }
func milestonePK(team, ms string) string { return "SPRINT#" + team + "#" + ms }

func (s Store) put(ctx context.Context, item store.Item, cond string, vals map[string]types.AttributeValue) error {
	in := &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item}
	if cond != "" {
		in.ConditionExpression = aws.String(cond)
		in.ExpressionAttributeValues = vals
	}
	_, err := s.API.PutItem(ctx, in)
	return err
}

func dataItem(pk, sk string, v any, expires time.Time) (store.Item, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	item := store.Key(pk, sk)
	item["data"] = store.S(string(data))
	item["expires"] = store.Expires(expires, Retention)
	return item, nil
}

// TeamSprints returns the team's sprints (by start) and the milestones it has seen.
func (s Store) TeamSprints(ctx context.Context, team string) ([]*Sprint, []Milestone, error) {
	items, err := store.QueryAll(ctx, s.API, &dynamodb.QueryInput{
		TableName:                 aws.String(s.Table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": store.S(teamPK(team))},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read sprints of %s: %w", team, err)
	}
	var sprints []*Sprint
	var milestones []Milestone
	for _, it := range items {
		sk := store.Str(it, "sk")
		switch {
		case strings.HasPrefix(sk, "S#"):
			sp := &Sprint{}
			if err := json.Unmarshal([]byte(store.Str(it, "data")), sp); err != nil {
				return nil, nil, fmt.Errorf("decode sprint %s of %s: %w", sk, team, err)
			}
			sp.rev = store.Int(it, "rev")
			sprints = append(sprints, sp)
		case strings.HasPrefix(sk, "M#"):
			var m Milestone
			if err := json.Unmarshal([]byte(store.Str(it, "data")), &m); err != nil {
				return nil, nil, fmt.Errorf("decode milestone %s of %s: %w", sk, team, err)
			}
			milestones = append(milestones, m)
		}
	}
	sortSprints(sprints)
	return sprints, milestones, nil
}

func sortSprints(ss []*Sprint) {
	for i := 1; i < len(ss); i++ {
		for j := i; j > 0 && ss[j].From.Compare(ss[j-1].From) < 0; j-- {
			ss[j], ss[j-1] = ss[j-1], ss[j]
		}
	}
}

// Sprint reads one sprint; store.ErrNotFound when the milestone is not a sprint of the team.
func (s Store) Sprint(ctx context.Context, team, ms string) (*Sprint, error) {
	out, err := s.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: store.Key(teamPK(team), "S#"+ms), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read sprint %s of %s: %w", ms, team, err)
	}
	if out.Item == nil {
		return nil, fmt.Errorf("sprint %s of %s: %w", ms, team, store.ErrNotFound)
	}
	sp := &Sprint{}
	if err := json.Unmarshal([]byte(store.Str(out.Item, "data")), sp); err != nil {
		return nil, fmt.Errorf("decode sprint %s of %s: %w", ms, team, err)
	}
	sp.rev = store.Int(out.Item, "rev")
	return sp, nil
}

// ErrSprintExists is returned by CreateSprint when the milestone is a sprint already.
var ErrSprintExists = errors.New("the milestone is a sprint already")

// CreateSprint stores a new sprint; ErrSprintExists when its milestone is a sprint already.
func (s Store) CreateSprint(ctx context.Context, sp *Sprint) error {
	item, err := dataItem(teamPK(sp.Team), "S#"+sp.Milestone.Key, sp, sp.To.AddDays(1).In(time.UTC))
	if err != nil {
		return err
	}
	item["rev"] = store.N(1)
	err = s.put(ctx, item, "attribute_not_exists(pk)", nil)
	if store.CondFailed(err) {
		return ErrSprintExists
	}
	if err != nil {
		return fmt.Errorf("store sprint %s of %s: %w", sp.Milestone.Key, sp.Team, err)
	}
	sp.rev = 1
	return nil
}

// UpdateSprint reads the sprint, lets fn change it (fn reports whether it did) and writes it
// back unless someone wrote in between, then starts over. It returns the sprint as stored.
func (s Store) UpdateSprint(ctx context.Context, team, ms string, fn func(sp *Sprint) bool) (*Sprint, error) {
	for attempt := 0; attempt < maxAttempts; attempt++ {
		sp, err := s.Sprint(ctx, team, ms)
		if err != nil {
			return nil, err
		}
		if !fn(sp) {
			return sp, nil
		}
		item, err := dataItem(teamPK(team), "S#"+ms, sp, sp.To.AddDays(1).In(time.UTC))
		if err != nil {
			return nil, err
		}
		item["rev"] = store.N(sp.rev + 1)
		err = s.put(ctx, item, "rev = :rev", map[string]types.AttributeValue{":rev": store.N(sp.rev)})
		if store.CondFailed(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("update sprint %s of %s: %w", ms, team, err)
		}
		sp.rev++
		return sp, nil
	}
	return nil, fmt.Errorf("update sprint %s of %s: still contended after %d attempts", ms, team, maxAttempts)
}

// SaveMilestone records a milestone the team may run a sprint on.
func (s Store) SaveMilestone(ctx context.Context, team string, m Milestone, now time.Time) error {
	item, err := dataItem(teamPK(team), "M#"+m.Key, m, now)
	if err != nil {
		return err
	}
	if err := s.put(ctx, item, "", nil); err != nil {
		return fmt.Errorf("save milestone %s of %s: %w", m.Key, team, err)
	}
	return nil
}

// Task reads a task of a team's milestone (nil when never seen there).
func (s Store) Task(ctx context.Context, team, ms, key string) (*Task, error) {
	out, err := s.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: store.Key(milestonePK(team, ms), "T#"+key), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read %s of %s: %w", key, ms, err)
	}
	if out.Item == nil {
		return nil, nil
	}
	t := &Task{}
	if err := json.Unmarshal([]byte(store.Str(out.Item, "data")), t); err != nil {
		return nil, fmt.Errorf("decode %s of %s: %w", key, ms, err)
	}
	return t, nil
}

// PutTask writes a task's state unless a newer observation was written meanwhile; it reports
// whether it wrote.
func (s Store) PutTask(ctx context.Context, team, ms string, t Task, now time.Time) (bool, error) {
	item, err := dataItem(milestonePK(team, ms), "T#"+t.Key, t, now)
	if err != nil {
		return false, err
	}
	item["version"] = store.S(t.Version)
	err = s.put(ctx, item, "attribute_not_exists(pk) OR version <= :v", map[string]types.AttributeValue{":v": store.S(t.Version)})
	if store.CondFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("write %s of %s: %w", t.Key, ms, err)
	}
	return true, nil
}

// AddChange records a change once (by its id); fresh is false when it was recorded before.
func (s Store) AddChange(ctx context.Context, team, ms string, c Change) (fresh bool, err error) {
	item, err := dataItem(milestonePK(team, ms), "L#"+store.TS(c.At)+"#"+c.Task+"#"+c.ID, c, c.At)
	if err != nil {
		return false, err
	}
	err = s.put(ctx, item, "attribute_not_exists(pk)", nil)
	if store.CondFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("record %s of %s in %s: %w", c.Kind, c.Task, ms, err)
	}
	return true, nil
}

// PutPlan stores the planned scope once; the plan already stored wins (and is returned).
func (s Store) PutPlan(ctx context.Context, team, ms string, p Plan) (*Plan, error) {
	item, err := dataItem(milestonePK(team, ms), "PLAN", p, p.Captured)
	if err != nil {
		return nil, err
	}
	err = s.put(ctx, item, "attribute_not_exists(pk)", nil)
	if store.CondFailed(err) {
		return s.Plan(ctx, team, ms)
	}
	if err != nil {
		return nil, fmt.Errorf("store the plan of %s: %w", ms, err)
	}
	return &p, nil
}

// Plan reads the planned scope (nil before the sprint started).
func (s Store) Plan(ctx context.Context, team, ms string) (*Plan, error) {
	out, err := s.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: store.Key(milestonePK(team, ms), "PLAN"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read the plan of %s: %w", ms, err)
	}
	if out.Item == nil {
		return nil, nil
	}
	p := &Plan{}
	if err := json.Unmarshal([]byte(store.Str(out.Item, "data")), p); err != nil {
		return nil, fmt.Errorf("decode the plan of %s: %w", ms, err)
	}
	return p, nil
}

// PutDay stores a day's snapshot once: what was known at the end of that day stays what the
// report shows, whatever arrives later.
func (s Store) PutDay(ctx context.Context, team, ms string, p Point) error {
	item, err := dataItem(milestonePK(team, ms), "D#"+p.Day.String(), p, p.At)
	if err != nil {
		return err
	}
	if err := s.put(ctx, item, "attribute_not_exists(pk)", nil); err != nil && !store.CondFailed(err) {
		return fmt.Errorf("store the snapshot of %s for %s: %w", ms, p.Day, err)
	}
	return nil
}

// SnapshotDays returns the days of a milestone that have a snapshot.
func (s Store) SnapshotDays(ctx context.Context, team, ms string) (map[config.Date]bool, error) {
	items, err := store.QueryAll(ctx, s.API, &dynamodb.QueryInput{
		TableName:                 aws.String(s.Table),
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :d)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": store.S(milestonePK(team, ms)), ":d": store.S("D#")},
		ProjectionExpression:      aws.String("sk"),
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("read the snapshots of %s: %w", ms, err)
	}
	out := map[config.Date]bool{}
	for _, it := range items {
		if d, err := config.ParseDate(strings.TrimPrefix(store.Str(it, "sk"), "D#")); err == nil {
			out[d] = true
		}
	}
	return out, nil
}

// Changes returns a milestone's recorded changes in order.
func (s Store) Changes(ctx context.Context, team, ms string) ([]Change, error) {
	items, err := store.QueryAll(ctx, s.API, &dynamodb.QueryInput{
		TableName:                 aws.String(s.Table),
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :l)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": store.S(milestonePK(team, ms)), ":l": store.S("L#")},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("read the changes of %s: %w", ms, err)
	}
	out := make([]Change, 0, len(items))
	for _, it := range items {
		var c Change
		if err := json.Unmarshal([]byte(store.Str(it, "data")), &c); err != nil {
			return nil, fmt.Errorf("decode a change of %s: %w", ms, err)
		}
		out = append(out, c)
	}
	sortChanges(out)
	return out, nil
}

// Load reads everything recorded about a team's milestone in one query (paged).
func (s Store) Load(ctx context.Context, team, ms string) (*Data, error) {
	items, err := store.QueryAll(ctx, s.API, &dynamodb.QueryInput{
		TableName:                 aws.String(s.Table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": store.S(milestonePK(team, ms))},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("read %s of %s: %w", ms, team, err)
	}
	d := &Data{Tasks: map[string]Task{}, Days: map[config.Date]Point{}}
	for _, it := range items {
		sk, raw := store.Str(it, "sk"), []byte(store.Str(it, "data"))
		var err error
		switch {
		case strings.HasPrefix(sk, "T#"):
			var t Task
			if err = json.Unmarshal(raw, &t); err == nil {
				d.Tasks[t.Key] = t
			}
		case strings.HasPrefix(sk, "L#"):
			var c Change
			if err = json.Unmarshal(raw, &c); err == nil {
				d.Changes = append(d.Changes, c)
			}
		case strings.HasPrefix(sk, "D#"):
			var p Point
			if err = json.Unmarshal(raw, &p); err == nil {
				d.Days[p.Day] = p
			}
		case sk == "PLAN":
			d.Plan = &Plan{}
			err = json.Unmarshal(raw, d.Plan)
		}
		if err != nil {
			return nil, fmt.Errorf("decode %s of %s: %w", sk, ms, err)
		}
	}
	sortChanges(d.Changes)
	return d, nil
}

// IssueMilestone returns the milestone a GitHub issue was last seen in ("" for none) and the
// version of that observation.
func (s Store) IssueMilestone(ctx context.Context, repo string, number int) (ms, version string, err error) {
	out, err := s.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: issueKey(repo, number), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return "", "", fmt.Errorf("read the milestone of %s#%d: %w", repo, number, err)
	}
	return store.Str(out.Item, "ms"), store.Str(out.Item, "version"), nil
}

// SetIssueMilestone records the milestone a GitHub issue is in, unless a newer observation
// was recorded.
func (s Store) SetIssueMilestone(ctx context.Context, repo string, number int, ms, version string, now time.Time) error {
	item := issueKey(repo, number)
	item["ms"], item["version"], item["expires"] = store.S(ms), store.S(version), store.Expires(now, Retention)
	err := s.put(ctx, item, "attribute_not_exists(pk) OR version <= :v", map[string]types.AttributeValue{":v": store.S(version)})
	if err != nil && !store.CondFailed(err) {
		return fmt.Errorf("record the milestone of %s#%d: %w", repo, number, err)
	}
	return nil
}

func issueKey(repo string, number int) store.Item {
	return store.Key(fmt.Sprintf("SPRINTGH#%s#%d", strings.ToLower(repo), number), "MS")
}
