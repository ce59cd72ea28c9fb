package clinic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
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
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var _ API = (*dynamodb.Client)(nil)

// Retention is how long sign-ups, patches and ledger items are kept after their last change:
// a year of statistics, like support's.
const Retention = 400 * 24 * time.Hour

// Store keeps sign-ups, sprint seats, outside patches and the duty ledger in the state table
// (see the package doc for the key layout). Events is the events table: a change and the
// internal event announcing it commit in one transaction.
type Store struct {
	API    API
	Table  string
	Events string
}

// Errors callers branch on.
var (
	// ErrAlreadyQueued: the requester has a sign-up waiting for a decision with the team.
	ErrAlreadyQueued = errors.New("a sign-up of this person is already waiting")
	// ErrNotPending: the sign-up was decided or withdrawn already.
	ErrNotPending = errors.New("sign-up no longer waiting for a decision")
	// ErrConflict: concurrent writers kept winning.
	ErrConflict = errors.New("concurrent changes")
	// ErrNoRoom: no sprint in the planning horizon has room for the visit.
	ErrNoRoom = errors.New("no sprint with room in the planning horizon")
)

const maxAttempts = 8

func teamPK(team string) string   { return "CLINIC#" + team }
func queuePK(team string) string  { return "CLINICQ#" + team }
func patchPK(team string) string  { return "CLINICPATCH#" + team }
func waitPK(team string) string   { return "CLINICWAIT#" + team }
func ledgerPK(team string) string { return "CLINICLOG#" + team }
func triagePK(team string) string { return "CLINICTRIAGE#" + team }
func signupSK(n int) string       { return fmt.Sprintf("SIGNUP#%06d", n) }
func sprintSK(p int) string       { return fmt.Sprintf("SPRINT#%08d", p+10_000_000) }
func activeSK(user string) string { return "ACTIVE#" + user }

// ---- sign-ups

func (st Store) signupItem(s *Signup, now time.Time) store.Item {
	data, _ := json.Marshal(s)
	item := store.Key(teamPK(s.Team), signupSK(s.N))
	item["data"] = store.S(string(data))
	item["rev"] = store.N(int64(s.Rev))
	item["expires"] = store.Expires(now, Retention)
	if s.State == Pending {
		item["gsi1pk"] = store.S(queuePK(s.Team))
		item["gsi1sk"] = store.S(store.TS(s.Queued) + fmt.Sprintf("#%06d", s.N))
	}
	return item
}

func decodeSignup(item store.Item) (*Signup, error) {
	var s Signup
	if err := json.Unmarshal([]byte(store.Str(item, "data")), &s); err != nil {
		return nil, fmt.Errorf("decode sign-up %s/%s: %w", store.Str(item, "pk"), store.Str(item, "sk"), err)
	}
	s.Rev = int(store.Int(item, "rev"))
	return &s, nil
}

func (st Store) put(item store.Item, cond string, vals map[string]types.AttributeValue) types.TransactWriteItem {
	p := &types.Put{TableName: aws.String(st.Table), Item: item}
	if cond != "" {
		p.ConditionExpression = aws.String(cond)
		if len(vals) > 0 {
			p.ExpressionAttributeValues = vals
		}
	}
	return types.TransactWriteItem{Put: p}
}

func (st Store) event(e store.Event) (types.TransactWriteItem, error) {
	p, err := store.EventPut(st.Events, e)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Put: p}, nil
}

// NewSignup numbers s, stores it at the back of the team's queue and commits the internal
// event event(s) with it, in one transaction. It returns ErrAlreadyQueued (storing nothing)
// when the requester has a sign-up with the team waiting for a decision.
func (st Store) NewSignup(ctx context.Context, s Signup, event func(*Signup) store.Event) (*Signup, error) {
	out, err := st.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(st.Table), Key: store.Key(teamPK(s.Team), "SEQ"),
		UpdateExpression:          aws.String("ADD seq :one"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": store.N(1)},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return nil, fmt.Errorf("number a sign-up of %s: %w", s.Team, err)
	}
	s.N, s.State, s.Rev = int(store.Int(out.Attributes, "seq")), Pending, 1
	ev, err := st.event(event(&s))
	if err != nil {
		return nil, err
	}
	active := store.Key(teamPK(s.Team), activeSK(s.Requester))
	active["n"] = store.N(int64(s.N))
	_, err = st.API.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		st.put(st.signupItem(&s, s.Asked), "attribute_not_exists(pk)", nil),
		st.put(active, "attribute_not_exists(pk)", nil),
		ev,
	}})
	if store.CondFailed(err) {
		return nil, ErrAlreadyQueued
	}
	if err != nil {
		return nil, fmt.Errorf("store sign-up %d of %s: %w", s.N, s.Team, err)
	}
	return &s, nil
}

