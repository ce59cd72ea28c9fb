package web

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/shared/activity"
	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/standup"
)

// The view models the templates render. They are built from a standup.Standup (slot and
// entry), which never holds reviewer-only fields; those reach a page only through hrView,
// which is built only after viewer.readsHR said yes.

// badge is a status word, with a kind ("ok", "warn", "bad", "hr" or "") for its colour.
type badge struct{ Text, Kind string }

// linkView is a link with its text.
type linkView struct{ Text, URL string }

// row is one standup (or a missing one) in a list.
type row struct {
	// Title heads the row (the day, or the person), linked to the standup when there is one;
	// Sub follows it (the client).
	Title, URL string
	Sub        string
	// Also links somewhere related (the person's standups, on a day page).
	Also         *linkView
	Badges       []badge
	Availability string
	Comment      string
	Blockers     string
	PlanCheck    string
	Plan         []planView
	// Why is why there is no standup (away, holiday, not due yet), when there is none.
	Why string
}

type planView struct {
	Ref, URL, Title string
	ExpectDone      bool
}

type entryView struct {
	Verb, Ref, URL, Title, State string
	Commits                      []string
}

type commitView struct{ SHA, URL, Subject string }

type repoView struct {
	Repo    string
	Entries []entryView
	Commits []commitView
	// CommitsLabel heads Commits: "2 commits not in any pull request".
	CommitsLabel string
	Comment      string
}

type checkView struct {
	Ref, URL, Title string
	Done            bool
}

// hrView is the reviewer-only part of a standup, for the client's reviewer and management.
type hrView struct {
	Reviewed   bool
	ReviewedAt string
	Reviewer   string
	Notes      string
	Flags      []string
	// Queue is the client's review queue.
	Queue string
}

// standupView is a standup's page.
type standupView struct {
	ID                    standup.ID
	Person, PersonURL     string
	Client, ClientURL     string
	Team, TeamURL         string
	Date                  string
	Badges                []badge
	Submitted             bool
	SubmittedAt, EditedAt string
	ReviewedAt            string
	FootprintFrom         string
	FootprintTo           string
	Repos                 []repoView
	Dropped               int
	CheckSummary          string
	Checks                []checkView
	Plan                  []planView
	Availability          string
	Comment, Blockers     string
	Prev, Next            *linkView
	EditURL, ReviewURL    string
	HR                    *hrView
}

func longDate(d config.Date) string { return d.In(time.UTC).Format("Mon 2 Jan 2006") }

// when renders an instant for the viewer, in their zone.
func when(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("Mon 2 Jan 2006, 15:04 MST")
}

// badges sums a standup up: submitted or not, reviewed or waiting, blocked.
func badges(sd *standup.Standup) []badge {
	if sd == nil || !sd.Submitted() {
		return []badge{{"Not submitted", "warn"}}
	}
	out := []badge{{"Submitted", "ok"}}
	if sd.Entry.Reviewed.IsZero() {
		out = append(out, badge{"Awaiting review", ""})
	} else {
		out = append(out, badge{"Reviewed", "ok"})
	}
	if sd.Entry.Blockers != "" {
		out = append(out, badge{"Blocked", "bad"})
	}
	return out
}

func plan(e *standup.Entry) []planView {
	var out []planView
	for _, p := range e.Plan {
		out = append(out, planView{Ref: p.Ref(), URL: p.URL, Title: p.Title, ExpectDone: p.ExpectDone})
	}
	return out
}

// rowOf is the list line of a standup: its day and client.
func rowOf(sd standup.Standup, c *config.Client) row {
	r := row{Title: longDate(sd.Slot.ID.Date), URL: links.Standup(sd.Slot.ID), Sub: c.Name, Badges: badges(&sd)}
	if e := sd.Entry; sd.Submitted() {
		r.Availability = e.Availability.Label()
		r.Comment = clip.Runes(e.Comment, 280)
		r.Blockers = clip.Runes(e.Blockers, 280)
		r.PlanCheck = e.PlanCheck.Summary()
		r.Plan = plan(e)
	}
	return r
}

// repos renders a footprint snapshot per repository, with the developer's comment on each.
func repos(e *standup.Entry) []repoView {
	var out []repoView
	seen := map[string]bool{}
	for _, rf := range e.Footprint.Repos() {
		rv := repoView{Repo: rf.Repo, Comment: e.RepoComments[strings.ToLower(rf.Repo)]}
		seen[strings.ToLower(rf.Repo)] = true
		for _, en := range rf.Entries {
			ev := entryView{Verb: en.Verb, Ref: "#" + itoa(en.Item.Number), URL: en.Item.URL, Title: en.Item.Title}
			if en.Item.Kind == activity.KindReview {
				ev.State = strings.ReplaceAll(en.Item.ReviewState, "_", " ")
			}
			for _, c := range en.Item.Commits {
				ev.Commits = append(ev.Commits, c.Message)
			}
			rv.Entries = append(rv.Entries, ev)
		}
		for _, c := range rf.Commits {
			rv.Commits = append(rv.Commits, commitView{SHA: standup.ShortSHA(c.SHA), URL: c.URL, Subject: standup.FirstLine(c.Message)})
		}
		if n := len(rv.Commits); n == 1 {
			rv.CommitsLabel = "1 commit not in any pull request"
		} else if n > 1 {
			rv.CommitsLabel = itoa(n) + " commits not in any pull request"
		}
		out = append(out, rv)
	}
	// A comment on a repository whose activity was cut from the snapshot still shows.
	var rest []string
	for repo, c := range e.RepoComments {
		if !seen[repo] && c != "" {
			rest = append(rest, repo)
		}
	}
	sort.Strings(rest)
	for _, repo := range rest {
		out = append(out, repoView{Repo: repo, Comment: e.RepoComments[repo]})
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }
