package clinic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/ghub"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// OutsideAssociations are GitHub's author_association values of people outside the
// organisation: their pull requests are outside patches.
var OutsideAssociations = map[string]bool{"NONE": true, "FIRST_TIMER": true, "FIRST_TIME_CONTRIBUTOR": true, "CONTRIBUTOR": true}

// outsideAuthor reports whether a pull request by login (author_association assoc, account
// type kind) is an outside patch for team: someone GitHub counts as outside the organisation,
// not a bot, and not someone the config counts as part of the team.
func outsideAuthor(cfg *config.Config, team *config.Team, login, assoc, kind string) bool {
	if !OutsideAssociations[strings.ToUpper(assoc)] || strings.EqualFold(kind, "Bot") || strings.HasSuffix(login, "[bot]") {
		return false
	}
	if p := cfg.PersonByGitHub(login); p != nil && team.Insider(p.ID) {
		return false
	}
	return true
}

// pullRequest handles a pull_request delivery: opened (and reopened, ready for review) by
// someone outside the organisation in a repository of a team with Clinic Duty, it becomes a
// patch routed to a reviewer; closed or merged, its wait ends.
func (p *Processor) pullRequest(ctx context.Context, e store.Event) error {
	var ev github.PullRequestEvent
	if err := json.Unmarshal(e.Payload, &ev); err != nil || ev.PullRequest == nil || ev.Repo == nil {
		p.log(ctx).Error("clinic: undecodable pull_request delivery ignored", logs.Key, e.Key)
		return nil
	}
	cfg, err := p.Config.Current(ctx, e.ReceivedAt)
	if err != nil {
		return fmt.Errorf("clinic: config: %w", err)
	}
	pr, repo := ev.PullRequest, ev.Repo.GetFullName()
	var errs []error
	for _, team := range cfg.Teams {
		if !team.ClinicWatches(repo) {
			continue
		}
		id := GitHubPatchID(repo, pr.GetNumber())
		switch ev.GetAction() {
		case "opened", "reopened", "ready_for_review":
			if pr.GetDraft() || pr.GetState() == "closed" {
				continue
			}
			if !outsideAuthor(cfg, team, pr.GetUser().GetLogin(), pr.GetAuthorAssociation(), pr.GetUser().GetType()) {
				continue
			}
			patch := &Patch{Team: team.ID, ID: id, Source: "github", Repo: repo, Number: pr.GetNumber(), Title: pr.GetTitle(), URL: pr.GetHTMLURL(),
				Author: pr.GetUser().GetLogin(), Association: pr.GetAuthorAssociation(), Opened: e.ReceivedAt}
			errs = append(errs, p.openPatch(ctx, cfg, team, patch, e.ReceivedAt))
		case "closed":
			how := "closed"
			if pr.GetMerged() {
				how = "merged"
			}
			errs = append(errs, p.closePatch(ctx, team, id, how, e.ReceivedAt))
		}
	}
	return errors.Join(errs...)
}

// review handles a pull_request_review delivery: a review by a team member is a first response.
func (p *Processor) review(ctx context.Context, e store.Event) error {
	var ev github.PullRequestReviewEvent
	if err := json.Unmarshal(e.Payload, &ev); err != nil || ev.PullRequest == nil || ev.Review == nil || ev.Repo == nil {
		p.log(ctx).Error("clinic: undecodable pull_request_review delivery ignored", logs.Key, e.Key)
		return nil
	}
	if ev.GetAction() != "submitted" {
		return nil
	}
	how := "reviewed"
	if s := strings.ToLower(ev.Review.GetState()); s != "" {
		how = "reviewed (" + strings.ReplaceAll(s, "_", " ") + ")"
	}
	return p.responded(ctx, e, ev.Repo.GetFullName(), ev.PullRequest.GetNumber(), ev.Review.GetUser().GetLogin(), how)
}

// issueComment handles an issue_comment delivery: a comment by a team member on a pull request
// is a first response.
func (p *Processor) issueComment(ctx context.Context, e store.Event) error {
	var ev github.IssueCommentEvent
	if err := json.Unmarshal(e.Payload, &ev); err != nil || ev.Issue == nil || ev.Comment == nil || ev.Repo == nil {
		p.log(ctx).Error("clinic: undecodable issue_comment delivery ignored", logs.Key, e.Key)
		return nil
	}
	if ev.GetAction() != "created" || !ev.Issue.IsPullRequest() {
		return nil
	}
	return p.responded(ctx, e, ev.Repo.GetFullName(), ev.Issue.GetNumber(), ev.Comment.GetUser().GetLogin(), "commented")
}

