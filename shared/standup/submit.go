package standup

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rituals-dev/rituals/shared/activity"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/store"
)

// Submitting and reviewing a standup, whatever it was sent from: the Slack modals
// (Interactions) and the web pages call these, so the rules are the same everywhere.

// Fields a standup form's problems are keyed by: the modal's block ids, and the web form's
// field names.
const (
	FieldPlan         = blockPlan
	FieldDone         = blockDone
	FieldAvailability = blockAvailability
	FieldComment      = blockComment
	FieldBlockers     = blockBlockers
	FieldRepoPrefix   = blockRepoPrefix
	FieldReviewNotes  = blockReviewNotes
)

// MaxAnswerLength is the longest comment, blocker text or reviewer note accepted (what Slack's
// inputs allow).
const MaxAnswerLength = maxInputLength

// Errors of Submit and Review that callers turn into a message for the person.
var (
	// ErrNotInConfig: the standup's person or client is no longer in the config.
	ErrNotInConfig = errors.New("standup no longer in the config")
	// ErrNotYours: only the standup's developer submits it.
	ErrNotYours = errors.New("only the standup's developer can submit it")
	// ErrNotReviewer: only the client's reviewer reviews its standups.
	ErrNotReviewer = errors.New("only the client's reviewer can review it")
)

// Form is a standup as sent, before it is checked: the issues ("owner/name#N") chosen to work
// on and expected done, availability, the comment, blockers, and comments per repository
// (keyed by the lowercased repository).
type Form struct {
	Planned, Expected []string
	Availability      string
	Comment, Blockers string
	RepoComments      map[string]string
}

// Answers checks the form: an availability among the choices, a comment, nothing longer than
// MaxAnswerLength. Items are described from the open assignments (or an earlier submission's
// plan); expecting an item done implies working on it. It returns the answers and, when
// something is wrong, what to fix keyed by field (nil when nothing).
func (f Form) Answers(assignments []activity.Assignment, previous *Entry) (Answers, map[string]string) {
	errs := map[string]string{}
	var a Answers
	titles := map[string]PlanItem{}
	for _, as := range assignments {
		titles[as.Repo+"#"+itoa(as.Number)] = PlanItem{Repo: as.Repo, Number: as.Number, Title: as.Title, URL: as.URL}
	}
	if previous != nil {
		for _, p := range previous.Plan {
			if _, ok := titles[p.Ref()]; !ok {
				p.ExpectDone = false
				titles[p.Ref()] = p
			}
		}
	}
	expect := map[string]bool{}
	for _, r := range f.Expected {
		expect[r] = true
	}
	planned := map[string]bool{}
	for _, r := range f.Planned {
		planned[r] = true
	}
	refs := make([]string, 0, len(planned)+len(expect))
	for r := range planned {
		refs = append(refs, r)
	}
	for r := range expect {
		if !planned[r] {
			refs = append(refs, r)
		}
	}
	sort.Strings(refs)
	for _, ref := range refs {
		p, ok := titles[ref]
		if !ok {
			repo, num, found := strings.Cut(ref, "#")
			if !found {
				continue
			}
			var nr int
			if _, err := fmt.Sscan(num, &nr); err != nil {
				continue
			}
			p = PlanItem{Repo: repo, Number: nr}
		}
		p.ExpectDone = expect[ref]
		a.Plan = append(a.Plan, p)
	}
	a.Availability = Availability(f.Availability)
	if !validAvailability(a.Availability) {
		errs[FieldAvailability] = "Choose how available you will be."
	}
	a.Comment = strings.TrimSpace(f.Comment)
	switch {
	case a.Comment == "":
		errs[FieldComment] = "Say what you will do by the next business day."
	case tooLong(a.Comment):
		errs[FieldComment] = tooLongMessage
	}
	if a.Blockers = strings.TrimSpace(f.Blockers); tooLong(a.Blockers) {
		errs[FieldBlockers] = tooLongMessage
	}
	a.RepoComments = map[string]string{}
	for repo, c := range f.RepoComments {
		c = strings.TrimSpace(c)
		if tooLong(c) {
			errs[FieldRepoPrefix+strings.ToLower(repo)] = tooLongMessage
		}
		if c != "" {
			a.RepoComments[strings.ToLower(repo)] = c
		}
	}
	if len(errs) == 0 {
		errs = nil
	}
	return a, errs
}

