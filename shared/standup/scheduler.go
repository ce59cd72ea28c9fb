package standup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-github/v60/github"
	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/retry"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// Scheduler is StandupSchedulerFunction's logic: one Tick per scheduled event.
type Scheduler struct {
	Store    Store
	Effects  store.Effects
	Config   ConfigSource
	Calendar *calendar.Calendar
	Slack    Poster
	Issues   Issues
	Log      *slog.Logger
	// Links address the web pages from the digest, the reviewer's message and the issue.
	Links Links
	// FirstInterval is the interval a tick covers when no tick ran before (default 5 minutes,
	// the schedule's rate).
	FirstInterval time.Duration
	// MaxCatchUp bounds the interval after an outage (default 24 hours): older due and nag
	// instants are skipped (the developer can still open the standup with /standup).
	MaxCatchUp time.Duration
	// Workers bounds the Slack and GitHub calls in flight (default 8).
	Workers int
	// Clock is the wall clock the tick's lease is timed on (time.Now when nil); the work itself
	// runs on the scheduled event's time.
	Clock func() time.Time
}

// TickResult counts what a tick did.
type TickResult struct {
	From, To    time.Time
	Created     int
	Existing    int
	Away        int
	Nagged      int
	Digests     int
	Brought     int
	Overdue     int
	ClosedLater int
	// Yielded is set when another tick held the lease: this one did nothing, and the cursor
	// (which only the other tick moves) makes the next tick cover this interval.
	Yielded bool
}

// Tick does the work of the interval (previous tick, now]: creates due standups, nags the
// empty ones past nag time, posts digests, brings newly submitted standups to reviewers and
// opens issues for overdue reviews; then moves the cursor to now. Running it again for the
// same now (or an earlier one) finds an empty interval; reviewer work is idempotent as well.
//
// Guarantees: ticks never overlap (a lease on the cursor item, until the tick's deadline;
// a tick that finds it taken yields). When anything was not done — it failed, or an effect is
// still claimed by a tick that died — the error is returned (EventBridge retries the
// invocation) and the cursor stays, so the next tick covers the interval again: every step is
// idempotent. A refusal that can never succeed (a wrong hr.repo) is logged and recorded, and
// does not hold the cursor back.
func (s Scheduler) Tick(ctx context.Context, now time.Time) (res TickResult, err error) {
	log := logs.For(ctx, s.logger())
	wall := s.wallNow()
	until := wall.Add(5 * time.Minute)
	if dl, ok := ctx.Deadline(); ok {
		until = dl.Add(store.LeaseMargin)
	}
	token, err := s.Store.LeaseTick(ctx, wall, until)
	if errors.Is(err, ErrTickInProgress) {
		log.Info("another standup tick is running; this one yields", "now", now)
		return TickResult{To: now, Yielded: true}, nil
	}
	if err != nil {
		return TickResult{}, err
	}
	advance := time.Time{}
	defer func() {
		// On a context that outlives the tick's: a tick that ran out of time still releases.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
		defer cancel()
		if rerr := s.Store.ReleaseTick(rctx, token, advance); rerr != nil && err == nil {
			err = rerr
		}
	}()
	cfg, err := s.Config.Current(ctx, now)
	if err != nil {
		return TickResult{}, fmt.Errorf("config: %w", err)
	}
	from, err := s.Store.Cursor(ctx)
	if err != nil {
		return TickResult{}, err
	}
	if from.IsZero() {
		from = now.Add(-s.firstInterval())
	}
	if lim := now.Add(-s.maxCatchUp()); from.Before(lim) {
		log.Warn("scheduler fell behind; skipping older work", "from", from, "to", lim)
		from = lim
	}
	res = TickResult{From: from, To: now}
	var errs []error
	if from.Before(now) {
		w := Plan(cfg, s.Calendar, from, now)
		if err := s.slots(ctx, cfg, w, now, &res); err != nil {
			errs = append(errs, err)
		}
		for _, d := range w.Digests {
			if err := s.digest(ctx, cfg, d, now); err != nil {
				errs = append(errs, err)
				continue
			}
			res.Digests++
		}
	}
	if err := s.reviews(ctx, cfg, now, &res); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return res, errors.Join(errs...)
	}
	if from.Before(now) {
		advance = now
	}
	log.Info("standup tick", "from", from, "to", now, "created", res.Created, "existing", res.Existing, "away", res.Away,
		"nagged", res.Nagged, "digests", res.Digests, "brought", res.Brought, "overdue", res.Overdue)
	return res, nil
}

