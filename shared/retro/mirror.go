package retro

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/google/go-github/v60/github"

	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/store"
)

// Mirror records an action item's state from an issues delivery about its ticket: closed,
// reopened, or deleted (which ends it as closed). Deliveries about other issues are ignored;
// older deliveries never overwrite newer ones (the issue's updated_at orders them). Nothing
// polls GitHub: the webhooks the stack already receives carry the state.
func (p *Processor) Mirror(ctx context.Context, e store.Event) error {
	var ev github.IssuesEvent
	if err := json.Unmarshal(e.Payload, &ev); err != nil {
		p.log(ctx).Error("retro: undecodable issues delivery", logs.Key, e.Key, logs.Err, err.Error())
		return nil
	}
	state := map[string]string{"closed": StateClosed, "reopened": StateOpen, "deleted": StateClosed}[ev.GetAction()]
	repo, num := ev.GetRepo().GetFullName(), ev.GetIssue().GetNumber()
	if state == "" || repo == "" || num == 0 {
		return nil
	}
	a, err := p.Store.ActionByTicket(ctx, Ticket{Tracker: TrackerGitHub, Ref: repo + "#" + strconv.Itoa(num)})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	at := ev.GetIssue().GetUpdatedAt().Time
	if at.IsZero() {
		at = e.ReceivedAt
	}
	changed, err := p.Store.MirrorState(ctx, a, state, at)
	if err != nil || !changed {
		return err
	}
	p.log(ctx).Info("retro: action item state mirrored", logs.Repo, repo, logs.Key, a.Ticket.Ref, "state", state)
	// Show it on the closed retro's action items message too.
	cfg, err := p.Config.Current(ctx, e.ReceivedAt)
	if err != nil {
		return err
	}
	team := cfg.Team(a.Retro.Team)
	r, err := p.Store.Get(ctx, a.Retro)
	if err != nil || team == nil || r.Board == "" {
		return err
	}
	_, err = p.actionsMessage(ctx, team, r, r.Board, nil)
	return err
}
