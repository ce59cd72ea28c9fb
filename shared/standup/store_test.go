package standup

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

func TestStore(t *testing.T) {
	t.Parallel()
	client, tables := dynamotest.New(t)
	st := Store{API: client, Table: tables.State, Events: tables.Events}
	ctx := context.Background()
	now := utc("2026-03-03T08:00:00Z")
	slot := func(day string) Slot {
		return Slot{ID: ID{Client: "acme", Person: "hana", Date: date(day)}, Team: "core", Due: utc(day + "T16:00:00Z"), Nag: utc(day + "T19:30:00Z")}
	}

	t.Run("slots are idempotent and standups read back without review fields", func(t *testing.T) {
		for _, d := range []string{"2026-02-26", "2026-02-27", "2026-03-02", "2026-03-03"} {
			for i := 0; i < 2; i++ {
				if err := st.EnsureSlot(ctx, slot(d)); err != nil {
					t.Fatal(err)
				}
			}
		}
		sd, err := st.Standup(ctx, slot("2026-03-03").ID)
		if err != nil || sd.Entry != nil || !sd.Slot.Due.Equal(slot("2026-03-03").Due) || sd.Slot.Team != "core" {
			t.Fatalf("standup %+v %v", sd, err)
		}
		if _, err := st.Standup(ctx, slot("2026-03-04").ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing standup: %v", err)
		}
	})

	t.Run("submit, edit, review", func(t *testing.T) {
		id := slot("2026-03-02").ID
		e := Entry{Submitted: now, Edited: now, Comment: "plan", Availability: FullDay, Blockers: "blocked", Footprint: Footprint{To: now}}
		rev, err := st.Submit(ctx, Submission{ID: id, Entry: e, Now: now, OverdueAt: now.Add(48 * time.Hour)})
		if err != nil || rev != 1 {
			t.Fatalf("first submit: %d %v", rev, err)
		}
		if _, err := st.Submit(ctx, Submission{ID: id, Entry: e, Now: now}); !errors.Is(err, ErrConflict) {
			t.Fatalf("second first-submission: %v, want ErrConflict", err)
		}
		e.Comment = "edited"
		if rev, err = st.Submit(ctx, Submission{ID: id, Entry: e, ReadRevision: 1, Now: now.Add(time.Minute)}); err != nil || rev != 2 {
			t.Fatalf("edit: %d %v", rev, err)
		}
		q, err := st.ToBring(ctx)
		if err != nil || len(q) != 1 || q[0].ID != id {
			t.Fatalf("to bring: %+v %v", q, err)
		}
		if err := st.MarkBrought(ctx, q[0], now); err != nil {
			t.Fatal(err)
		}
		if q, _ := st.ToBring(ctx); len(q) != 0 {
			t.Fatalf("still to bring: %+v", q)
		}
		if o, _ := st.Overdue(ctx, now.Add(47*time.Hour)); len(o) != 0 {
			t.Fatalf("overdue too early: %+v", o)
		}
		if o, _ := st.Overdue(ctx, now.Add(49*time.Hour)); len(o) != 1 {
			t.Fatalf("not overdue: %+v", o)
		}
		last, err := st.Last(ctx, "acme", "hana")
		if err != nil || last.Comment != "edited" || last.Blockers != "blocked" || !last.FootprintTo.Equal(now) {
			t.Fatalf("last %+v %v", last, err)
		}
		if err := st.MarkReviewed(ctx, slot("2026-02-27").ID, Review{ReviewedAt: now}); !errors.Is(err, ErrNotSubmitted) {
			t.Fatalf("review of unsubmitted: %v", err)
		}
		if err := st.MarkReviewed(ctx, id, Review{Notes: "secret", ReviewedAt: now}); err != nil {
			t.Fatal(err)
		}
		if err := st.MarkReviewed(ctx, id, Review{Notes: "again", ReviewedAt: now}); !errors.Is(err, ErrReviewed) {
			t.Fatalf("second review: %v", err)
		}
		if _, err := st.Submit(ctx, Submission{ID: id, Entry: e, ReadRevision: 2, Now: now}); !errors.Is(err, ErrReviewed) {
			t.Fatalf("edit after review: %v", err)
		}
		if o, _ := st.Overdue(ctx, now.Add(100*time.Hour)); len(o) != 0 {
			t.Fatalf("reviewed standup still overdue: %+v", o)
		}
		r, ok, err := st.ReviewOf(ctx, id)
		if err != nil || !ok || r.Notes != "secret" {
			t.Fatalf("review %+v %v %v", r, ok, err)
		}
		// An older standup submitted later does not move the pointer back.
		if _, err := st.Submit(ctx, Submission{ID: slot("2026-02-26").ID, Entry: Entry{Submitted: now, Comment: "old"}, Now: now}); err != nil {
			t.Fatal(err)
		}
		if last, _ := st.Last(ctx, "acme", "hana"); last.Comment != "edited" {
			t.Fatalf("pointer moved back to %+v", last)
		}
	})

	t.Run("history pages", func(t *testing.T) {
		page, older, err := st.Page(ctx, "acme", "hana", config.Date{}, false, 2)
		if err != nil || len(page) != 2 || !older || page[0].Slot.ID.Date != date("2026-03-03") || page[1].Slot.ID.Date != date("2026-03-02") {
			t.Fatalf("first page %v %v %v", dates(page), older, err)
		}
		if page[1].Entry == nil || page[1].Entry.Reviewed.IsZero() {
			t.Fatalf("entry not in history: %+v", page[1])
		}
		page, older, err = st.Page(ctx, "acme", "hana", date("2026-03-02"), false, 2)
		if err != nil || len(page) != 2 || older || page[0].Slot.ID.Date != date("2026-02-27") {
			t.Fatalf("older page %v %v %v", dates(page), older, err)
		}
		page, newer, err := st.Page(ctx, "acme", "hana", date("2026-02-27"), true, 2)
		if err != nil || len(page) != 2 || newer || page[0].Slot.ID.Date != date("2026-03-03") || page[1].Slot.ID.Date != date("2026-03-02") {
			t.Fatalf("newer page %v %v %v", dates(page), newer, err)
		}
	})

	t.Run("away ranges", func(t *testing.T) {
		today := date("2026-03-03")
		if _, err := st.AddAway(ctx, "hana", config.DateRange{From: date("2026-02-01"), To: date("2026-02-02")}, date("2026-01-01")); err != nil {
			t.Fatal(err)
		}
		rs, err := st.AddAway(ctx, "hana", config.DateRange{From: date("2026-03-10"), To: date("2026-03-12")}, today)
		if err != nil || len(rs) != 1 {
			t.Fatalf("ranges %v %v (past ones dropped)", rs, err)
		}
		got, err := st.AwayRanges(ctx, []string{"hana", "nobody"})
		if err != nil || len(got["hana"]) != 1 || !got["hana"][0].Contains(date("2026-03-11")) || len(got["nobody"]) != 0 {
			t.Fatalf("away %v %v", got, err)
		}
	})

	t.Run("cursor only moves forward", func(t *testing.T) {
		for _, at := range []time.Time{now, now.Add(-time.Hour), now} {
			if err := st.Advance(ctx, at); err != nil {
				t.Fatal(err)
			}
		}
		if c, err := st.Cursor(ctx); err != nil || !c.Equal(now) {
			t.Fatalf("cursor %v %v", c, err)
		}
	})
}

