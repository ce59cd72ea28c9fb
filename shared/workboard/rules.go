package workboard

import (
	"context"
	"fmt"
	"slices"

	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/retry"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// Column and priority rules.

func ruleKey(x conduit.Xact, column, what string) string {
	return "phab#rule#" + x.PHID + "#" + column + "#" + what
}

// columnRule checks one move of x against the rule of the column it went into. A move the rule
// does not allow (the mover, or a task without points) is moved back in enforce mode — only
// while the task is still in that column and came from a single column — and commented on; the
// mover is told in Slack. Every effect is keyed by the transaction.
func (t *teamDelivery) columnRule(ctx context.Context, x conduit.Xact, mv conduit.Move) error {
	if mv.Reorder() {
		return nil
	}
	rule, ok := t.board.Rules[mv.ColumnPHID]
	if !ok {
		return nil
	}
	mover := t.Dir.Person(x.AuthorPHID)
	moverID := ""
	if mover != nil {
		moverID = mover.ID
	}
	v := Violation{NotAllowed: !rule.Allows(t.team, moverID), NoPoints: rule.RequirePoints && !t.Task.Points.Set()}
	if !v.NotAllowed && !v.NoPoints {
		return nil
	}
	from := mv.From()
	column, fromName := t.board.ColumnName(mv.ColumnPHID), t.board.ColumnName(from)
	stillThere := t.Snapshot.Columns[mv.BoardPHID] == mv.ColumnPHID
	moveBack := rule.Mode == config.ModeEnforce && stillThere && from != ""
	url := taskURL(t.Config, t.Task.ID)
	log := t.w.log(ctx).With(logs.Team, t.team.ID, "task", fmt.Sprintf("T%d", t.Task.ID), "column", column, "mover", x.AuthorPHID)
	log.Info("workboard: column rule broken", "not_allowed", v.NotAllowed, "no_points", v.NoPoints, "move_back", moveBack, "still_there", stillThere)

	_, _, err := t.w.Effects.Once(ctx, ruleKey(x, mv.ColumnPHID, "edit"), func(ctx context.Context) (string, error) {
		edits := []conduit.Edit{}
		if moveBack {
			edits = append(edits, conduit.Edit{Type: "column", Value: []map[string]any{{"columnPHID": from}}})
		}
		edits = append(edits, conduit.Edit{Type: "comment", Value: moveComment(t.Config, t.team, column, fromName, moveBack, rule.Allow, v)})
		phids, err := t.Client.EditTask(ctx, t.Task.PHID, edits...)
		if err != nil && retry.Permanent(err) {
			// The bot cannot edit this task (or the server refuses the edit): report it once and
			// record the effect as failed, instead of retrying it until it is dead-lettered.
			log.Error("workboard: the server refused the rule's edit; reported, not retried", logs.Err, err.Error())
			what := "comment on"
			if moveBack {
				what = "move back"
			}
			if rerr := t.report(ctx, ruleKey(x, mv.ColumnPHID, "report"), failedEditText(url, t.Task.ID, t.Task.Title, what, err)); rerr != nil {
				return "", rerr
			}
			return "failed: " + clip.Runes(err.Error(), 200), nil
		}
		return fmt.Sprint(phids), err
	})
	if err != nil {
		return fmt.Errorf("enforce the rule of %s on T%d: %w", column, t.Task.ID, err)
	}
	if mover == nil || mover.Slack == "" {
		return nil
	}
	_, _, err = t.w.Effects.Once(ctx, ruleKey(x, mv.ColumnPHID, "dm"), func(ctx context.Context) (string, error) {
		return slackapp.DM(ctx, t.w.Slack, mover.Slack, slackapp.Message{Text: moverDM(t.Config, t.team, url, t.Task.ID, t.Task.Title, column, fromName, moveBack, rule.Allow, v)})
	})
	return err
}

// report posts a problem to the team's channel, once per key.
func (t *teamDelivery) report(ctx context.Context, key, text string) error {
	_, _, err := t.w.Effects.Once(ctx, key, func(ctx context.Context) (string, error) {
		return slackapp.Post(ctx, t.w.Slack, t.team.Slack.Channel, slackapp.Message{Text: text})
	})
	return err
}

// priorityRule reports to the priority owners a priority change by someone else on a task
// whose priority, before x, one of them set (the latest recorded priority change before x).
func (t *teamDelivery) priorityRule(ctx context.Context, x conduit.Xact) error {
	owners := t.team.Phabricator.PriorityOwners(t.team)
	if len(owners) == 0 || x.PriorityNew == nil || x.PriorityOld == nil {
		return nil
	}
	author := t.Dir.Person(x.AuthorPHID)
	for _, o := range owners {
		if author != nil && author.ID == o {
			return nil
		}
	}
	hist, err := t.history(ctx)
	if err != nil {
		return err
	}
	var setter *conduit.Xact
	for i := range hist {
		h := hist[i]
		if h.PHID == x.PHID || h.Created.After(x.Created) {
			break
		}
		if h.Type == conduit.KindPriority {
			setter = &hist[i]
		}
	}
	if setter == nil {
		return nil
	}
	owner := t.Dir.Person(setter.AuthorPHID)
	if owner == nil || !slices.Contains(owners, owner.ID) {
		return nil
	}
	text := priorityText(taskURL(t.Config, t.Task.ID), t.Task.ID, t.Task.Title, t.name(ctx, x.AuthorPHID),
		t.Dir.Server.PriorityName(*x.PriorityOld), t.Dir.Server.PriorityName(*x.PriorityNew), setter.Created)
	_, _, err = t.w.Effects.Once(ctx, "phab#priority#"+x.PHID+"#"+owner.ID, func(ctx context.Context) (string, error) {
		if owner.Slack == "" {
			return slackapp.Post(ctx, t.w.Slack, t.team.Slack.Channel, slackapp.Message{Text: text})
		}
		return slackapp.DM(ctx, t.w.Slack, owner.Slack, slackapp.Message{Text: text})
	})
	return err
}
