package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rituals-dev/rituals/shared/standup"
)

// TestSubmitOnTheWeb fills in and edits a standup through the form, with the modal's rules;
// a form from another window (an older revision) changes nothing and says so, and the
// submission commits the same standup.submitted event as the modal.
func TestSubmitOnTheWeb(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.setNow(utc("2019-05-17T09:00:00Z"))
	const path = "/app/standups/hello/mona/2019-05-17/edit"
	form := func(rev, comment string) url.Values {
		return url.Values{"csrf": {csrfOf("mona")}, "rev": {rev}, "availability": {"part_day"}, "comment": {comment},
			"blockers": {"Waiting for staging"}, "plan": {"monalisa/app#3"}, "done": {"monalisa/app#4"}, "repo:codertocat/hello-world": {"quiet week"}}
	}
	if r := s.get(path, "mona"); r.status != http.StatusOK || !strings.Contains(r.body, `name="rev" value="0"`) {
		t.Fatalf("empty form: %d\n%s", r.status, r.body)
	}
	bad := form("0", "  ")
	bad.Set("availability", "")
	r := s.do(http.MethodPost, path, s.cookie("mona"), bad)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "Choose how available you will be.") || !strings.Contains(r.body, "Say what you will do") || !strings.Contains(r.body, "Waiting for staging") {
		t.Fatalf("invalid form: %d\n%s", r.status, r.body)
	}
	if r := s.do(http.MethodPost, path, s.cookie("mona"), form("0", "Ship the export")); r.status != http.StatusSeeOther || r.header.Get("Location") != "/app/standups/hello/mona/2019-05-17?saved=1" {
		t.Fatalf("submit: %d %s", r.status, r.header.Get("Location"))
	}
	id := standupID("hello/mona/2019-05-17")
	sd, err := s.app.Standups.Store.Standup(context.Background(), id)
	if err != nil || sd.Entry.Revision != 1 || sd.Entry.Comment != "Ship the export" || sd.Entry.Availability != standup.PartDay || len(sd.Entry.Plan) != 2 || !sd.Entry.Plan[1].ExpectDone {
		t.Fatalf("stored: %+v %v", sd.Entry, err)
	}
	if _, err := s.events.GetEvent(context.Background(), "rituals#standup.submitted#hello/mona/2019-05-17#1"); err != nil {
		t.Fatalf("no standup.submitted event: %v", err)
	}
	// The page shows it; the form opens at revision 1 with the answers.
	if r := s.get("/app/standups/hello/mona/2019-05-17?saved=1", "mona"); !strings.Contains(r.body, "Saved.") || !strings.Contains(r.body, "Ship the export") || !strings.Contains(r.body, "quiet week") {
		t.Fatalf("page after submit:\n%s", r.body)
	}
	if r := s.get(path, "mona"); !strings.Contains(r.body, `name="rev" value="1"`) || !strings.Contains(r.body, "Ship the export") || !strings.Contains(r.body, `value="part_day" checked`) {
		t.Fatalf("edit form:\n%s", r.body)
	}
	// Edited from one window; the other, still at revision 0, is refused with its answers kept.
	if r := s.do(http.MethodPost, path, s.cookie("mona"), form("1", "Ship the export, then docs")); r.status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", r.status, r.body)
	}
	r = s.do(http.MethodPost, path, s.cookie("mona"), form("0", "STALE WINDOW"))
	if r.status != http.StatusConflict || !strings.Contains(r.body, "changed in another window") || !strings.Contains(r.body, "STALE WINDOW") || !strings.Contains(r.body, `name="rev" value="2"`) {
		t.Fatalf("stale form: %d\n%s", r.status, r.body)
	}
	if sd, _ := s.app.Standups.Store.Standup(context.Background(), id); sd.Entry.Comment != "Ship the export, then docs" || sd.Entry.Revision != 2 {
		t.Fatalf("the stale form overwrote: %+v", sd.Entry)
	}
	if r := s.do(http.MethodPost, path, s.cookie("mona"), url.Values{"csrf": {csrfOf("mona")}, "comment": {"x"}}); r.status != http.StatusBadRequest {
		t.Fatalf("no revision: %d", r.status)
	}
	// Saturday: no standup that day.
	if r := s.get("/app/standups/hello/mona/2019-05-18/edit", "mona"); r.status != http.StatusNotFound {
		t.Fatalf("Saturday: %d", r.status)
	}
}

