package retro

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/store"
)

// StoreAPI is the part of the DynamoDB client the retro store needs.
type StoreAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var _ StoreAPI = (*dynamodb.Client)(nil)

// Store keeps retros, their items, ballots and action items in the state table (see the
// package doc for the key layout). Events is the events table: a retro's start and its end
// commit together with their retro.started / retro.closed / retro.cancelled event, so the
// board and the results can never be lost between the two.
type Store struct {
	API    StoreAPI
	Table  string
	Events string
}

// eventPut is the transaction item that puts the retro event typ of e, received at.
func (s Store) eventPut(typ string, e Event, at time.Time) (types.TransactWriteItem, error) {
	payload, err := json.Marshal(e)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	put, err := store.EventPut(s.Events, store.Event{Key: eventKey(typ, e), Source: EventSource, Type: typ, ReceivedAt: at, Payload: payload})
	return types.TransactWriteItem{Put: put}, err
}

// Retention is how long a retro's items and ballots, and a closed action item, are kept.
const Retention = 400 * 24 * time.Hour

// Errors callers branch on.
var (
	// ErrOpen: the team already has an open retro.
	ErrOpen = errors.New("the team already has an open retro")
	// ErrPhase: the retro is not in the phase the change needs (adding to a retro that votes,
	// voting in a closed one...). The caller reads the retro again to say which phase it is in.
	ErrPhase = errors.New("the retro is not in that phase")
	// ErrNoDotsLeft: the voter has placed all their dots.
	ErrNoDotsLeft = errors.New("no dots left")
	// ErrNoDot: the voter has no dot on that item to take back.
	ErrNoDot = errors.New("no dot on that item")
	// ErrNoItem: the retro has no item with that number.
	ErrNoItem = errors.New("no such item")
	// ErrBusy: concurrent writers kept winning; the caller may ask the person to try again.
	ErrBusy = errors.New("too many concurrent changes")
)

const (
	skCurrent = "CURRENT"
	skMeta    = "META"
	skItem    = "ITEM#"
	skVoter   = "VOTER#"
	skAction  = "ACTION#"
	skTicket  = "TICKET"
)

func teamPK(team string) string    { return "RETRO#" + team }
func retroPK(id ID) string         { return "RETRO#" + id.Team + "#" + strconv.Itoa(id.N) }
func itemSK(n int) string          { return fmt.Sprintf("%s%04d", skItem, n) }
func actionSK(n int) string        { return fmt.Sprintf("%s%04d", skAction, n) }
func actionsPK(team string) string { return "RETROACTIONS#" + team }
func ticketPK(t Ticket) string     { return "RETROTICKET#" + t.Key() }
func dotAttr(item int) string      { return "d" + strconv.Itoa(item) }

// ---------------------------------------------------------------- retros

// Start opens r as the team's next retro, numbering it, unless the team has an open retro
// (ErrOpen). The pointer to the open retro, the retro and its retro.started event (by the
// facilitator, at r.Created) are written in one transaction, so a team never has two open
// retros nor a pointer to a retro that does not exist, and a started retro always gets its
// board.
func (s Store) Start(ctx context.Context, r *Retro) (*Retro, error) {
	for attempt := 0; attempt < 10; attempt++ {
		cur, err := s.get(ctx, store.Key(teamPK(r.ID.Team), skCurrent))
		if err != nil {
			return nil, fmt.Errorf("read %s's retros: %w", r.ID.Team, err)
		}
		if cur != nil && store.Int(cur, "open") > 0 {
			return nil, ErrOpen
		}
		seq := store.Int(cur, "seq")
		next := *r
		next.ID.N = int(seq) + 1
		next.Phase = Collecting
		ptr := &types.Update{
			TableName:                 aws.String(s.Table),
			Key:                       store.Key(teamPK(r.ID.Team), skCurrent),
			UpdateExpression:          aws.String("SET seq = :n, #open = :n"),
			ExpressionAttributeNames:  map[string]string{"#open": "open"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":n": store.N(int64(next.ID.N))},
		}
		if cur == nil {
			ptr.ConditionExpression = aws.String("attribute_not_exists(pk)")
		} else {
			ptr.ConditionExpression = aws.String("seq = :seq AND attribute_not_exists(#open)")
			ptr.ExpressionAttributeValues[":seq"] = store.N(seq)
		}
		started, err := s.eventPut(EventStarted, Event{Retro: next.ID.String(), By: next.Facilitator}, next.Created)
		if err != nil {
			return nil, err
		}
		err = s.transact(ctx, []types.TransactWriteItem{
			{Update: ptr},
			{Put: &types.Put{TableName: aws.String(s.Table), Item: metaItem(&next), ConditionExpression: aws.String("attribute_not_exists(pk)")}},
			started,
		})
		if store.CondFailed(err) {
			continue // another start won; read again
		}
		if err != nil {
			return nil, fmt.Errorf("start a retro for %s: %w", r.ID.Team, err)
		}
		return &next, nil
	}
	return nil, fmt.Errorf("start a retro for %s: %w", r.ID.Team, ErrBusy)
}

func metaItem(r *Retro) store.Item {
	fields := make([]types.AttributeValue, len(r.Fields))
	for i, f := range r.Fields {
		fields[i] = store.S(f)
	}
	it := store.Key(retroPK(r.ID), skMeta)
	it["team"], it["n"] = store.S(r.ID.Team), store.N(int64(r.ID.N))
	it["title"], it["phase"] = store.S(r.Title), store.S(string(r.Phase))
	it["fields"] = &types.AttributeValueMemberL{Value: fields}
	it["dots"], it["actions"] = store.N(int64(r.Dots)), store.N(int64(r.Actions))
	it["anonymous"] = &types.AttributeValueMemberBOOL{Value: r.Anonymous}
	it["hide"] = &types.AttributeValueMemberBOOL{Value: r.HideVotes}
	it["facilitator"], it["channel"] = store.S(r.Facilitator), store.S(r.Channel)
	it["items"], it["rev"], it["rendered"] = store.N(int64(r.Items)), store.N(int64(r.Rev)), store.N(int64(r.Rendered))
	it["created"] = store.S(store.TS(r.Created))
	it["expires"] = store.Expires(r.Created, Retention)
	if r.Board != "" {
		it["board"] = store.S(r.Board)
	}
	return it
}

func decodeRetro(it store.Item) *Retro {
	r := &Retro{
		ID:    ID{Team: store.Str(it, "team"), N: int(store.Int(it, "n"))},
		Title: store.Str(it, "title"), Phase: Phase(store.Str(it, "phase")),
		Dots: int(store.Int(it, "dots")), Actions: int(store.Int(it, "actions")),
		Anonymous: store.Bool(it, "anonymous"), HideVotes: store.Bool(it, "hide"),
		Facilitator: store.Str(it, "facilitator"), Channel: store.Str(it, "channel"), Board: store.Str(it, "board"),
		Items: int(store.Int(it, "items")), Rev: int(store.Int(it, "rev")), Rendered: int(store.Int(it, "rendered")),
		Created: store.Time(it, "created"), Ended: store.Time(it, "ended"),
	}
	if l, ok := it["fields"].(*types.AttributeValueMemberL); ok {
		for _, v := range l.Value {
			if s, ok := v.(*types.AttributeValueMemberS); ok {
				r.Fields = append(r.Fields, s.Value)
			}
		}
	}
	return r
}

func (s Store) get(ctx context.Context, key store.Item) (store.Item, error) {
	out, err := s.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, err
	}
	return out.Item, nil
}

// Get reads a retro; the error wraps store.ErrNotFound when there is none.
func (s Store) Get(ctx context.Context, id ID) (*Retro, error) {
	it, err := s.get(ctx, store.Key(retroPK(id), skMeta))
	if err != nil {
		return nil, fmt.Errorf("read retro %s: %w", id, err)
	}
	if it == nil {
		return nil, fmt.Errorf("retro %s: %w", id, store.ErrNotFound)
	}
	return decodeRetro(it), nil
}

// Latest returns the team's open retro, or else its last one; the error wraps
// store.ErrNotFound when the team never had one.
func (s Store) Latest(ctx context.Context, team string) (*Retro, error) {
	cur, err := s.get(ctx, store.Key(teamPK(team), skCurrent))
	if err != nil {
		return nil, fmt.Errorf("read %s's retros: %w", team, err)
	}
	n := store.Int(cur, "open")
	if n == 0 {
		n = store.Int(cur, "seq")
	}
	if n == 0 {
		return nil, fmt.Errorf("retros of %s: %w", team, store.ErrNotFound)
	}
	return s.Get(ctx, ID{Team: team, N: int(n)})
}