func (s Scheduler) logger() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// refused logs, at ERROR (the function's alarm fires), an effect Slack or GitHub refused for
// good; retry.SkipPermanent then records it as skipped so that it stops holding the tick back.
func (s Scheduler) refused(ctx context.Context, what, key string) func(error) {
	return func(err error) {
		logs.For(ctx, s.logger()).Error("standup "+what+" refused for good; skipped", logs.Key, key, logs.Err, err.Error())
	}
}

func (s Scheduler) wallNow() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return time.Now()
}

func (s Scheduler) firstInterval() time.Duration {
	if s.FirstInterval > 0 {
		return s.FirstInterval
	}
	return 5 * time.Minute
}

func (s Scheduler) maxCatchUp() time.Duration {
	if s.MaxCatchUp > 0 {
		return s.MaxCatchUp
	}
	return 24 * time.Hour
}

func (s Scheduler) workers() int {
	if s.Workers > 0 {
		return s.Workers
	}
	return 8
}

// slots creates the due standups and nags the empty ones: one BatchGet for away ranges, one
// for the standups (slot and entry), one BatchWrite for the missing slots.
func (s Scheduler) slots(ctx context.Context, cfg *config.Config, w Work, now time.Time, res *TickResult) error {
	if len(w.Create) == 0 && len(w.Nag) == 0 {
		return nil
	}
	var people []string
	seenP := map[string]bool{}
	for _, sl := range append(append([]Slot{}, w.Create...), w.Nag...) {
		if !seenP[sl.ID.Person] {
			seenP[sl.ID.Person] = true
			people = append(people, sl.ID.Person)
		}
	}
	away, err := s.Store.AwayRanges(ctx, people)
	if err != nil {
		return err
	}
	isAway := func(sl Slot) bool {
		for _, r := range away[sl.ID.Person] {
			if r.Contains(sl.ID.Date) {
				return true
			}
		}
		return false
	}
	var ids []ID
	seen := map[ID]bool{}
	var create, nag []Slot
	for _, list := range []struct {
		in  []Slot
		out *[]Slot
	}{{w.Create, &create}, {w.Nag, &nag}} {
		for _, sl := range list.in {
			if isAway(sl) {
				res.Away++
				continue
			}
			*list.out = append(*list.out, sl)
			if !seen[sl.ID] {
				seen[sl.ID] = true
				ids = append(ids, sl.ID)
			}
		}
	}
	existing, err := s.Store.Standups(ctx, ids)
	if err != nil {
		return err
	}
	var puts []types.WriteRequest
	written := map[ID]bool{}
	// A nag implies the slot: create it too if its due tick was missed.
	for _, sl := range append(append([]Slot{}, create...), nag...) {
		if _, ok := existing[sl.ID]; ok || written[sl.ID] {
			continue
		}
		written[sl.ID] = true
		puts = append(puts, types.WriteRequest{PutRequest: &types.PutRequest{Item: slotItem(sl)}})
	}
	res.Created = len(puts)
	res.Existing = len(ids) - len(puts)
	if err := s.Store.batchWrite(ctx, puts); err != nil {
		return fmt.Errorf("create %d standups: %w", len(puts), err)
	}
	var todo []Slot
	for _, sl := range nag {
		if sd, ok := existing[sl.ID]; ok && sd.Submitted() {
			continue
		}
		todo = append(todo, sl)
	}
	var mu sync.Mutex
	err = bounded(ctx, s.workers(), todo, func(ctx context.Context, sl Slot) error {
		p := cfg.PersonByID(sl.ID.Person)
		c := cfg.Client(sl.ID.Client)
		if p == nil || c == nil || p.Slack == "" {
			return nil
		}
		_, ran, err := s.Effects.Once(ctx, "standup:nag:"+sl.ID.String(), retry.SkipPermanent(func(ctx context.Context) (string, error) {
			text, blocks := NagMessage(sl, p, c)
			return slackapp.Post(ctx, s.Slack, p.Slack, slackapp.Message{Text: text, Blocks: blocks})
		}, s.refused(ctx, "nag", sl.ID.String())))
		if err != nil {
			return fmt.Errorf("nag %s: %w", sl.ID, err)
		}
		if ran {
			mu.Lock()
			res.Nagged++
			mu.Unlock()
		}
		return nil
	})
	return err
}

