package standup

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/shared/activity"
	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// Activity is what the standup reads from the activity mirror; activity.Reader is one.
type Activity interface {
	Recent(ctx context.Context, login string, repos []string, from, to time.Time, limit int) ([]activity.Item, bool, error)
	OpenAssignments(ctx context.Context, login string, repos []string) ([]activity.Assignment, error)
}

var _ Activity = activity.Reader{}

// ClientRepos is the repos argument of the activity reader for a client: "org/*" for each of
// its orgs and its single repos.
func ClientRepos(c *config.Client) []string {
	var out []string
	for _, o := range c.GitHub.Orgs {
		out = append(out, o+"/*")
	}
	return append(out, c.GitHub.Repos...)
}

// Snapshot bounds: a footprint is stored in the entry, which must stay far below DynamoDB's
// 400 KB item limit (300 pull requests with their commits used to encode to about 940 KB), and
// is read on the modal's 3-second path.
const (
	maxSnapshotItems   = 300
	maxSnapshotBytes   = 128 << 10
	maxSnapshotCommits = 10
	maxSnapshotMessage = 200
)

// FirstStandupLookback is how many business days the first standup's footprint covers.
const FirstStandupLookback = 3

// FootprintStart is where the footprint of a standup starts: where the last submitted one
// ended, or for a first standup the start of the day FirstStandupLookback business days before.
func FootprintStart(c *calendar.Calendar, p *config.Person, last *Last, day config.Date) time.Time {
	if last != nil && !last.FootprintTo.IsZero() {
		return last.FootprintTo
	}
	return c.BusinessDaysBack(p, nil, day, FirstStandupLookback).In(p.Location())
}

// ReadFootprint reads the person's footprint in the client's repos for [from, to), bounded
// for storage.
func ReadFootprint(ctx context.Context, a Activity, p *config.Person, c *config.Client, from, to time.Time) (Footprint, error) {
	fp := Footprint{From: from, To: to}
	if p.GitHub == "" {
		return fp, nil
	}
	items, truncated, err := a.Recent(ctx, p.GitHub, ClientRepos(c), from, to, maxSnapshotItems)
	if err != nil {
		return fp, fmt.Errorf("footprint of %s for %s: %w", p.ID, c.ID, err)
	}
	for i := range items {
		it := &items[i]
		if len(it.Commits) > maxSnapshotCommits {
			it.Commits = it.Commits[len(it.Commits)-maxSnapshotCommits:]
		}
		it.Message = clip.Bytes(it.Message, maxSnapshotMessage)
		it.Title = clip.Bytes(it.Title, maxSnapshotMessage)
	}
	// Keep the newest items that fit the byte budget, as they will be encoded in the entry.
	size, keep := 0, len(items)
	for keep > 0 {
		b, err := json.Marshal(items[keep-1])
		if err != nil {
			return fp, fmt.Errorf("footprint of %s: %w", p.ID, err)
		}
		if size+len(b) > maxSnapshotBytes {
			break
		}
		size += len(b)
		keep--
	}
	fp.Items, fp.Truncated = items[keep:], truncated || keep > 0
	return fp, nil
}

// RepoActivity is one repository's part of a footprint, as the modal and history show it.
type RepoActivity struct {
	Repo  string
	Lines []string
}

// RepoFootprint is one repository's part of a footprint, grouped: what Group renders as
// mrkdwn lines for Slack and the web pages render as HTML.
type RepoFootprint struct {
	Repo string
	// Entries are the issues (opened, closed, reopened, commented once per issue), then the
	// pull requests (opened, merged, closed, with their commits), then the reviews.
	Entries []FootprintEntry
	// Commits are the commits not in any pull request.
	Commits []activity.Item
}

// FootprintEntry is one line of a repository's footprint: a verb and the item it is about.
type FootprintEntry struct {
	// Verb is "opened issue", "closed issue", "reopened issue", "commented on", "opened PR",
	// "merged PR", "closed PR" or "reviewed PR".
	Verb string
	Item activity.Item
}