// change applies a conditional update to the retro's META item and returns the retro as
// written. cond is ANDed with the retro existing; a failed condition is ErrPhase.
func (s Store) change(ctx context.Context, id ID, update, cond string, names map[string]string, values map[string]types.AttributeValue) (*Retro, error) {
	if names == nil {
		names = map[string]string{}
	}
	names["#phase"] = "phase"
	out, err := s.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table), Key: store.Key(retroPK(id), skMeta),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String("attribute_exists(pk) AND " + cond),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
		ReturnValues:              types.ReturnValueAllNew,
	})
	if store.CondFailed(err) {
		return nil, ErrPhase
	}
	if err != nil {
		return nil, fmt.Errorf("update retro %s: %w", id, err)
	}
	return decodeRetro(out.Attributes), nil
}

// SetDots changes how many dots each participant has in this retro, while it collects items.
func (s Store) SetDots(ctx context.Context, id ID, dots int) (*Retro, error) {
	return s.change(ctx, id, "SET dots = :d, rev = rev + :one", "#phase = :collecting", nil, map[string]types.AttributeValue{
		":d": store.N(int64(dots)), ":one": store.N(1), ":collecting": store.S(string(Collecting)),
	})
}

// StartVoting moves a collecting retro with at least one item to voting.
func (s Store) StartVoting(ctx context.Context, id ID) (*Retro, error) {
	return s.change(ctx, id, "SET #phase = :voting, rev = rev + :one", "#phase = :collecting AND #items > :zero",
		map[string]string{"#items": "items"}, map[string]types.AttributeValue{
			":voting": store.S(string(Voting)), ":collecting": store.S(string(Collecting)), ":one": store.N(1), ":zero": store.N(0),
		})
}

// End closes a voting retro (phase Closed) or cancels an open one (phase Cancelled), frees the
// team for its next retro and puts the retro.closed or retro.cancelled event (by by, at at), in
// one transaction: a vote is a transaction that checks the phase, so no dot lands after the
// retro closed, the results read after End are final, and they are always posted.
func (s Store) End(ctx context.Context, id ID, phase Phase, by string, at time.Time) (*Retro, error) {
	typ := EventClosed
	if phase == Cancelled {
		typ = EventCancelled
	}
	ended, err := s.eventPut(typ, Event{Retro: id.String(), By: by}, at)
	if err != nil {
		return nil, err
	}
	cond := "#phase = :voting"
	vals := map[string]types.AttributeValue{
		":to": store.S(string(phase)), ":at": store.S(store.TS(at)), ":one": store.N(1), ":voting": store.S(string(Voting)),
	}
	if phase == Cancelled {
		cond = "#phase IN (:voting, :collecting)"
		vals[":collecting"] = store.S(string(Collecting))
	}
	err = s.transact(ctx, []types.TransactWriteItem{
		ended,
		{Update: &types.Update{
			TableName: aws.String(s.Table), Key: store.Key(retroPK(id), skMeta),
			UpdateExpression:          aws.String("SET #phase = :to, ended = :at, rev = rev + :one"),
			ConditionExpression:       aws.String("attribute_exists(pk) AND " + cond),
			ExpressionAttributeNames:  map[string]string{"#phase": "phase"},
			ExpressionAttributeValues: vals,
		}},
		{Update: &types.Update{
			TableName: aws.String(s.Table), Key: store.Key(teamPK(id.Team), skCurrent),
			UpdateExpression:          aws.String("REMOVE #open"),
			ConditionExpression:       aws.String("#open = :n"),
			ExpressionAttributeNames:  map[string]string{"#open": "open"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":n": store.N(int64(id.N))},
		}},
	})
	if store.CondFailed(err) {
		return nil, ErrPhase
	}
	if err != nil {
		return nil, fmt.Errorf("end retro %s: %w", id, err)
	}
	return s.Get(ctx, id)
}

// MarkBoard records where the board was posted and the revision it now shows; an older
// revision never overwrites a newer one.
func (s Store) MarkBoard(ctx context.Context, id ID, ts string, rendered int) error {
	_, err := s.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table), Key: store.Key(retroPK(id), skMeta),
		UpdateExpression:          aws.String("SET board = :ts, rendered = :r"),
		ConditionExpression:       aws.String("attribute_exists(pk) AND rendered < :r"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":ts": store.S(ts), ":r": store.N(int64(rendered))},
	})
	if err != nil && !store.CondFailed(err) {
		return fmt.Errorf("record the board of retro %s: %w", id, err)
	}
	return nil
}

// ---------------------------------------------------------------- items

