package standup

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rituals-dev/rituals/shared/activity"
	"github.com/rituals-dev/rituals/shared/store"
)

// TestFormAnswers holds the rules every surface shares (the modal and the web form) to their
// answers and messages.
func TestFormAnswers(t *testing.T) {
	t.Parallel()
	as := []activity.Assignment{{Repo: "acme/api", Number: 7, Title: "Fix login", URL: "https://github.com/acme/api/issues/7"}}
	long := strings.Repeat("é", MaxAnswerLength+1)
	ok := Form{Availability: "full_day", Comment: " ship it "}
	tests := []struct {
		name      string
		edit      func(f *Form)
		wantErrs  []string // fields
		wantPlan  string
		wantTrims bool
	}{
		{name: "minimal", edit: func(*Form) {}},
		{name: "no availability, blank comment", edit: func(f *Form) { f.Availability, f.Comment = "", "  " }, wantErrs: []string{FieldAvailability, FieldComment}},
		{name: "unknown availability", edit: func(f *Form) { f.Availability = "whenever" }, wantErrs: []string{FieldAvailability}},
		{name: "comment too long", edit: func(f *Form) { f.Comment = long }, wantErrs: []string{FieldComment}},
		{name: "blockers too long", edit: func(f *Form) { f.Blockers = long }, wantErrs: []string{FieldBlockers}},
		{name: "repo comment too long", edit: func(f *Form) { f.RepoComments = map[string]string{"Acme/API": long} }, wantErrs: []string{FieldRepoPrefix + "acme/api"}},
		{name: "expect done implies planned", edit: func(f *Form) { f.Expected = []string{"acme/api#7"} }, wantPlan: "acme/api#7 Fix login done"},
		{name: "planned only", edit: func(f *Form) { f.Planned = []string{"acme/api#7"} }, wantPlan: "acme/api#7 Fix login"},
		{name: "an issue no longer assigned is kept, a malformed ref dropped", edit: func(f *Form) { f.Planned = []string{"acme/web#3", "acme/web", "x#y"} }, wantPlan: "acme/web#3 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := ok
			tt.edit(&f)
			a, errs := f.Answers(as, nil)
			var got []string
			for k := range errs {
				got = append(got, k)
			}
			if strings.Join(sorted(got), ",") != strings.Join(sorted(tt.wantErrs), ",") {
				t.Fatalf("problems %v, want fields %v", errs, tt.wantErrs)
			}
			if errs != nil {
				return
			}
			if a.Comment != "ship it" {
				t.Errorf("comment %q not trimmed", a.Comment)
			}
			var plan []string
			for _, p := range a.Plan {
				s := p.Ref() + " " + p.Title
				if p.ExpectDone {
					s += " done"
				}
				plan = append(plan, s)
			}
			if strings.Join(plan, "|") != tt.wantPlan {
				t.Errorf("plan %q, want %q", plan, tt.wantPlan)
			}
		})
	}
}

// TestSubmitAndReviewRules: who may submit and review, and stale forms (read at an older
// revision) fail with ErrConflict and change nothing.
func TestSubmitAndReviewRules(t *testing.T) {
	t.Parallel()
	f := newFlow(t, "testdata/flow.yaml")
	ctx := context.Background()
	d := f.inter.Deps
	octo, mona, carol := f.cfg.PersonByID("octo"), f.cfg.PersonByID("mona"), f.cfg.PersonByID("carol")
	id := ID{Client: "hello", Person: "octo", Date: date("2019-05-16")}
	form := Form{Availability: "full_day", Comment: "first"}
	at := utc("2019-05-16T08:35:00Z")

	if _, _, err := d.Submit(ctx, f.cfg, mona, id, form, 0, at); !errors.Is(err, ErrNotYours) {
		t.Fatalf("someone else's submission: %v", err)
	}
	if _, _, err := d.Submit(ctx, f.cfg, octo, ID{Client: "hello", Person: "octo", Date: date("2019-05-18")}, form, 0, utc("2019-05-18T10:00:00Z")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a Saturday: %v", err)
	}
	if _, _, err := d.Submit(ctx, f.cfg, octo, ID{Client: "hello", Person: "octo", Date: date("2019-05-17")}, form, 0, at); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("tomorrow's standup, today: %v", err)
	}
	if _, problems, err := d.Submit(ctx, f.cfg, octo, id, Form{Availability: "full_day"}, 0, at); err != nil || problems[FieldComment] == "" {
		t.Fatalf("no comment: %v %v", problems, err)
	}
	if rev, problems, err := d.Submit(ctx, f.cfg, octo, id, form, 0, at); rev != 1 || problems != nil || err != nil {
		t.Fatalf("first submission: %d %v %v", rev, problems, err)
	}
	// A second window still at revision 0 must not overwrite the first submission.
	stale := Form{Availability: "part_day", Comment: "from another window"}
	if _, _, err := d.Submit(ctx, f.cfg, octo, id, stale, 0, at); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale submission: %v", err)
	}
	if rev, _, err := d.Submit(ctx, f.cfg, octo, id, Form{Availability: "part_day", Comment: "second"}, 1, at); rev != 2 || err != nil {
		t.Fatalf("edit: %d %v", rev, err)
	}
	// The reviewer read revision 1; the developer edited since: no review.
	if _, err := d.Review(ctx, f.cfg, carol, id, ReviewForm{Notes: "n"}, 1, at); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale review: %v", err)
	}
	if _, err := d.Review(ctx, f.cfg, octo, id, ReviewForm{Notes: "n"}, 2, at); !errors.Is(err, ErrNotReviewer) {
		t.Fatalf("review by the developer: %v", err)
	}
	if problems, err := d.Review(ctx, f.cfg, carol, id, ReviewForm{Notes: strings.Repeat("x", MaxAnswerLength+1)}, 2, at); err != nil || problems[FieldReviewNotes] == "" {
		t.Fatalf("long notes: %v %v", problems, err)
	}
	if problems, err := d.Review(ctx, f.cfg, carol, id, ReviewForm{Notes: " fine ", Flags: []string{"vague", "nonsense", "vague"}}, 2, at); problems != nil || err != nil {
		t.Fatalf("review: %v %v", problems, err)
	}
	r, _, _ := f.st.ReviewOf(ctx, id)
	if r.Notes != "fine" || len(r.Flags) != 1 || r.Flags[0] != FlagVague || r.Reviewer != "carol" {
		t.Fatalf("stored review %+v", r)
	}
	if _, err := d.Review(ctx, f.cfg, carol, id, ReviewForm{Notes: "again"}, 2, at); !errors.Is(err, ErrReviewed) {
		t.Fatalf("second review: %v", err)
	}
	if _, _, err := d.Submit(ctx, f.cfg, octo, id, form, 2, at); !errors.Is(err, ErrReviewed) {
		t.Fatalf("edit after review: %v", err)
	}
	if r2, _, _ := f.st.ReviewOf(ctx, id); r2.Notes != "fine" {
		t.Fatalf("the second review overwrote the first: %+v", r2)
	}
	// Both paths committed their internal events with the change.
	for _, key := range []string{"rituals#standup.submitted#hello/octo/2019-05-16#1", "rituals#standup.submitted#hello/octo/2019-05-16#2", "rituals#standup.reviewed#hello/octo/2019-05-16"} {
		if _, err := f.events.GetEvent(ctx, key); err != nil {
			t.Errorf("event %s: %v", key, err)
		}
	}
}