// Signup reads a sign-up consistently; the error wraps store.ErrNotFound when there is none.
func (st Store) Signup(ctx context.Context, team string, n int) (*Signup, error) {
	out, err := st.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(st.Table), Key: store.Key(teamPK(team), signupSK(n)), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read sign-up %d of %s: %w", n, team, err)
	}
	if out.Item == nil {
		return nil, fmt.Errorf("sign-up %d of %s: %w", n, team, store.ErrNotFound)
	}
	return decodeSignup(out.Item)
}

// Queue returns the team's sign-ups waiting for a decision, in queue order (the index may lag
// a change by a moment; decisions re-read the sign-up).
func (st Store) Queue(ctx context.Context, team string) ([]*Signup, error) {
	items, err := store.QueryAll(ctx, st.API, &dynamodb.QueryInput{
		TableName: aws.String(st.Table), IndexName: aws.String("gsi1"),
		KeyConditionExpression:    aws.String("gsi1pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": store.S(queuePK(team))},
	})
	if err != nil {
		return nil, fmt.Errorf("read the queue of %s: %w", team, err)
	}
	var out []*Signup
	for _, it := range items {
		s, err := decodeSignup(it)
		if err != nil {
			return nil, err
		}
		if s.State == Pending {
			out = append(out, s)
		}
	}
	return out, nil
}

// Signups returns all the team's sign-ups kept (Retention), oldest first.
func (st Store) Signups(ctx context.Context, team string) ([]*Signup, error) {
	items, err := store.QueryAll(ctx, st.API, &dynamodb.QueryInput{
		TableName:                 aws.String(st.Table),
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :p)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": store.S(teamPK(team)), ":p": store.S("SIGNUP#")},
	})
	if err != nil {
		return nil, fmt.Errorf("read the sign-ups of %s: %w", team, err)
	}
	out := make([]*Signup, 0, len(items))
	for _, it := range items {
		s, err := decodeSignup(it)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// Seats returns how many visitors each sprint (duty period) from..to holds, and who.
func (st Store) Seats(ctx context.Context, team string, from, to int) (map[int][]int, error) {
	items, err := store.QueryAll(ctx, st.API, &dynamodb.QueryInput{
		TableName:              aws.String(st.Table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :a AND :z"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": store.S(teamPK(team)), ":a": store.S(sprintSK(from)), ":z": store.S(sprintSK(to)),
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("read the sprints of %s: %w", team, err)
	}
	out := map[int][]int{}
	for _, it := range items {
		var p int
		if _, err := fmt.Sscanf(store.Str(it, "sk"), "SPRINT#%d", &p); err != nil {
			continue
		}
		p -= 10_000_000
		if ss, ok := it["visitors"].(*types.AttributeValueMemberSS); ok {
			for _, v := range ss.Value {
				var n int
				if _, err := fmt.Sscanf(v, "%d", &n); err == nil {
					out[p] = append(out[p], n)
				}
			}
			sort.Ints(out[p])
		}
	}
	return out, nil
}

// Decision is what an approver decided.
type Decision string

// Decisions.
const (
	Accept  Decision = "accept"
	Defer   Decision = "defer"
	Decline Decision = "decline"
)

// PlanningHorizon is how many sprints ahead an accepted visit may be placed.
const PlanningHorizon = 26

// Decide records an approver's decision on a waiting sign-up, with its internal event, in one
// transaction. Accept places the visit in the first run of Sprints consecutive sprints from
// first on that each have room for one more of capacity visitors (the seats are taken in the
// same transaction, conditionally, so two accepts can never overfill a sprint). Defer moves the
// request to the back of the queue. It returns ErrNotPending when the sign-up was decided or
// withdrawn, ErrNoRoom when no sprint in PlanningHorizon has room.
func (st Store) Decide(ctx context.Context, team string, n int, d Decision, by string, now time.Time, first, capacity int, event func(*Signup) store.Event) (*Signup, error) {
	for attempt := 0; attempt < maxAttempts; attempt++ {
		cur, err := st.Signup(ctx, team, n)
		if err != nil {
			return nil, err
		}
		if cur.State != Pending {
			return cur, ErrNotPending
		}
		next := *cur
		next.Rev++
		next.DecidedAt, next.DecidedBy = now, by
		var items []types.TransactWriteItem
		switch d {
		case Accept:
			seats, err := st.Seats(ctx, team, first, first+PlanningHorizon+next.Sprints)
			if err != nil {
				return nil, err
			}
			s, ok := FirstRoom(seats, first, next.Sprints, capacity, PlanningHorizon)
			if !ok {
				return nil, ErrNoRoom
			}
			next.State, next.Sprint, next.Placed = Accepted, s, true
			for p := s; p < s+next.Sprints; p++ {
				items = append(items, st.takeSeat(team, p, n, capacity))
			}
		case Defer:
			next.Queued, next.DeferredAt = now, now
			next.Deferrals++
		case Decline:
			next.State = Declined
		default:
			return nil, fmt.Errorf("unknown decision %q", d)
		}
		ev, err := st.event(event(&next))
		if err != nil {
			return nil, err
		}
		items = append(items, st.put(st.signupItem(&next, now), "rev = :rev", map[string]types.AttributeValue{":rev": store.N(int64(cur.Rev))}), ev)
		if next.State != Pending {
			items = append(items, st.releaseActive(team, next.Requester, n))
		}
		_, err = st.API.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if store.CondFailed(err) {
			continue // another decision, a withdrawal or a full sprint: read again
		}
		if err != nil {
			return nil, fmt.Errorf("record the decision on sign-up %d of %s: %w", n, team, err)
		}
		return &next, nil
	}
	return nil, fmt.Errorf("decide sign-up %d of %s: %w", n, team, ErrConflict)
}

// FirstRoom returns the first sprint s ≥ first (within horizon) such that sprints s..s+count-1
// each hold fewer than capacity visitors.
func FirstRoom(seats map[int][]int, first, count, capacity, horizon int) (int, bool) {
	if count < 1 {
		count = 1
	}
	for s := first; s <= first+horizon; s++ {
		ok := true
		for p := s; p < s+count; p++ {
			if len(seats[p]) >= capacity {
				ok = false
				break
			}
		}
		if ok {
			return s, true
		}
	}
	return 0, false
}

func (st Store) takeSeat(team string, period, n, capacity int) types.TransactWriteItem {
	id := fmt.Sprint(n)
	return types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(st.Table), Key: store.Key(teamPK(team), sprintSK(period)),
		UpdateExpression:    aws.String("ADD seats :one, visitors :ids"),
		ConditionExpression: aws.String("(attribute_not_exists(seats) OR seats < :cap) AND (attribute_not_exists(visitors) OR NOT contains(visitors, :id))"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": store.N(1), ":ids": &types.AttributeValueMemberSS{Value: []string{id}}, ":cap": store.N(int64(capacity)), ":id": store.S(id),
		},
	}}
}

func (st Store) freeSeat(team string, period, n int) types.TransactWriteItem {
	id := fmt.Sprint(n)
	return types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(st.Table), Key: store.Key(teamPK(team), sprintSK(period)),
		UpdateExpression:    aws.String("ADD seats :minus DELETE visitors :ids"),
		ConditionExpression: aws.String("contains(visitors, :id)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":minus": store.N(-1), ":ids": &types.AttributeValueMemberSS{Value: []string{id}}, ":id": store.S(id),
		},
	}}
}

