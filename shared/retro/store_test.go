package retro

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

var t0 = time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)

func newStore(t *testing.T) Store {
	t.Helper()
	db, tables := dynamotest.New(t)
	return Store{API: db, Table: tables.State, Events: tables.Events}
}

// votingRetro starts a retro of team with items (field index per item) and opens voting.
func votingRetro(t *testing.T, s Store, team string, dots int, fields []int) *Retro {
	t.Helper()
	ctx := context.Background()
	r, err := s.Start(ctx, &Retro{ID: ID{Team: team}, Title: "Sprint 42", Fields: []string{"went well", "not working", "open questions"}, Dots: dots, Actions: 3, Facilitator: "U0PIA00001", Channel: "C0PRODUCT1", Created: t0})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range fields {
		if _, _, err := s.AddItem(ctx, r.ID, f, fmt.Sprintf("item %d", i+1), "U0PIA00001"); err != nil {
			t.Fatal(err)
		}
	}
	if r, err = s.StartVoting(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestStartOneOpenRetroPerTeam(t *testing.T) {
	t.Parallel()
	s, ctx := newStore(t), context.Background()
	r := &Retro{ID: ID{Team: "product"}, Title: "A", Fields: []string{"x"}, Dots: 3, Created: t0}
	first, err := s.Start(ctx, r)
	if err != nil || first.ID.N != 1 || first.Phase != Collecting {
		t.Fatalf("first start: %+v %v", first, err)
	}
	if _, err := s.Start(ctx, r); !errors.Is(err, ErrOpen) {
		t.Fatalf("second start while open: %v", err)
	}
	if other, err := s.Start(ctx, &Retro{ID: ID{Team: "infra"}, Title: "B", Created: t0}); err != nil || other.ID.N != 1 {
		t.Fatalf("another team's start: %+v %v", other, err)
	}
	if _, err := s.End(ctx, first.ID, Closed, "U0FACILIT1", t0); !errors.Is(err, ErrPhase) {
		t.Fatalf("closing a retro that never voted: %v", err)
	}
	if _, err := s.End(ctx, first.ID, Cancelled, "U0FACILIT1", t0); err != nil {
		t.Fatal(err)
	}
	second, err := s.Start(ctx, r)
	if err != nil || second.ID.N != 2 {
		t.Fatalf("start after cancel: %+v %v", second, err)
	}
	if latest, err := s.Latest(ctx, "product"); err != nil || latest.ID.N != 2 {
		t.Fatalf("latest: %+v %v", latest, err)
	}
}

// TestConcurrentStartsOpenOne: simultaneous /retro start in one team open exactly one retro.
func TestConcurrentStartsOpenOne(t *testing.T) {
	t.Parallel()
	s, ctx := newStore(t), context.Background()
	var opened, refused atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Start(ctx, &Retro{ID: ID{Team: "product"}, Title: "A", Created: t0})
			switch {
			case err == nil:
				opened.Add(1)
			case errors.Is(err, ErrOpen):
				refused.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if opened.Load() != 1 || refused.Load() != 9 {
		t.Fatalf("opened %d, refused %d", opened.Load(), refused.Load())
	}
}

// TestConcurrentAddsNumberItemsOnce: items added at the same time get distinct numbers.
func TestConcurrentAddsNumberItemsOnce(t *testing.T) {
	t.Parallel()
	s, ctx := newStore(t), context.Background()
	r, err := s.Start(ctx, &Retro{ID: ID{Team: "product"}, Title: "A", Fields: []string{"a", "b"}, Dots: 3, Created: t0})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if _, _, err := s.AddItem(ctx, r.ID, i%2, fmt.Sprintf("item from %d", i), fmt.Sprintf("U%d", i)); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	b, err := s.Load(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b.Retro.Items != 8 || len(b.Items) != 8 || b.Retro.Rev != 8 {
		t.Fatalf("items %d (%d stored), rev %d", b.Retro.Items, len(b.Items), b.Retro.Rev)
	}
	for i, it := range b.Items {
		if it.N != i+1 {
			t.Errorf("item %d numbered %d", i, it.N)
		}
	}
}

func TestAnonymousItemsHaveNoAuthor(t *testing.T) {
	t.Parallel()
	s, ctx := newStore(t), context.Background()
	r, err := s.Start(ctx, &Retro{ID: ID{Team: "infra"}, Title: "A", Fields: []string{"keep"}, Dots: 2, Anonymous: true, Created: t0})
	if err != nil {
		t.Fatal(err)
	}
	it, _, err := s.AddItem(ctx, r.ID, 0, "on-call is too noisy", "U0ZED00007")
	if err != nil || it.Author != "" {
		t.Fatalf("item %+v %v", it, err)
	}
	out, err := s.get(ctx, store.Key(retroPK(r.ID), itemSK(1)))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range out {
		if k == "author" || fmt.Sprint(v) == "U0ZED00007" || store.Str(out, k) == "U0ZED00007" {
			t.Errorf("the stored item names its author: %s", k)
		}
	}
}

// TestThirtyVotersNeverExceedTheirDots: 30 voters with 3 dots each click 6 times at once (180
// concurrent votes against DynamoDB Local): exactly 3 dots each land, the other clicks are
// refused as "no dots left", and the totals add up.
func TestThirtyVotersNeverExceedTheirDots(t *testing.T) {
	t.Parallel()
	s, ctx := newStore(t), context.Background()
	r := votingRetro(t, s, "product", 3, []int{0, 1, 2, 1})
	const voters, clicks = 30, 6
	var placed, refused atomic.Int32
	var wg sync.WaitGroup
	for v := 0; v < voters; v++ {
		for c := 0; c < clicks; c++ {
			wg.Add(1)
			go func(v, c int) {
				defer wg.Done()
				_, err := s.Vote(ctx, r, fmt.Sprintf("U0VOTER%03d", v), 1+(v+c)%4, 1)
				switch {
				case err == nil:
					placed.Add(1)
				case errors.Is(err, ErrNoDotsLeft):
					refused.Add(1)
				default:
					t.Error(err)
				}
			}(v, c)
		}
	}
	wg.Wait()
	if placed.Load() != voters*3 || refused.Load() != voters*(clicks-3) {
		t.Fatalf("placed %d, refused %d; want %d and %d", placed.Load(), refused.Load(), voters*3, voters*(clicks-3))
	}
	b, err := s.Load(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Ballots) != voters {
		t.Fatalf("%d ballots", len(b.Ballots))
	}
	sum := 0
	for _, bl := range b.Ballots {
		if bl.Used != 3 || bl.Placed() != 3 {
			t.Errorf("%s: used %d, dots %v", bl.Voter, bl.Used, bl.Dots)
		}
		sum += bl.Placed()
	}
	if res := Rank(b.Retro.Fields, b.Items, b.Ballots); res.DotsPlaced != voters*3 || res.Voters != voters || sum != voters*3 {
		t.Errorf("results: %d dots from %d voters", res.DotsPlaced, res.Voters)
	}
}

// TestNoDotLandsAfterClose: votes racing the close either land before it (and are in the
// results read right after End) or are refused; none lands afterwards.
func TestNoDotLandsAfterClose(t *testing.T) {
	t.Parallel()
	s, ctx := newStore(t), context.Background()
	r := votingRetro(t, s, "product", 5, []int{0, 1})
	// The close is made once ten dots have landed, while the other votes are still arriving.
	landed := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	var placed, refused atomic.Int32
	for v := 0; v < 20; v++ {
		wg.Add(1)
		go func(v int) {
			defer wg.Done()
			for c := 0; c < 5; c++ {
				_, err := s.Vote(ctx, r, fmt.Sprintf("U%d", v), 1+c%2, 1)
				switch {
				case errors.Is(err, ErrPhase):
					refused.Add(1)
				case err != nil:
					t.Error(err)
				case placed.Add(1) == 10:
					once.Do(func() { close(landed) })
				}
			}
		}(v)
	}
	<-landed
	_, err := s.End(ctx, r.ID, Closed, "U0FACILIT1", t0)
	if err != nil {
		wg.Wait()
		t.Fatal(err)
	}
	atClose, err := s.Load(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	after, err := s.Load(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	a, b := Rank(atClose.Retro.Fields, atClose.Items, atClose.Ballots), Rank(after.Retro.Fields, after.Items, after.Ballots)
	if a.DotsPlaced != b.DotsPlaced || a.DotsPlaced != int(placed.Load()) || a.DotsPlaced < 10 {
		t.Fatalf("%d dots at the close, %d after the racing votes finished, %d votes succeeded", a.DotsPlaced, b.DotsPlaced, placed.Load())
	}
	if _, err := s.Vote(ctx, after.Retro, "U0LATE", 1, 1); !errors.Is(err, ErrPhase) {
		t.Fatalf("a vote after the close: %v", err)
	}
	t.Logf("%d dots before the close, %d votes refused by it", a.DotsPlaced, refused.Load())
}

func TestVoteRules(t *testing.T) {
	t.Parallel()
	s, ctx := newStore(t), context.Background()
	r := votingRetro(t, s, "product", 2, []int{0, 1})
	steps := []struct {
		item, delta int
		want        error
		used        int
	}{
		{1, -1, ErrNoDot, 0},
		{1, 1, nil, 1},
		{1, 1, nil, 2}, // two dots on one item is allowed
		{2, 1, ErrNoDotsLeft, 2},
		{3, 1, ErrNoItem, 2},
		{1, -1, nil, 1},
		{2, 1, nil, 2},
		{2, -1, nil, 1},
		{2, -1, ErrNoDot, 1},
	}
	for i, st := range steps {
		b, err := s.Vote(ctx, r, "U0PIA00001", st.item, st.delta)
		if !errors.Is(err, st.want) {
			t.Fatalf("step %d: %v, want %v", i, err, st.want)
		}
		if err == nil && b.Used != st.used {
			t.Fatalf("step %d: used %d, want %d", i, b.Used, st.used)
		}
	}
	if _, err := s.SetDots(ctx, r.ID, 5); !errors.Is(err, ErrPhase) {
		t.Errorf("dots changed while voting: %v", err)
	}
	if _, _, err := s.AddItem(ctx, r.ID, 0, "late", ""); !errors.Is(err, ErrPhase) {
		t.Errorf("item added while voting: %v", err)
	}
}

// DynamoDB Local serialises transactions instead of cancelling them for conflicts, as DynamoDB
// does under load: conflicting stands in for that.
func TestVoteRetriesTransactionConflicts(t *testing.T) {
	t.Parallel()
	s, ctx := newStore(t), context.Background()
	r := votingRetro(t, s, "product", 3, []int{0})
	f := &conflicting{StoreAPI: s.API, left: 3}
	cs := Store{API: f, Table: s.Table, Events: s.Events}
	b, err := cs.Vote(ctx, r, "U1", 1, 1)
	if err != nil || b.Used != 1 || f.calls != 4 {
		t.Fatalf("vote after 3 conflicts: %+v %v (%d calls)", b, err, f.calls)
	}
	f.left = 100
	if _, err := cs.Vote(ctx, r, "U1", 1, 1); !errors.Is(err, ErrBusy) {
		t.Fatalf("endless conflicts: %v", err)
	}
}

// TestStartAndEndCommitTheirEvents: a retro's start and its end are written with their event in
// one transaction, so a crash between the change and its announcement cannot lose the board or
// the results; a refused end writes no event.
func TestStartAndEndCommitTheirEvents(t *testing.T) {
	t.Parallel()
	s, ctx := newStore(t), context.Background()
	events := store.Events{API: s.API.(store.EventsAPI), Table: s.Events}
	r := votingRetro(t, s, "product", 3, []int{0})
	ev, err := events.GetEvent(ctx, "rituals#retro.started#"+r.ID.String())
	if err != nil || ev.Type != EventStarted || !ev.ReceivedAt.Equal(t0) || !strings.Contains(string(ev.Payload), `"by":"U0PIA00001"`) {
		t.Fatalf("started event %+v %v", ev, err)
	}
	if _, err := s.End(ctx, r.ID, Closed, "U0EM000001", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	ev, err = events.GetEvent(ctx, "rituals#retro.closed#"+r.ID.String())
	if err != nil || ev.Type != EventClosed || !strings.Contains(string(ev.Payload), `"by":"U0EM000001"`) {
		t.Fatalf("closed event %+v %v", ev, err)
	}
	if _, err := s.End(ctx, r.ID, Cancelled, "U0EM000001", t0.Add(2*time.Hour)); !errors.Is(err, ErrPhase) {
		t.Fatalf("cancelling a closed retro: %v", err)
	}
	if _, err := events.GetEvent(ctx, "rituals#retro.cancelled#"+r.ID.String()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused end left an event: %v", err)
	}
}