// AddItem adds an item to a collecting retro and returns it numbered, with the retro as
// written. author is stored only when the retro is not anonymous.
func (s Store) AddItem(ctx context.Context, id ID, field int, text, author string) (Item, *Retro, error) {
	for attempt := 0; attempt < 10; attempt++ {
		r, err := s.Get(ctx, id)
		if err != nil {
			return Item{}, nil, err
		}
		if r.Phase != Collecting {
			return Item{}, r, ErrPhase
		}
		if r.Anonymous {
			author = ""
		}
		it := Item{N: r.Items + 1, Field: field, Text: text, Author: author}
		row := store.Key(retroPK(id), itemSK(it.N))
		row["field"], row["text"] = store.N(int64(field)), store.S(text)
		row["expires"] = store.Expires(r.Created, Retention)
		if author != "" {
			row["author"] = store.S(author)
		}
		err = s.transact(ctx, []types.TransactWriteItem{
			{Update: &types.Update{
				TableName: aws.String(s.Table), Key: store.Key(retroPK(id), skMeta),
				UpdateExpression:         aws.String("SET #items = :next, rev = rev + :one"),
				ConditionExpression:      aws.String("#phase = :collecting AND #items = :cur"),
				ExpressionAttributeNames: map[string]string{"#items": "items", "#phase": "phase"},
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":next": store.N(int64(it.N)), ":cur": store.N(int64(r.Items)), ":one": store.N(1), ":collecting": store.S(string(Collecting)),
				},
			}},
			{Put: &types.Put{TableName: aws.String(s.Table), Item: row, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		})
		if store.CondFailed(err) {
			continue // another item (or a phase change) came first; read again
		}
		if err != nil {
			return Item{}, nil, fmt.Errorf("add an item to retro %s: %w", id, err)
		}
		r.Items, r.Rev = it.N, r.Rev+1
		return it, r, nil
	}
	return Item{}, nil, fmt.Errorf("add an item to retro %s: %w", id, ErrBusy)
}

// Board is everything stored under one retro.
type Board struct {
	Retro   *Retro
	Items   []Item
	Ballots []Ballot
	Actions []*Action
}

// BallotOf is voter's ballot on the board (empty when they have not voted).
func (b *Board) BallotOf(voter string) Ballot {
	for _, bl := range b.Ballots {
		if bl.Voter == voter {
			return bl
		}
	}
	return Ballot{Voter: voter, Dots: map[int]int{}}
}

// Load reads the retro, its items, ballots and action items with one query.
func (s Store) Load(ctx context.Context, id ID) (*Board, error) {
	items, err := store.QueryAll(ctx, s.API, &dynamodb.QueryInput{
		TableName:                 aws.String(s.Table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": store.S(retroPK(id))},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("read retro %s: %w", id, err)
	}
	b := &Board{}
	for _, it := range items {
		sk := store.Str(it, "sk")
		switch {
		case sk == skMeta:
			b.Retro = decodeRetro(it)
		case strings.HasPrefix(sk, skItem):
			n, _ := strconv.Atoi(strings.TrimPrefix(sk, skItem))
			b.Items = append(b.Items, Item{N: n, Field: int(store.Int(it, "field")), Text: store.Str(it, "text"), Author: store.Str(it, "author")})
		case strings.HasPrefix(sk, skVoter):
			b.Ballots = append(b.Ballots, decodeBallot(it))
		case strings.HasPrefix(sk, skAction):
			b.Actions = append(b.Actions, decodeAction(it))
		}
	}
	if b.Retro == nil {
		return nil, fmt.Errorf("retro %s: %w", id, store.ErrNotFound)
	}
	return b, nil
}

// ---------------------------------------------------------------- votes

func decodeBallot(it store.Item) Ballot {
	b := Ballot{Voter: strings.TrimPrefix(store.Str(it, "sk"), skVoter), Used: int(store.Int(it, "used")), Dots: map[int]int{}}
	for k := range it {
		if n, err := strconv.Atoi(strings.TrimPrefix(k, "d")); err == nil && strings.HasPrefix(k, "d") {
			if d := int(store.Int(it, k)); d > 0 {
				b.Dots[n] = d
			}
		}
	}
	return b
}

// Ballot reads voter's dots in the retro (none when they have not voted).
func (s Store) Ballot(ctx context.Context, id ID, voter string) (Ballot, error) {
	it, err := s.get(ctx, store.Key(retroPK(id), skVoter+voter))
	if err != nil {
		return Ballot{}, fmt.Errorf("read %s's dots in retro %s: %w", voter, id, err)
	}
	if it == nil {
		return Ballot{Voter: voter, Dots: map[int]int{}}, nil
	}
	return decodeBallot(it), nil
}

// Vote places one of voter's dots on item (delta +1) or takes one back (delta -1), and returns
// the voter's ballot afterwards.
//
// Each vote is one transaction of a condition on the retro (it votes, with r.Dots dots each)
// and a conditional update of the voter's own ballot (used < dots to place, a dot on the item
// to take back). So however many clicks arrive at once, DynamoDB applies them one at a time
// against the ballot as it is: nobody ever holds more dots than the retro gives, and no dot
// lands after End closed the retro. Errors: ErrPhase, ErrNoDotsLeft, ErrNoDot, ErrNoItem,
// ErrBusy.
func (s Store) Vote(ctx context.Context, r *Retro, voter string, item, delta int) (Ballot, error) {
	if item < 1 || item > r.Items {
		return Ballot{}, ErrNoItem
	}
	vals := map[string]types.AttributeValue{":d": store.N(int64(delta)), ":voter": store.S(voter), ":exp": store.Expires(r.Created, Retention)}
	names := map[string]string{"#item": dotAttr(item)}
	var cond string
	if delta > 0 {
		cond = "attribute_not_exists(used) OR used < :dots"
		vals[":dots"] = store.N(int64(r.Dots))
	} else {
		cond = "#item > :zero"
		vals[":zero"] = store.N(0)
	}
	err := s.transact(ctx, []types.TransactWriteItem{
		{ConditionCheck: &types.ConditionCheck{
			TableName: aws.String(s.Table), Key: store.Key(retroPK(r.ID), skMeta),
			ConditionExpression:      aws.String("#phase = :voting AND dots = :max"),
			ExpressionAttributeNames: map[string]string{"#phase": "phase"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":voting": store.S(string(Voting)), ":max": store.N(int64(r.Dots)),
			},
		}},
		{Update: &types.Update{
			TableName: aws.String(s.Table), Key: store.Key(retroPK(r.ID), skVoter+voter),
			UpdateExpression:          aws.String("ADD used :d, #item :d SET voter = :voter, expires = :exp"),
			ConditionExpression:       aws.String(cond),
			ExpressionAttributeNames:  names,
			ExpressionAttributeValues: vals,
		}},
	})
	if reasons := condReasons(err); reasons != nil {
		switch {
		case reasons[0]:
			return Ballot{}, ErrPhase
		case delta > 0:
			return Ballot{}, ErrNoDotsLeft
		default:
			return Ballot{}, ErrNoDot
		}
	}
	if err != nil {
		return Ballot{}, fmt.Errorf("vote in retro %s: %w", r.ID, err)
	}
	return s.Ballot(ctx, r.ID, voter)
}

// condReasons says, for a transaction cancelled by failed conditions, which of its items
// failed; nil for any other outcome.
func condReasons(err error) []bool {
	var tc *types.TransactionCanceledException
	if !errors.As(err, &tc) {
		return nil
	}
	out := make([]bool, len(tc.CancellationReasons))
	any := false
	for i, r := range tc.CancellationReasons {
		out[i] = aws.ToString(r.Code) == "ConditionalCheckFailed"
		any = any || out[i]
	}
	if !any {
		return nil
	}
	return out
}

// maxConflictRetries bounds the retries of a transaction that DynamoDB cancelled because
// another one held an item it touches (TransactionConflict): votes on one retro all check its
// META item, so simultaneous clicks conflict, and each retry after a short random wait gets in.
const maxConflictRetries = 12

// transact runs a transaction, retrying it (after a jittered, growing wait) while it is
// cancelled only by conflicts with other transactions. A failed condition is returned at once.
func (s Store) transact(ctx context.Context, items []types.TransactWriteItem) error {
	wait := 5 * time.Millisecond
	for attempt := 0; ; attempt++ {
		_, err := s.API.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil || !conflict(err) {
			return err
		}
		if attempt == maxConflictRetries {
			return fmt.Errorf("%w: %v", ErrBusy, err)
		}
		t := time.NewTimer(wait/2 + rand.N(wait))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, 200*time.Millisecond)
	}
}

// conflict reports whether err is a transaction cancelled for conflicts only (no failed
// condition), which a retry resolves.
func conflict(err error) bool {
	var tc *types.TransactionCanceledException
	if errors.As(err, &tc) {
		found := false
		for _, r := range tc.CancellationReasons {
			switch aws.ToString(r.Code) {
			case "TransactionConflict":
				found = true
			case "None", "":
			default:
				return false
			}
		}
		return found
	}
	var tcx *types.TransactionConflictException
	return errors.As(err, &tcx)
}