// releaseActive deletes the requester's "waiting" marker when it is this sign-up's.
func (st Store) releaseActive(team, requester string, n int) types.TransactWriteItem {
	return types.TransactWriteItem{Delete: &types.Delete{
		TableName: aws.String(st.Table), Key: store.Key(teamPK(team), activeSK(requester)),
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR n = :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": store.N(int64(n))},
	}}
}

// Withdraw takes back a sign-up for its requester: a waiting one leaves the queue, an accepted
// one gives its seats back (only before its first sprint ends). The change and its event commit
// together. It returns ErrNotPending when there is nothing left to withdraw.
func (st Store) Withdraw(ctx context.Context, team string, n int, now time.Time, sprintOf func(time.Time) int, event func(*Signup) store.Event) (*Signup, error) {
	for attempt := 0; attempt < maxAttempts; attempt++ {
		cur, err := st.Signup(ctx, team, n)
		if err != nil {
			return nil, err
		}
		if !Withdrawable(cur, sprintOf(now)) {
			return cur, ErrNotPending
		}
		next := *cur
		next.Rev++
		next.State, next.WithdrawnAt = Withdrawn, now
		var items []types.TransactWriteItem
		if cur.State == Accepted {
			for p := cur.Sprint; p < cur.Sprint+cur.Sprints; p++ {
				items = append(items, st.freeSeat(team, p, n))
			}
		}
		ev, err := st.event(event(&next))
		if err != nil {
			return nil, err
		}
		items = append(items, st.put(st.signupItem(&next, now), "rev = :rev", map[string]types.AttributeValue{":rev": store.N(int64(cur.Rev))}), ev,
			st.releaseActive(team, cur.Requester, n))
		_, err = st.API.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if store.CondFailed(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("withdraw sign-up %d of %s: %w", n, team, err)
		}
		return &next, nil
	}
	return nil, fmt.Errorf("withdraw sign-up %d of %s: %w", n, team, ErrConflict)
}

