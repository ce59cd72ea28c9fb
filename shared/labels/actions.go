package labels

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/ghapp"
	"github.com/rituals-dev/rituals/shared/ghub"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/retry"
	"github.com/rituals-dev/rituals/shared/rotation"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// run does acts in order, each through Effects under key base#<i>, so a retry or a second
// sweep does only what is not done yet. The first action that fails stops the rest (a rule's
// actions on an issue run in order) and its error is returned for a retry. An action GitHub or
// Slack refuses for good (a 404, a 422, a missing permission) is recorded as skipped and the
// next one runs; a missing permission is also told to the team's channel, once.
func (p *Processor) run(ctx context.Context, sub subject, acts []config.LabelAction, base string, now time.Time) error {
	for i, a := range acts {
		if err := p.act(ctx, sub, a, fmt.Sprintf("%s#%d", base, i), now); err != nil {
			return fmt.Errorf("label rule %s/%s, action %d (%s) on %s#%d: %w", sub.team.ID, sub.rule.ID, i+1, a.Kind, sub.is.Repo, sub.is.Number, err)
		}
	}
	return nil
}

func (p *Processor) act(ctx context.Context, sub subject, a config.LabelAction, key string, now time.Time) error {
	is := sub.is
	once := func(key string, fn func(ctx context.Context) (string, error)) (string, error) {
		return p.effect(ctx, sub, a, key, fn)
	}
	switch a.Kind {
	case config.ActionComment:
		_, err := once(key, func(ctx context.Context) (string, error) {
			return p.GitHub.CreateComment(ctx, is.Repo, is.Number, sub.GitHubText(a.Text))
		})
		return err
	case config.ActionPost:
		_, err := once(key, func(ctx context.Context) (string, error) {
			return slackapp.Post(ctx, p.Slack, a.Channel, slackapp.Message{Text: sub.SlackText(a.Text)})
		})
		return err
	case config.ActionDM:
		people, err := p.targets(ctx, sub, a.Target, now)
		if err != nil {
			return err
		}
		for _, who := range people {
			if who.Slack == "" {
				continue
			}
			if _, err := once(key+"#"+who.ID, func(ctx context.Context) (string, error) {
				return slackapp.DM(ctx, p.Slack, who.Slack, slackapp.Message{Text: sub.SlackText(a.Text)})
			}); err != nil {
				return err
			}
		}
		return nil
	case config.ActionAssign:
		people, err := p.targets(ctx, sub, a.Target, now)
		if err != nil {
			return err
		}
		var logins []string
		for _, who := range people {
			if who.GitHub != "" {
				logins = append(logins, who.GitHub)
			}
		}
		if len(logins) == 0 {
			p.log(ctx).Warn("label rule: nobody to assign", logs.Team, sub.team.ID, "rule", sub.rule.ID, logs.Key, key)
			return nil
		}
		_, err = once(key, func(ctx context.Context) (string, error) {
			return strings.Join(logins, ","), p.GitHub.AddAssignees(ctx, is.Repo, is.Number, logins)
		})
		return err
	case config.ActionAddLabels:
		_, err := once(key, func(ctx context.Context) (string, error) {
			return "added", p.GitHub.AddLabels(ctx, is.Repo, is.Number, a.Labels)
		})
		return err
	case config.ActionRemoveLabels:
		for _, l := range a.Labels {
			if _, err := once(key+"#"+strings.ToLower(l), func(ctx context.Context) (string, error) {
				return "removed", p.GitHub.RemoveLabel(ctx, is.Repo, is.Number, l)
			}); err != nil {
				return err
			}
		}
		return nil
	case config.ActionBoard:
		return p.board(ctx, sub, a, key, once)
	case config.ActionClose:
		_, err := once(key, func(ctx context.Context) (string, error) {
			return "closed", p.GitHub.Close(ctx, is.Repo, is.Number, a.Reason, is.PR)
		})
		return err
	case config.ActionLock:
		_, err := once(key, func(ctx context.Context) (string, error) {
			return "locked", p.GitHub.Lock(ctx, is.Repo, is.Number, a.Reason)
		})
		return err
	}
	return fmt.Errorf("unknown action %q", a.Kind) // Parse refuses these
}

// board adds the issue to the board (one effect, whose result keeps the item's id) and sets its
// status (a second one).
func (p *Processor) board(ctx context.Context, sub subject, a config.LabelAction, key string, once func(string, func(context.Context) (string, error)) (string, error)) error {
	if sub.is.NodeID == "" {
		return nil
	}
	b := a.Board
	proj := ghub.Project{Owner: b.Owner, Number: b.Project, StatusField: b.StatusField, Status: b.Status}
	// The GraphQL mutations name no account: as a GitHub App, act as the board owner's
	// installation (a personal token ignores the hint). The hint goes on the context each
	// effect runs with: once passes its own, not this function's.
	res, err := once(key+"#add", func(ctx context.Context) (string, error) {
		ctx = ghapp.WithOwner(ctx, b.Owner)
		ids, err := p.Projects.IDs(ctx, p.GitHub, proj)
		if err != nil {
			return "", err
		}
		item, err := ghub.AddProjectItem(ctx, p.GitHub, ids.Project, sub.is.NodeID)
		return strings.Join([]string{ids.Project, ids.Field, ids.Option, item}, "|"), err
	})
	parts := strings.Split(res, "|")
	if err != nil || len(parts) != 4 {
		return err // refused (recorded as skipped): no item to set a status on
	}
	_, err = once(key+"#status", func(ctx context.Context) (string, error) {
		return "status set", ghub.SetProjectStatus(ghapp.WithOwner(ctx, b.Owner), p.GitHub, ghub.ProjectIDs{Project: parts[0], Field: parts[1], Option: parts[2]}, parts[3])
	})
	return err
}