const tooLongMessage = "Keep it under 3,000 characters."

func tooLong(s string) bool { return utf8.RuneCountInString(s) > MaxAnswerLength }

// AnyRevision tells Submit and Review to act on the standup as it is now, not as of a
// revision the caller read.
const AnyRevision = -1

// Submit records caller's form for id, the same way from every surface: caller must be the
// standup's developer; the standup must be one they owe (its slot is created on demand) and not
// reviewed. The first submission snapshots the footprint since the last submitted standup and
// checks that standup's plan against it; later ones keep the snapshot. The entry and the
// standup.submitted event commit together (Store.Submit).
//
// read is the entry revision the form was filled in from (0 before the first submission), or
// AnyRevision: a different revision now means someone submitted meanwhile, and the form fails
// with ErrConflict rather than overwrite it. Form problems come back keyed by field (with a nil
// error and nothing stored); ErrNotInConfig, ErrNotYours, ErrReviewed, ErrConflict and an error
// wrapping store.ErrNotFound (no standup that day) are the caller's to explain.
func (d Deps) Submit(ctx context.Context, cfg *config.Config, caller *config.Person, id ID, f Form, read int, now time.Time) (int, map[string]string, error) {
	p, c := cfg.PersonByID(id.Person), cfg.Client(id.Client)
	if p == nil || c == nil {
		return 0, nil, fmt.Errorf("submit %s: %w", id, ErrNotInConfig)
	}
	if caller == nil || caller.ID != p.ID {
		return 0, nil, fmt.Errorf("submit %s: %w", id, ErrNotYours)
	}
	if id.Date.Compare(Today(p, now)) > 0 {
		// A standup says what was done since the last one: it cannot be written ahead.
		return 0, nil, fmt.Errorf("submit %s: not its day yet (%s): %w", id, Today(p, now), store.ErrNotFound)
	}
	sd, err := d.slotFor(ctx, cfg, id)
	if err != nil {
		return 0, nil, err
	}
	if sd.Entry != nil && !sd.Entry.Reviewed.IsZero() {
		return 0, nil, fmt.Errorf("submit %s: %w", id, ErrReviewed)
	}
	current := 0
	if sd.Entry != nil {
		current = sd.Entry.Revision
	}
	if read != AnyRevision && read != current {
		return 0, nil, fmt.Errorf("submit %s: read revision %d, now %d: %w", id, read, current, ErrConflict)
	}
	var assignments []activity.Assignment
	if p.GitHub != "" {
		if assignments, err = d.Activity.OpenAssignments(ctx, p.GitHub, ClientRepos(c)); err != nil {
			return 0, nil, err
		}
	}
	ans, problems := f.Answers(assignments, sd.Entry)
	if problems != nil {
		return 0, problems, nil
	}
	e := Entry{Plan: ans.Plan, Availability: ans.Availability, Comment: ans.Comment, Blockers: ans.Blockers, RepoComments: ans.RepoComments, Edited: now}
	sub := Submission{ID: id, Now: now}
	if sd.Entry == nil {
		last, err := d.Store.Last(ctx, c.ID, p.ID)
		if err != nil {
			return 0, nil, err
		}
		if e.Footprint, err = ReadFootprint(ctx, d.Activity, p, c, FootprintStart(d.Calendar, p, last, id.Date), now); err != nil {
			return 0, nil, err
		}
		e.PlanCheck = CheckPlan(last, e.Footprint)
		e.Submitted = now
		sub.OverdueAt = now.Add(24 * time.Hour)
		if r := cfg.PersonByID(c.HR.Reviewer); r != nil {
			span := config.Span{BusinessDays: c.HR.OverdueAfterBusinessDays}
			sub.OverdueAt = span.After(now.In(r.Location()), d.Calendar.BusinessDay(r, nil))
		}
	} else {
		e.Footprint, e.PlanCheck, e.Submitted = sd.Entry.Footprint, sd.Entry.PlanCheck, sd.Entry.Submitted
		sub.ReadRevision = current
	}
	sub.Entry = e
	rev, err := d.Store.Submit(ctx, sub)
	if err != nil {
		return 0, nil, err
	}
	logs.For(ctx, d.logger()).Info("standup submitted", logs.Key, id.String(), "revision", rev)
	return rev, nil, nil
}