// TestReviewOnTheWeb: Mark reviewed with a note and flags is the same state as a review in
// Slack (and writes the same standup.reviewed event); a stale form (reviewed meanwhile, or
// edited by the developer since) changes nothing and says so; the developer can no longer edit.
func TestReviewOnTheWeb(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.seed()
	const path = "/app/review/hello/octo/2019-05-17"
	page := s.get(path, "carol").body
	for _, want := range []string{"Release the spelling fix", "Mark reviewed", `name="rev" value="1"`, `value="follow_up"`, "Reviewer only"} {
		if !strings.Contains(page, want) {
			t.Fatalf("review form lacks %q:\n%s", want, page)
		}
	}
	review := func(rev, notes string, flags ...string) url.Values {
		return url.Values{"csrf": {csrfOf("carol")}, "rev": {rev}, "notes": {notes}, "flag": flags}
	}
	// Octo edits after Carol opened the form: her form is stale.
	edit := url.Values{"csrf": {csrfOf("octo")}, "rev": {"1"}, "availability": {"full_day"}, "comment": {"Release, then rest"}}
	if r := s.do(http.MethodPost, "/app/standups/hello/octo/2019-05-17/edit", s.cookie("octo"), edit); r.status != http.StatusSeeOther {
		t.Fatalf("octo's edit: %d\n%s", r.status, r.body)
	}
	r := s.do(http.MethodPost, path, s.cookie("carol"), review("1", "Good week", "excellent"))
	if r.status != http.StatusConflict || !strings.Contains(r.body, "changed this standup after you opened it") || !strings.Contains(r.body, "Release, then rest") || !strings.Contains(r.body, "Good week") || !strings.Contains(r.body, `value="excellent" checked`) {
		t.Fatalf("review of an edited standup: %d\n%s", r.status, r.body)
	}
	// Read again (revision 2): reviewed, back to the queue with a notice.
	r = s.do(http.MethodPost, path, s.cookie("carol"), review("2", "Good week", "excellent", "follow_up"))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/app/review/hello?done=hello%2Focto%2F2019-05-17" {
		t.Fatalf("review: %d %s\n%s", r.status, r.header.Get("Location"), r.body)
	}
	if q := s.get(r.header.Get("Location"), "carol").body; !strings.Contains(q, "Marked reviewed: Octo Cat, Fri 17 May 2019.") || strings.Contains(q, `href="/app/review/hello/octo/2019-05-17"`) {
		t.Fatalf("queue after review:\n%s", q)
	}
	if _, err := s.events.GetEvent(context.Background(), "rituals#standup.reviewed#hello/octo/2019-05-17"); err != nil {
		t.Fatalf("no standup.reviewed event: %v", err)
	}
	// A second window's review is refused, and what the first stored stays.
	r = s.do(http.MethodPost, path, s.cookie("carol"), review("2", "SECOND WINDOW", "vague"))
	if r.status != http.StatusConflict || !strings.Contains(r.body, "already reviewed meanwhile") || !strings.Contains(r.body, "Good week") {
		t.Fatalf("second review: %d\n%s", r.status, r.body)
	}
	rv, _, err := s.app.Standups.Store.ReviewOf(context.Background(), standupID("hello/octo/2019-05-17"))
	if err != nil || rv.Notes != "Good week" || len(rv.Flags) != 2 || rv.Reviewer != "carol" {
		t.Fatalf("stored review: %+v %v", rv, err)
	}
	// The developer can no longer edit: the form and a stale post both say why.
	if r := s.get("/app/standups/hello/octo/2019-05-17/edit", "octo"); !strings.Contains(r.body, "reviewed, so it can no longer be edited") || strings.Contains(r.body, "Good week") {
		t.Fatalf("edit after review:\n%s", r.body)
	}
	edit.Set("rev", "2")
	if r := s.do(http.MethodPost, "/app/standups/hello/octo/2019-05-17/edit", s.cookie("octo"), edit); r.status != http.StatusConflict || !strings.Contains(r.body, "reviewed meanwhile") {
		t.Fatalf("edit posted after review: %d\n%s", r.status, r.body)
	}
}

// TestQueue lists the unreviewed standups oldest first, marks overdue ones with their HR issue,
// and management reads it without review links.
func TestQueue(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.seed()
	ctx := context.Background()
	// Mona's standup became overdue and got issue #12 in the HR repo (as the scheduler does).
	q, err := s.app.Standups.Store.ToBring(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range q {
		if err := s.app.Standups.Store.MarkBrought(ctx, w, w.Submitted); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.app.Standups.Store.MarkTicketed(ctx, standupID("hello/mona/2019-05-16"), 12); err != nil {
		t.Fatal(err)
	}
	s.setNow(utc("2019-05-21T12:00:00Z"))
	page := s.get("/app/review/hello", "carol").body
	mona, octo := strings.Index(page, "/app/review/hello/mona/2019-05-16"), strings.Index(page, "/app/review/hello/octo/2019-05-17")
	if mona < 0 || octo < 0 || mona > octo {
		t.Fatalf("queue not oldest first:\n%s", page)
	}
	for _, want := range []string{`<span class="badge bad">Overdue</span>`, `href="https://github.com/Codertocat/hr/issues/12"`, "To review (2)"} {
		if !strings.Contains(page, want) {
			t.Errorf("queue lacks %s", want)
		}
	}
	if strings.Contains(page, "globex") || strings.Contains(page, "Invoices") {
		t.Error("another client's standup in the queue")
	}
	mgmt := s.get("/app/review/hello", "dana").body
	if strings.Contains(mgmt, "/app/review/hello/") || !strings.Contains(mgmt, "Only the client's reviewer marks standups reviewed.") || !strings.Contains(mgmt, reviewNote) {
		t.Errorf("management's queue:\n%s", mgmt)
	}
}