// effect runs fn once under key. A refusal no retry will change is recorded as the effect's
// result ("skipped: ...") so that the rule's next action runs; a missing permission is also
// reported to the team's channel (once per rule, action and repository).
func (p *Processor) effect(ctx context.Context, sub subject, a config.LabelAction, key string, fn func(ctx context.Context) (string, error)) (string, error) {
	res, _, err := p.Effects.Once(ctx, key, func(ctx context.Context) (string, error) {
		res, err := fn(ctx)
		switch {
		case err == nil:
			return res, nil
		case retry.Forbidden(err):
			if rerr := p.reportForbidden(ctx, sub, a, err); rerr != nil {
				return "", fmt.Errorf("%w (and telling the team failed: %v)", err, rerr)
			}
			p.log(ctx).Error("label rule: permission refused; skipped and reported", logs.Team, sub.team.ID, "rule", sub.rule.ID, logs.Key, key, logs.Err, err.Error())
			return "skipped: forbidden: " + clip.Runes(err.Error(), 200), nil
		case retry.Permanent(err):
			p.log(ctx).Error("label rule: action refused; skipped", logs.Team, sub.team.ID, "rule", sub.rule.ID, logs.Key, key, logs.Err, err.Error())
			return "skipped: " + clip.Runes(err.Error(), 200), nil
		}
		return "", err
	})
	if strings.HasPrefix(res, "skipped") {
		return "", nil
	}
	return res, err
}

// reportForbidden tells the team's channel, once per rule, action kind and repository, that
// the token (or the Slack app) lacks a permission the rule needs.
func (p *Processor) reportForbidden(ctx context.Context, sub subject, a config.LabelAction, cause error) error {
	key := fmt.Sprintf("labels#forbidden#%s#%s#%s#%s", sub.team.ID, sub.rule.ID, a.Kind, strings.ToLower(sub.is.Repo))
	fix := "give the GitHub token Rituals uses write access to issues (and projects, for boards) in " + slackapp.Escape(sub.is.Repo)
	if a.Kind == config.ActionPost || a.Kind == config.ActionDM {
		fix = "invite @rituals to the channel, or grant the Slack app the scope it names"
	}
	text := fmt.Sprintf(":warning: The label rule *%s* could not %s on <%s|%s#%d>: permission refused (%s). Until you %s, it skips this action; this is the only notice.",
		slackapp.Escape(sub.rule.Name), actionVerb(a.Kind), slackapp.Escape(sub.is.URL), slackapp.Escape(sub.is.Repo), sub.is.Number,
		slackapp.Escape(clip.Runes(cause.Error(), 300)), fix)
	_, _, err := p.Effects.Once(ctx, key, func(ctx context.Context) (string, error) {
		return slackapp.Post(ctx, p.Slack, sub.team.Slack.Channel, slackapp.Message{Text: text})
	})
	return err
}

func actionVerb(kind string) string {
	switch kind {
	case config.ActionComment:
		return "comment"
	case config.ActionPost:
		return "post to its channel"
	case config.ActionDM:
		return "send a DM"
	case config.ActionAssign:
		return "assign"
	case config.ActionAddLabels:
		return "add labels"
	case config.ActionRemoveLabels:
		return "remove labels"
	case config.ActionBoard:
		return "add the issue to the board"
	case config.ActionClose:
		return "close the issue"
	case config.ActionLock:
		return "lock the conversation"
	}
	return kind
}

// targets resolves who an action is about, at now.
func (p *Processor) targets(ctx context.Context, sub subject, tg config.ActionTarget, now time.Time) ([]*config.Person, error) {
	var ids []string
	switch {
	case tg.Person != "":
		ids = []string{tg.Person}
	case tg.Role != "":
		ids = sub.team.RolePeople(tg.Role)
	case tg.Rotation != "":
		id, err := p.onDuty(ctx, sub.team, tg.Rotation, now)
		if err != nil {
			return nil, err
		}
		ids = []string{id}
	case tg.Assignees:
		for _, login := range sub.is.Assignees {
			if who := sub.cfg.PersonByGitHub(login); who != nil {
				ids = append(ids, who.ID)
			}
		}
	}
	var out []*config.Person
	for _, id := range ids {
		if who := sub.cfg.PersonByID(id); who != nil {
			out = append(out, who)
		}
	}
	return out, nil
}

// onDuty is who is on the team's rotation named at now ("" when the team has no such
// rotation: config validation refuses rules naming one, so that is a config in flux).
func (p *Processor) onDuty(ctx context.Context, team *config.Team, name string, now time.Time) (string, error) {
	r := rotation.Of(team, name)
	if r == nil {
		return "", nil
	}
	d, err := p.Rotations.OnDuty(ctx, r, now)
	if err != nil {
		return "", fmt.Errorf("who is on %s's %s rotation: %w", team.ID, name, err)
	}
	return d.Member, nil
}