// NagMessage is the DM reminding a developer of an empty standup, with a Fill in button.
func NagMessage(sl Slot, p *config.Person, c *config.Client) (string, []slack.Block) {
	text := fmt.Sprintf("Your standup for %s (%s) is waiting.", slackapp.Escape(c.Name), longDate(sl.ID.Date))
	fill := button(ActionOpen, sl.ID.String(), "Fill in")
	fill.Style = slack.StylePrimary
	return text, []slack.Block{
		section(fmt.Sprintf("Good morning %s! Your standup for *%s* (%s) is still empty.", slackapp.Escape(p.Name), slackapp.Escape(c.Name), longDate(sl.ID.Date))),
		slack.NewActionBlock("standup_nag", fill),
	}
}

// digest posts a team's digest once: started → standups read → included recorded → posted.
func (s Scheduler) digest(ctx context.Context, cfg *config.Config, d DigestDue, now time.Time) error {
	t := d.Team
	if err := s.Store.StartDigest(ctx, t.ID, d.Date, now); err != nil {
		return err
	}
	lines, err := Roster(ctx, s.Store, s.Calendar, cfg, t, d.Date, now)
	if err != nil {
		return fmt.Errorf("digest of %s: %w", t.ID, err)
	}
	var ids []string
	for _, l := range lines {
		if l.Submitted() {
			ids = append(ids, l.ID.String())
		}
	}
	included, err := s.Store.SetDigestIncluded(ctx, t.ID, d.Date, ids)
	if err != nil {
		return err
	}
	channel := t.Slack.DigestChannel
	tsID, _, err := s.Effects.Once(ctx, "standup:digest:"+t.ID+":"+d.Date.String(), retry.SkipPermanent(func(ctx context.Context) (string, error) {
		return slackapp.Post(ctx, s.Slack, channel, slackapp.Message{Text: fmt.Sprintf("Standup digest for %s, %s", slackapp.Escape(t.Name), d.Date), Blocks: DigestBlocks(t, d.Date, lines, included, s.Links)})
	}, s.refused(ctx, "digest", t.ID+" "+d.Date.String())))
	if err != nil {
		return fmt.Errorf("post digest of %s: %w", t.ID, err)
	}
	if retry.Skipped(tsID) {
		channel, tsID = "", ""
	}
	if err := s.Store.SetDigestPosted(ctx, t.ID, d.Date, channel, tsID); err != nil {
		return err
	}
	// The late submissions that arrived while the digest was being posted waited for it.
	dg, err := s.Store.Digest(ctx, t.ID, d.Date)
	if err != nil || len(dg.Late) == 0 {
		return err
	}
	late := make([]ID, 0, len(dg.Late))
	for _, l := range dg.Late {
		if id, err := ParseID(l); err == nil {
			late = append(late, id)
		}
	}
	sds, err := s.Store.Standups(ctx, late)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range late {
		errs = append(errs, postLate(ctx, s.Effects, s.Slack, cfg, sds[id], dg))
	}
	return errors.Join(errs...)
}

