package support

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

// TestUpdateConcurrent: concurrent writers of one request each get their change in, through
// the conditional write on the revision.
func TestUpdateConcurrent(t *testing.T) {
	t.Parallel()
	client, tables := dynamotest.New(t)
	st := Store{API: client, Table: tables.State}
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if _, err := st.Get(ctx, hello1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get before any write: %v", err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := st.Update(ctx, hello1, func(r *Request, found bool) (bool, error) {
				if !found {
					r.State, r.Created = Open, at
				}
				r.add(Entry{Kind: KindLoop, At: at})
				return true, nil
			})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	r, err := st.Get(ctx, hello1)
	if err != nil || len(r.Log) != 8 || r.Rev != 8 {
		t.Fatalf("after 8 concurrent updates: %d entries rev %d (%v)", len(r.Log), r.Rev, err)
	}
	open, err := st.ListOpen(ctx, "triage")
	if err != nil || len(open) != 1 {
		t.Fatalf("ListOpen: %d %v", len(open), err)
	}
	rows, err := st.StatsSince(ctx, "triage", at.Add(-time.Hour))
	if err != nil || len(rows) != 1 || rows[0].ID != hello1 {
		t.Fatalf("stats rows %+v %v", rows, err)
	}
	// Closing it takes it off the open index; the stats row stays.
	if _, _, err := st.Update(ctx, hello1, func(r *Request, _ bool) (bool, error) {
		r.State, r.Closed = Resolved, at.Add(time.Hour)
		return true, nil
	}); err != nil {
		t.Fatal(err)
	}
	if open, _ := st.ListOpen(ctx, "triage"); len(open) != 0 {
		t.Fatalf("closed request still listed: %d", len(open))
	}
	if rows, _ := st.StatsSince(ctx, "triage", at.Add(-time.Hour)); len(rows) != 1 || rows[0].State != Resolved || !rows[0].Closed.Equal(at.Add(time.Hour)) {
		t.Fatalf("stats row after close: %+v", rows)
	}
}

func TestParseID(t *testing.T) {
	t.Parallel()
	for _, good := range []ID{hello1, {Team: "a-b", Repo: "o.rg/re-po_1", Number: 12345}} {
		got, err := ParseID(good.String())
		if err != nil || got != good {
			t.Errorf("ParseID(%q) = %+v %v", good.String(), got, err)
		}
	}
	for _, bad := range []string{"", "triage", "triage:repo#1", "triage:o/r#x", "triage:o/r#0", ":o/r#1", "triage:o/r/x#1", "triage:o/r"} {
		if _, err := ParseID(bad); !errors.Is(err, ErrBadID) {
			t.Errorf("ParseID(%q) = %v, want ErrBadID", bad, err)
		}
	}
}