// Open returns the standup for id, creating its slot when the day is one the person owes one
// (as opening the modal does). An error wrapping store.ErrNotFound means there is no standup
// that day.
func (d Deps) Open(ctx context.Context, cfg *config.Config, id ID) (Standup, error) {
	return d.slotFor(ctx, cfg, id)
}

// FormInput gathers what a standup form shows, for the modal and the web form alike: the
// snapshot once submitted (the live footprint before), the last standup, the plan check, the
// open assignments and the next business day.
func (d Deps) FormInput(ctx context.Context, sd Standup, p *config.Person, c *config.Client, now time.Time) (ModalInput, error) {
	return d.modalInput(ctx, sd, p, c, now)
}

// ReviewForm is a review as sent: the reviewer's notes and the flags chosen (unknown flags are
// ignored).
type ReviewForm struct {
	Notes string
	Flags []string
}

// Review is the form as the reviewer's fields of a review by reviewer at now.
func (f ReviewForm) Review(reviewer string, now time.Time) Review {
	r := Review{Reviewer: reviewer, ReviewedAt: now, Notes: strings.TrimSpace(f.Notes)}
	seen := map[Flag]bool{}
	for _, v := range f.Flags {
		for _, known := range Flags {
			if string(known) == v && !seen[known] {
				seen[known] = true
				r.Flags = append(r.Flags, known)
			}
		}
	}
	return r
}

// Review marks id reviewed with caller's notes and flags, the same way from every surface:
// caller must be the client's reviewer. The review and the standup.reviewed event (which
// closes an overdue-review issue) commit together (Store.MarkReviewed). read is the entry
// revision the reviewer read, or AnyRevision: when the developer edited the standup since,
// the review fails with ErrConflict, so that nobody marks reviewed what they did not read.
// Notes longer than MaxAnswerLength come back as a problem keyed FieldReviewNotes.
// ErrNotInConfig, ErrNotReviewer, ErrReviewed, ErrNotSubmitted and ErrConflict are the
// caller's to explain.
func (d Deps) Review(ctx context.Context, cfg *config.Config, caller *config.Person, id ID, f ReviewForm, read int, now time.Time) (map[string]string, error) {
	c := cfg.Client(id.Client)
	if c == nil || cfg.PersonByID(id.Person) == nil {
		return nil, fmt.Errorf("review %s: %w", id, ErrNotInConfig)
	}
	if caller == nil || caller.ID != c.HR.Reviewer {
		return nil, fmt.Errorf("review %s: %w", id, ErrNotReviewer)
	}
	r := f.Review(caller.ID, now)
	if tooLong(r.Notes) {
		return map[string]string{FieldReviewNotes: tooLongMessage}, nil
	}
	if read != AnyRevision {
		sd, err := d.Store.Standup(ctx, id)
		if err != nil {
			return nil, err
		}
		switch {
		case sd.Entry == nil:
			return nil, fmt.Errorf("review %s: %w", id, ErrNotSubmitted)
		case !sd.Entry.Reviewed.IsZero():
			return nil, fmt.Errorf("review %s: %w", id, ErrReviewed)
		case sd.Entry.Revision != read:
			return nil, fmt.Errorf("review %s: read revision %d, now %d: %w", id, read, sd.Entry.Revision, ErrConflict)
		}
	}
	if err := d.Store.MarkReviewed(ctx, id, r); err != nil {
		return nil, err
	}
	logs.For(ctx, d.logger()).Info("standup reviewed", logs.Key, id.String(), logs.User, caller.ID)
	return nil, nil
}