// reviews reads the review queue (two queries for every client) and, per client, brings the
// newly submitted standups to the reviewer in one message and opens an issue in the HR repo
// for each overdue review.
func (s Scheduler) reviews(ctx context.Context, cfg *config.Config, now time.Time, res *TickResult) error {
	queued, err := s.Store.ToBring(ctx)
	if err != nil {
		return err
	}
	overdue, err := s.Store.Overdue(ctx, now)
	if err != nil {
		return err
	}
	bring, late := map[string][]Queued{}, map[string][]Queued{}
	for _, q := range queued {
		bring[q.ID.Client] = append(bring[q.ID.Client], q)
	}
	for _, q := range overdue {
		late[q.ID.Client] = append(late[q.ID.Client], q)
	}
	var errs []error
	for _, c := range cfg.Clients {
		if len(bring[c.ID]) == 0 && len(late[c.ID]) == 0 {
			continue
		}
		if err := s.review(ctx, cfg, c, bring[c.ID], late[c.ID], now, res); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s Scheduler) review(ctx context.Context, cfg *config.Config, c *config.Client, queued, overdue []Queued, now time.Time, res *TickResult) error {
	reviewer := cfg.PersonByID(c.HR.Reviewer)
	if reviewer == nil {
		return nil
	}
	if len(queued) > 0 {
		ids := make([]ID, len(queued))
		var keys []string
		for i, q := range queued {
			ids[i] = q.ID
			keys = append(keys, q.ID.String())
		}
		sds, err := s.Store.Standups(ctx, ids)
		if err != nil {
			return err
		}
		var items []ReviewerItem
		for _, q := range queued {
			if p := cfg.PersonByID(q.ID.Person); p != nil {
				items = append(items, ReviewerItem{Standup: sds[q.ID], Person: p})
			}
		}
		_, _, err = s.Effects.Once(ctx, "standup:bring:"+c.ID+":"+hash(keys...), retry.SkipPermanent(func(ctx context.Context) (string, error) {
			return slackapp.Post(ctx, s.Slack, reviewer.Slack, slackapp.Message{Text: fmt.Sprintf("%d standups for %s to review", len(items), slackapp.Escape(c.Name)), Blocks: ReviewerMessage(c, items, s.Links)})
		}, s.refused(ctx, "reviewer message", c.ID)))
		if err != nil {
			return fmt.Errorf("bring standups of %s to %s: %w", c.ID, reviewer.ID, err)
		}
		for _, q := range queued {
			if err := s.Store.MarkBrought(ctx, q, now); err != nil {
				return err
			}
		}
		res.Brought += len(queued)
	}
	owner, repo, ok := strings.Cut(c.HR.Repo, "/")
	if !ok || s.Issues == nil {
		return nil
	}
	var mu sync.Mutex
	return bounded(ctx, s.workers(), overdue, func(ctx context.Context, q Queued) error {
		p := cfg.PersonByID(q.ID.Person)
		if p == nil {
			return nil
		}
		num, _, err := s.Effects.Once(ctx, "standup:overdue:"+q.ID.String(), retry.SkipPermanent(func(ctx context.Context) (string, error) {
			title, body := ReviewOverdueIssue(q.ID, p, reviewer, q.Submitted, c.HR.OverdueAfterBusinessDays, s.Links)
			req := &github.IssueRequest{Title: &title, Body: &body, Labels: &[]string{"standup-review"}}
			if reviewer.GitHub != "" {
				req.Assignees = &[]string{reviewer.GitHub}
			}
			iss, _, err := s.Issues.Create(ctx, owner, repo, req)
			if err != nil {
				return "", fmt.Errorf("open issue in %s: %w", c.HR.Repo, err)
			}
			return itoa(iss.GetNumber()), nil
		}, func(err error) {
			// A wrong hr.repo (404) or a token that may not write there (403, 422) will never
			// work: the review is taken out of the overdue stage instead of failing every tick.
			logs.For(ctx, s.logger()).Error("overdue-review issue refused; fix hr.repo or the token's access", logs.Key, q.ID.String(), logs.Repo, c.HR.Repo, logs.Err, err.Error())
		}))
		if err != nil {
			return fmt.Errorf("overdue review %s: %w", q.ID, err)
		}
		number, _ := strconv.Atoi(num) // 0 when skipped: no issue, out of the overdue stage
		still, err := s.Store.MarkTicketed(ctx, q.ID, number)
		if err != nil || retry.Skipped(num) {
			return err
		}
		mu.Lock()
		res.Overdue++
		mu.Unlock()
		if !still {
			// Reviewed while the issue was being opened: close it here, the processor may have
			// looked before the issue existed.
			return CloseReviewIssue(ctx, s.Effects, s.Store, s.Issues, c, q.ID, number, now)
		}
		return nil
	})
}

// CloseReviewIssue closes the overdue-review issue of id, with a comment, once each, and records
// it closed on the review item. The comment and the close are separate effects: a close that
// fails is retried without posting the comment again. (The comment keeps the key the pair had,
// so a pair done before is not commented twice; closing a closed issue again changes nothing.)
func CloseReviewIssue(ctx context.Context, fx store.Effects, st Store, is Issues, c *config.Client, id ID, number int, now time.Time) error {
	owner, repo, ok := strings.Cut(c.HR.Repo, "/")
	if !ok || number == 0 {
		return nil
	}
	key := "standup:close:" + id.String()
	if _, _, err := fx.Once(ctx, key, func(ctx context.Context) (string, error) {
		body := "Reviewed in Rituals; closing."
		if _, _, err := is.CreateComment(ctx, owner, repo, number, &github.IssueComment{Body: &body}); err != nil {
			return "", fmt.Errorf("comment on %s#%d: %w", c.HR.Repo, number, err)
		}
		return "commented", nil
	}); err != nil {
		return err
	}
	if _, _, err := fx.Once(ctx, key+"#issue", func(ctx context.Context) (string, error) {
		state, reason := "closed", "completed"
		if _, _, err := is.Edit(ctx, owner, repo, number, &github.IssueRequest{State: &state, StateReason: &reason}); err != nil {
			return "", fmt.Errorf("close %s#%d: %w", c.HR.Repo, number, err)
		}
		return "closed", nil
	}); err != nil {
		return err
	}
	return st.MarkTicketClosed(ctx, id)
}