// Withdrawable reports whether s can still be taken back in sprint now: it waits for a
// decision, or it was accepted for sprints that have not all started yet.
func Withdrawable(s *Signup, now int) bool {
	return s.State == Pending || s.State == Accepted && s.Sprint > now
}

// ---- outside patches

func (st Store) patchItem(p *Patch, now time.Time) store.Item {
	data, _ := json.Marshal(p)
	item := store.Key(patchPK(p.Team), p.ID)
	item["data"] = store.S(string(data))
	item["rev"] = store.N(int64(p.Rev))
	item["expires"] = store.Expires(now, Retention)
	if p.Waiting() {
		item["gsi1pk"] = store.S(waitPK(p.Team))
		item["gsi1sk"] = store.S(store.TS(p.Due) + "#" + p.ID)
	}
	return item
}

func decodePatch(item store.Item) (*Patch, error) {
	var p Patch
	if err := json.Unmarshal([]byte(store.Str(item, "data")), &p); err != nil {
		return nil, fmt.Errorf("decode patch %s: %w", store.Str(item, "sk"), err)
	}
	p.Rev = int(store.Int(item, "rev"))
	return &p, nil
}

// CreatePatch stores a new patch; it reports false (storing nothing) when the patch exists.
func (st Store) CreatePatch(ctx context.Context, p *Patch, now time.Time) (bool, error) {
	p.Rev = 1
	_, err := st.API.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(st.Table), Item: st.patchItem(p, now), ConditionExpression: aws.String("attribute_not_exists(pk)")})
	if store.CondFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store patch %s of %s: %w", p.ID, p.Team, err)
	}
	return true, nil
}

// Patch reads a patch consistently; the error wraps store.ErrNotFound when there is none.
func (st Store) Patch(ctx context.Context, team, id string) (*Patch, error) {
	out, err := st.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(st.Table), Key: store.Key(patchPK(team), id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read patch %s of %s: %w", id, team, err)
	}
	if out.Item == nil {
		return nil, fmt.Errorf("patch %s of %s: %w", id, team, store.ErrNotFound)
	}
	return decodePatch(out.Item)
}

// UpdatePatch reads a patch, lets fn change it (reporting whether it did) and writes it back
// on condition of the revision read, retrying from the read when another writer won.
func (st Store) UpdatePatch(ctx context.Context, team, id string, now time.Time, fn func(p *Patch) bool) (*Patch, bool, error) {
	for attempt := 0; attempt < maxAttempts; attempt++ {
		cur, err := st.Patch(ctx, team, id)
		if err != nil {
			return nil, false, err
		}
		next := *cur
		if !fn(&next) {
			return cur, false, nil
		}
		next.Rev = cur.Rev + 1
		_, err = st.API.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(st.Table), Item: st.patchItem(&next, now),
			ConditionExpression:       aws.String("rev = :rev"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":rev": store.N(int64(cur.Rev))},
		})
		if store.CondFailed(err) {
			continue
		}
		if err != nil {
			return nil, false, fmt.Errorf("update patch %s of %s: %w", id, team, err)
		}
		return &next, true, nil
	}
	return nil, false, fmt.Errorf("update patch %s of %s: %w", id, team, ErrConflict)
}

// WaitingPatches returns the team's open patches without a first response, soonest due first
// (from the index; callers that change one re-read it).
func (st Store) WaitingPatches(ctx context.Context, team string) ([]*Patch, error) {
	items, err := store.QueryAll(ctx, st.API, &dynamodb.QueryInput{
		TableName: aws.String(st.Table), IndexName: aws.String("gsi1"),
		KeyConditionExpression:    aws.String("gsi1pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": store.S(waitPK(team))},
	})
	if err != nil {
		return nil, fmt.Errorf("read the waiting patches of %s: %w", team, err)
	}
	var out []*Patch
	for _, it := range items {
		p, err := decodePatch(it)
		if err != nil {
			return nil, err
		}
		if p.Waiting() {
			out = append(out, p)
		}
	}
	return out, nil
}