// Repos groups a footprint per repository (sorted by name, case-insensitively): issues
// opened, closed, reopened and commented (once per issue); PRs opened, merged and closed with
// their commits; reviews; commits not in any pull request. Repositories with nothing to show
// are left out.
func (fp Footprint) Repos() []RepoFootprint {
	type acc struct {
		RepoFootprint
		issues, prs, reviews []FootprintEntry
	}
	byRepo := map[string]*acc{}
	get := func(repo string) *acc {
		k := strings.ToLower(repo)
		if a, ok := byRepo[k]; ok {
			return a
		}
		a := &acc{RepoFootprint: RepoFootprint{Repo: repo}}
		byRepo[k] = a
		return a
	}
	commented := map[string]bool{}
	for _, it := range fp.Items {
		a := get(it.Repo)
		switch it.Kind {
		case activity.KindIssueOpened, activity.KindIssueClosed, activity.KindIssueReopened:
			verb := map[activity.Kind]string{activity.KindIssueOpened: "opened issue", activity.KindIssueClosed: "closed issue", activity.KindIssueReopened: "reopened issue"}[it.Kind]
			a.issues = append(a.issues, FootprintEntry{Verb: verb, Item: it})
		case activity.KindIssueComment:
			k := strings.ToLower(it.Repo) + "#" + itoa(it.Number)
			if !commented[k] {
				a.issues = append(a.issues, FootprintEntry{Verb: "commented on", Item: it})
			}
			commented[k] = true
		case activity.KindPROpened, activity.KindPRMerged, activity.KindPRClosed:
			verb := map[activity.Kind]string{activity.KindPROpened: "opened PR", activity.KindPRMerged: "merged PR", activity.KindPRClosed: "closed PR"}[it.Kind]
			a.prs = append(a.prs, FootprintEntry{Verb: verb, Item: it})
		case activity.KindReview:
			a.reviews = append(a.reviews, FootprintEntry{Verb: "reviewed PR", Item: it})
		case activity.KindCommit:
			if it.PR == 0 {
				a.Commits = append(a.Commits, it)
			}
		}
	}
	var out []RepoFootprint
	for _, a := range byRepo {
		a.Entries = append(append(append(a.Entries, a.issues...), a.prs...), a.reviews...)
		if len(a.Entries) > 0 || len(a.Commits) > 0 {
			out = append(out, a.RepoFootprint)
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Repo) < strings.ToLower(out[j].Repo) })
	return out
}

// ShortSHA is the 7-character form of a commit id people read.
func ShortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// Group renders Repos as per-repository mrkdwn lines, as the modal, the history and the
// digest show them.
func (fp Footprint) Group() []RepoActivity {
	var out []RepoActivity
	for _, r := range fp.Repos() {
		ra := RepoActivity{Repo: r.Repo}
		for _, e := range r.Entries {
			it := e.Item
			line := e.Verb + " " + link(it.URL, fmt.Sprintf("#%d", it.Number)) + " " + slackapp.Escape(it.Title)
			if len(it.Commits) > 0 {
				var subjects []string
				for _, c := range it.Commits {
					subjects = append(subjects, slackapp.Escape(clip.Bytes(c.Message, 60)))
				}
				line += fmt.Sprintf(" — %d commit%s: %s", len(it.Commits), plural(len(it.Commits)), strings.Join(subjects, "; "))
			}
			if it.Kind == activity.KindReview {
				line += " (" + strings.ReplaceAll(it.ReviewState, "_", " ") + ")"
			}
			ra.Lines = append(ra.Lines, "• "+line)
		}
		if len(r.Commits) > 0 {
			ra.Lines = append(ra.Lines, fmt.Sprintf("• %d commit%s not in any PR:", len(r.Commits), plural(len(r.Commits))))
			for _, c := range r.Commits {
				ra.Lines = append(ra.Lines, "    ◦ "+link(c.URL, "`"+ShortSHA(c.SHA)+"`")+" "+slackapp.Escape(clip.Bytes(FirstLine(c.Message), 80)))
			}
		}
		out = append(out, ra)
	}
	return out
}

// FirstLine is a commit message's subject line.
func FirstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(l)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// link renders a mrkdwn link, or the text alone without a URL.
func link(url, text string) string {
	if url == "" {
		return text
	}
	return "<" + url + "|" + text + ">"
}

// CheckPlan checks the previous standup's "expect done" items against a footprint: an item is
// done when the footprint closes the issue, or merges a PR in its repository whose title says
// "#N".
func CheckPlan(last *Last, fp Footprint) *PlanCheck {
	if last == nil {
		return nil
	}
	check := &PlanCheck{Previous: last.ID}
	for _, p := range last.Plan {
		if !p.ExpectDone {
			continue
		}
		check.Expected = append(check.Expected, p)
		for _, it := range fp.Items {
			if !strings.EqualFold(it.Repo, p.Repo) {
				continue
			}
			closed := it.Kind == activity.KindIssueClosed && it.Number == p.Number
			merged := it.Kind == activity.KindPRMerged && mentions(it.Title, p.Number)
			if closed || merged {
				check.Done = append(check.Done, p)
				break
			}
		}
	}
	if len(check.Expected) == 0 {
		return nil
	}
	return check
}

// mentions reports whether text refers to issue #n (not #n0, #n1, ...).
func mentions(text string, n int) bool {
	ref := "#" + itoa(n)
	for i := strings.Index(text, ref); i >= 0; {
		end := i + len(ref)
		if end == len(text) || text[end] < '0' || text[end] > '9' {
			return true
		}
		j := strings.Index(text[end:], ref)
		if j < 0 {
			return false
		}
		i = end + j
	}
	return false
}