// responded records the first response by a team member (login) to the patch of repo#number.
func (p *Processor) responded(ctx context.Context, e store.Event, repo string, number int, login, how string) error {
	cfg, err := p.Config.Current(ctx, e.ReceivedAt)
	if err != nil {
		return fmt.Errorf("clinic: config: %w", err)
	}
	who := cfg.PersonByGitHub(login)
	var errs []error
	for _, team := range cfg.Teams {
		if !team.ClinicWatches(repo) || who == nil || !team.Insider(who.ID) {
			continue
		}
		errs = append(errs, p.respond(ctx, team, GitHubPatchID(repo, number), who.ID, how, e.ReceivedAt))
	}
	return errors.Join(errs...)
}

// respond records who first responded to a waiting patch, and when; a patch the team does not
// track, or one already answered, is left alone.
func (p *Processor) respond(ctx context.Context, team *config.Team, id, who, how string, at time.Time) error {
	_, changed, err := p.Store.UpdatePatch(ctx, team.ID, id, at, func(x *Patch) bool {
		if !x.RespondedAt.IsZero() || !x.ClosedAt.IsZero() || at.Before(x.Opened) {
			return false
		}
		x.RespondedAt, x.RespondedBy, x.RespondedHow = at, who, how
		return true
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err == nil && changed {
		p.log(ctx).Info("clinic: outside patch answered", logs.Team, team.ID, "patch", id, "by", who)
	}
	return err
}

// closePatch ends a patch's wait (merged, closed, published, abandoned).
func (p *Processor) closePatch(ctx context.Context, team *config.Team, id, how string, at time.Time) error {
	_, _, err := p.Store.UpdatePatch(ctx, team.ID, id, at, func(x *Patch) bool {
		if !x.ClosedAt.IsZero() {
			return false
		}
		x.ClosedAt, x.ClosedHow = at, how
		return true
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// Commenter writes the one comment to a patch's author: on the pull request, or on the
// revision.
type Commenter func(ctx context.Context, text string) error

// openPatch records a new outside patch (or reopens a closed one) and routes it: a reviewer,
// the first-response target, the one comment to the author, a DM to the reviewer. Every effect
// is keyed by the patch and recorded on it.
func (p *Processor) openPatch(ctx context.Context, cfg *config.Config, team *config.Team, patch *Patch, now time.Time) error {
	return p.route(ctx, cfg, team, patch, now, func(ctx context.Context, text string) error {
		_, err := p.GitHub.CreateComment(ctx, patch.Repo, patch.Number, text)
		return err
	})
}

// route is openPatch for any source, with comment writing the author's comment.
func (p *Processor) route(ctx context.Context, cfg *config.Config, team *config.Team, patch *Patch, now time.Time, comment Commenter) error {
	cur, err := p.Store.Patch(ctx, team.ID, patch.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if err := p.assign(ctx, cfg, team, patch, now); err != nil {
			return err
		}
		created, err := p.Store.CreatePatch(ctx, patch, now)
		if err != nil {
			return err
		}
		if created {
			p.log(ctx).Info("clinic: outside patch routed", logs.Team, team.ID, "patch", patch.ID, "reviewer", patch.Reviewer, "due", patch.Due)
		}
		if cur, err = p.Store.Patch(ctx, team.ID, patch.ID); err != nil {
			return err
		}
	case err != nil:
		return err
	case !cur.ClosedAt.IsZero() && now.After(cur.ClosedAt):
		// Reopened: a new wait from now when it never had an answer.
		cur, _, err = p.Store.UpdatePatch(ctx, team.ID, patch.ID, now, func(x *Patch) bool {
			if x.ClosedAt.IsZero() || !now.After(x.ClosedAt) {
				return false
			}
			x.ClosedAt, x.ClosedHow = time.Time{}, ""
			if x.RespondedAt.IsZero() {
				x.Due, x.Escalate = p.targets(cfg, team, now)
				x.NaggedAt, x.EscalatedAt = time.Time{}, time.Time{}
			}
			return true
		})
		if err != nil {
			return err
		}
	}
	if !cur.Waiting() {
		return nil
	}
	return p.announcePatch(ctx, cfg, team, cur, now, comment)
}

// targets are the first-response target from opened and the escalation target after it, in
// the team's business days.
func (p *Processor) targets(cfg *config.Config, team *config.Team, opened time.Time) (due, escalate time.Time) {
	span := team.Clinic.FirstResponse
	businessDay := p.Calendar.TeamBusinessDay(cfg, team)
	due = span.After(opened.In(team.Location()), businessDay)
	return due, span.After(due, businessDay)
}

// assign picks the patch's reviewer and targets.
func (p *Processor) assign(ctx context.Context, cfg *config.Config, team *config.Team, patch *Patch, now time.Time) error {
	patch.Due, patch.Escalate = p.targets(cfg, team, now)
	patch.Routing = team.Clinic.Reviewer
	if team.Clinic.Reviewer == config.ReviewerRoundRobin {
		reviewers := team.ClinicReviewers()
		if len(reviewers) > 0 {
			n, err := p.Store.NextReviewer(ctx, team.ID)
			if err != nil {
				return err
			}
			today := config.DateOf(now.In(team.Location()))
			patch.Reviewer = reviewers[(n-1)%len(reviewers)]
			for i := 0; i < len(reviewers); i++ {
				id := reviewers[(n-1+i)%len(reviewers)]
				if who := team.Member(id); who != nil && p.Calendar.Off(who, nil, today) == "" {
					patch.Reviewer = id
					break
				}
			}
			return nil
		}
	}
	patch.Routing = config.ReviewerDuty
	who, err := p.Rotations.FirstOnDuty(ctx, team, now, config.RotationClinic)
	if err != nil {
		return err
	}
	if who == "" {
		who = team.Roles.EM
	}
	patch.Reviewer = who
	return nil
}

func patchKey(team *config.Team, p *Patch, what string) string {
	return "clinic#patch#" + team.ID + "#" + p.ID + "#" + what
}

// announcePatch says, once each, who will look and by when (to the author), and that there is
// a patch to look at (to the reviewer).
func (p *Processor) announcePatch(ctx context.Context, cfg *config.Config, team *config.Team, patch *Patch, now time.Time, comment Commenter) error {
	if patch.CommentedAt.IsZero() {
		_, _, err := p.Effects.Once(ctx, patchKey(team, patch, "comment"), func(ctx context.Context) (string, error) {
			return "commented", comment(ctx, AuthorComment(cfg, team, patch))
		})
		if err != nil {
			return err
		}
		if _, _, err := p.Store.UpdatePatch(ctx, team.ID, patch.ID, now, func(x *Patch) bool {
			if !x.CommentedAt.IsZero() {
				return false
			}
			x.CommentedAt = now
			return true
		}); err != nil {
			return err
		}
	}
	rev := cfg.PersonByID(patch.Reviewer)
	if rev == nil || rev.Slack == "" {
		return nil
	}
	_, _, err := p.Effects.Once(ctx, patchKey(team, patch, "route#"+patch.Due.UTC().Format(time.RFC3339)), func(ctx context.Context) (string, error) {
		return slackapp.DM(ctx, p.Slack, rev.Slack, slackapp.Message{Text: RoutedText(team, patch)})
	})
	return err
}

var loginRE = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$`)

// AuthorComment is the one comment to a patch's author: who will look at it, and by when.
func AuthorComment(cfg *config.Config, team *config.Team, patch *Patch) string {
	hello := "Thanks for the contribution!"
	if patch.Source == "github" && loginRE.MatchString(patch.Author) {
		hello = "Thanks for the contribution, @" + patch.Author + "!"
	}
	who := "Someone from " + ghub.Escape(team.Name)
	if r := cfg.PersonByID(patch.Reviewer); r != nil {
		who = ghub.Escape(r.Name)
		if r.GitHub != "" && patch.Source == "github" {
			who += " (@" + r.GitHub + ")"
		}
		who += " from " + ghub.Escape(team.Name)
	}
	due := patch.Due.UTC().Format("Mon 2 Jan 2006 15:04 UTC")
	if patch.Source == "phabricator" {
		return fmt.Sprintf("%s %s will look at this and give you a first response by %s.\n\n(Posted by Rituals for %s's Clinic Duty; said once.)", hello, who, due, ghub.Escape(team.Name))
	}
	return fmt.Sprintf("%s %s will look at this pull request and give you a first response by **%s**.\n\n_Posted by Rituals for %s's Clinic Duty; this comment is not repeated._", hello, who, due, ghub.Escape(team.Name))
}

// patchLink renders a patch for Slack.
func patchLink(p *Patch) string {
	label := p.Repo + "#" + itoa(p.Number)
	if p.Source == "phabricator" {
		label = "D" + itoa(p.Number)
	}
	return "<" + p.URL + "|" + slackapp.Escape(label) + "> " + slackapp.Escape(p.Title)
}

// RoutedText is the DM to the reviewer a patch was routed to.
func RoutedText(team *config.Team, p *Patch) string {
	why := "you are on Clinic Duty"
	if p.Routing == config.ReviewerRoundRobin {
		why = "it is your turn in the round-robin"
	}
	return fmt.Sprintf(":seedling: Outside patch for %s: %s by %s (%s). Please give it a first response (a review or a comment) by %s — %s.",
		slackapp.Escape(team.Name), patchLink(p), slackapp.Escape(p.Author), associationText(p), when(p.Due, team.Location()), why)
}

func associationText(p *Patch) string {
	switch p.Association {
	case "FIRST_TIMER":
		return "their first contribution to GitHub"
	case "FIRST_TIME_CONTRIBUTOR":
		return "their first contribution here"
	case "CONTRIBUTOR":
		return "a past contributor outside the organisation"
	case "NONE":
		return "outside the organisation"
	}
	return "outside the team"
}

// nagPatch reminds the reviewer once past the target and tells the EM once past the second.
func (p *Processor) nagPatch(ctx context.Context, cfg *config.Config, team *config.Team, patch *Patch, now time.Time) error {
	if !patch.Waiting() {
		return nil
	}
	var errs []error
	if !now.Before(patch.Due) && patch.NaggedAt.IsZero() {
		var err error
		if r := cfg.PersonByID(patch.Reviewer); r != nil && r.Slack != "" {
			_, _, err = p.Effects.Once(ctx, patchKey(team, patch, "nag#"+patch.Due.UTC().Format(time.RFC3339)), func(ctx context.Context) (string, error) {
				return slackapp.DM(ctx, p.Slack, r.Slack, slackapp.Message{Text: NagText(team, patch, now)})
			})
		}
		if err == nil {
			_, _, err = p.Store.UpdatePatch(ctx, team.ID, patch.ID, now, func(x *Patch) bool {
				if !x.NaggedAt.IsZero() || !x.Waiting() {
					return false
				}
				x.NaggedAt = now
				return true
			})
		}
		errs = append(errs, err)
	}
	if !now.Before(patch.Escalate) && patch.EscalatedAt.IsZero() {
		_, _, err := p.Effects.Once(ctx, patchKey(team, patch, "escalate#"+patch.Escalate.UTC().Format(time.RFC3339)), func(ctx context.Context) (string, error) {
			text := EscalationText(cfg, team, patch, now)
			if em := cfg.PersonByID(team.Roles.EM); em != nil && em.Slack != "" {
				return slackapp.DM(ctx, p.Slack, em.Slack, slackapp.Message{Text: text})
			}
			return slackapp.Post(ctx, p.Slack, team.ClinicChannel(), slackapp.Message{Text: text})
		})
		if err == nil {
			_, _, err = p.Store.UpdatePatch(ctx, team.ID, patch.ID, now, func(x *Patch) bool {
				if !x.EscalatedAt.IsZero() || !x.Waiting() {
					return false
				}
				x.EscalatedAt = now
				return true
			})
		}
		if err == nil {
			p.log(ctx).Info("clinic: outside patch escalated to the EM", logs.Team, team.ID, "patch", patch.ID)
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// NagText is the one reminder to the reviewer of a patch past its target.
func NagText(team *config.Team, p *Patch, now time.Time) string {
	return fmt.Sprintf(":hourglass: The outside patch %s by %s has waited %s for a first response; the target was %s. A review or a comment from you (or anyone in %s) ends the wait.",
		patchLink(p), slackapp.Escape(p.Author), human(now.Sub(p.Opened)), when(p.Due, team.Location()), slackapp.Escape(team.Name))
}

// EscalationText tells the EM of a patch still unanswered a second target later.
func EscalationText(cfg *config.Config, team *config.Team, p *Patch, now time.Time) string {
	return fmt.Sprintf(":rotating_light: Escalation: the outside patch %s by %s has had no first response from %s in %s (target %s; %s was asked and reminded).",
		patchLink(p), slackapp.Escape(p.Author), slackapp.Escape(team.Name), human(now.Sub(p.Opened)), when(p.Due, team.Location()), mention(cfg, p.Reviewer))
}