// Patches returns every patch of the team kept (Retention).
func (st Store) Patches(ctx context.Context, team string) ([]*Patch, error) {
	items, err := store.QueryAll(ctx, st.API, &dynamodb.QueryInput{
		TableName:                 aws.String(st.Table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": store.S(patchPK(team))},
	})
	if err != nil {
		return nil, fmt.Errorf("read the patches of %s: %w", team, err)
	}
	out := make([]*Patch, 0, len(items))
	for _, it := range items {
		p, err := decodePatch(it)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// NextReviewer advances the team's round-robin and returns its new count (1, 2, 3...).
func (st Store) NextReviewer(ctx context.Context, team string) (int, error) {
	out, err := st.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(st.Table), Key: store.Key(teamPK(team), "ROUNDROBIN"),
		UpdateExpression:          aws.String("ADD n :one"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": store.N(1)},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return 0, fmt.Errorf("advance the round-robin of %s: %w", team, err)
	}
	return int(store.Int(out.Attributes, "n")), nil
}

// ---- the duty ledger

// RecordDone records a completed task once (keyed by the closing transaction).
func (st Store) RecordDone(ctx context.Context, team, xact string, d Done) error {
	data, _ := json.Marshal(d)
	item := store.Key(ledgerPK(team), "DONE#"+store.TS(d.At)+"#"+d.Task+"#"+xact)
	item["data"] = store.S(string(data))
	item["expires"] = store.Expires(d.At, Retention)
	_, err := st.API.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(st.Table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")})
	if err != nil && !store.CondFailed(err) {
		return fmt.Errorf("record completed task %s of %s: %w", d.Task, team, err)
	}
	return nil
}

// DoneBetween returns the tasks completed in [from, to), oldest first.
func (st Store) DoneBetween(ctx context.Context, team string, from, to time.Time) ([]Done, error) {
	items, err := store.QueryAll(ctx, st.API, &dynamodb.QueryInput{
		TableName:              aws.String(st.Table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :a AND :z"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": store.S(ledgerPK(team)), ":a": store.S("DONE#" + store.TS(from)), ":z": store.S("DONE#" + store.TS(to)),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("read completed tasks of %s: %w", team, err)
	}
	var out []Done
	for _, it := range items {
		var d Done
		if err := json.Unmarshal([]byte(store.Str(it, "data")), &d); err != nil {
			return nil, fmt.Errorf("decode completed task %s: %w", store.Str(it, "sk"), err)
		}
		if d.At.Before(to) {
			out = append(out, d)
		}
	}
	return out, nil
}

// RecordTriage records a task's stay in the triage column as read at seen: u.In set and u.Out
// zero while it is there, u.Out set when it left. A read older than the one recorded changes
// nothing, so deliveries processed late or twice leave the newest state.
func (st Store) RecordTriage(ctx context.Context, team string, u Untriaged, seen time.Time) error {
	data, _ := json.Marshal(u)
	item := store.Key(triagePK(team), u.Task)
	item["data"] = store.S(string(data))
	item["seen"] = store.S(store.TS(seen))
	item["expires"] = store.Expires(seen, Retention)
	_, err := st.API.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(st.Table), Item: item,
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR seen <= :s"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": store.S(store.TS(seen))},
	})
	if err != nil && !store.CondFailed(err) {
		return fmt.Errorf("record triage of %s for %s: %w", u.Task, team, err)
	}
	return nil
}

// Triage returns the team's recorded stays in its triage column (Retention).
func (st Store) Triage(ctx context.Context, team string) ([]Untriaged, error) {
	items, err := store.QueryAll(ctx, st.API, &dynamodb.QueryInput{
		TableName:                 aws.String(st.Table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": store.S(triagePK(team))},
	})
	if err != nil {
		return nil, fmt.Errorf("read triage of %s: %w", team, err)
	}
	out := make([]Untriaged, 0, len(items))
	for _, it := range items {
		var u Untriaged
		if err := json.Unmarshal([]byte(store.Str(it, "data")), &u); err != nil {
			return nil, fmt.Errorf("decode triage %s: %w", store.Str(it, "sk"), err)
		}
		out = append(out, u)
	}
	return out, nil
}

// TriageOf returns the recorded stay of a task (found false when none).
func (st Store) TriageOf(ctx context.Context, team, task string) (Untriaged, bool, error) {
	out, err := st.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(st.Table), Key: store.Key(triagePK(team), task), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Untriaged{}, false, fmt.Errorf("read triage of %s: %w", task, err)
	}
	if out.Item == nil {
		return Untriaged{}, false, nil
	}
	var u Untriaged
	if err := json.Unmarshal([]byte(store.Str(out.Item, "data")), &u); err != nil {
		return Untriaged{}, false, fmt.Errorf("decode triage %s: %w", task, err)
	}
	return u, true, nil
}