func dates(sds []Standup) []string {
	var out []string
	for _, s := range sds {
		out = append(out, s.Slot.ID.Date.String())
	}
	return out
}

// TestSubmitAndReviewCommitTheirEvent: a submission and a review write their internal event in
// the same transaction as the change. Before, the event was a second write after the commit: a
// failure there lost the blockers DM and left the overdue-review issue open for ever. Now
// either both are stored or neither is.
func TestSubmitAndReviewCommitTheirEvent(t *testing.T) {
	t.Parallel()
	client, tables := dynamotest.New(t)
	ctx := context.Background()
	now := utc("2026-03-03T08:00:00Z")
	id := ID{Client: "acme", Person: "hana", Date: date("2026-03-03")}
	st := Store{API: client, Table: tables.State, Events: tables.Events}
	events := store.Events{API: client, Table: tables.Events}
	if err := st.EnsureSlot(ctx, Slot{ID: id, Team: "core", Due: now, Nag: now}); err != nil {
		t.Fatal(err)
	}
	e := Entry{Submitted: now, Edited: now, Comment: "plan", Blockers: "waiting on ops", Footprint: Footprint{To: now}}

	// The event write fails (its table is gone): the entry is not stored either.
	broken := st
	broken.Events = tables.Events + "-missing"
	if _, err := broken.Submit(ctx, Submission{ID: id, Entry: e, Now: now, OverdueAt: now}); err == nil {
		t.Fatal("submit without its event succeeded")
	}
	if sd, err := st.Standup(ctx, id); err != nil || sd.Entry != nil {
		t.Fatalf("entry stored without its event: %+v %v", sd.Entry, err)
	}
	if _, err := (Store{API: client, Table: tables.State}).Submit(ctx, Submission{ID: id, Entry: e, Now: now}); !errors.Is(err, errNoEventsTable) {
		t.Fatalf("a store without an events table: %v", err)
	}

	rev, err := st.Submit(ctx, Submission{ID: id, Entry: e, Now: now, OverdueAt: now})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := events.GetEvent(ctx, "rituals#"+EventSubmitted+"#"+id.String()+"#"+itoa(rev))
	if err != nil || ev.Type != EventSubmitted || ev.Source != "rituals" {
		t.Fatalf("submitted event: %+v %v", ev, err)
	}

	if err := broken.MarkReviewed(ctx, id, Review{Reviewer: "carol", ReviewedAt: now}); err == nil {
		t.Fatal("review without its event succeeded")
	}
	if sd, _ := st.Standup(ctx, id); !sd.Entry.Reviewed.IsZero() {
		t.Fatal("review stored without its event")
	}
	if err := st.MarkReviewed(ctx, id, Review{Reviewer: "carol", ReviewedAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := events.GetEvent(ctx, "rituals#"+EventReviewed+"#"+id.String()); err != nil {
		t.Fatalf("reviewed event: %v", err)
	}
}
