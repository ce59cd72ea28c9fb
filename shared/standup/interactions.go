package standup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// Interactions handles the standup's buttons and modal submissions (prefix "standup"): it
// reads and writes DynamoDB and opens modals, nothing else; what must reach Slack or GitHub
// later goes through internal events to the processor.
type Interactions struct{ Deps }

var _ slackapp.Interaction = Interactions{}

// Prefix implements slackapp.Interaction.
func (Interactions) Prefix() string { return Prefix }

// errorsResponse is Slack's response_action "errors" for a view_submission.
func errorsResponse(errs map[string]string) map[string]any {
	return map[string]any{"response_action": "errors", "errors": errs}
}

// Handle implements slackapp.Interaction.
func (h Interactions) Handle(ctx context.Context, cb slack.InteractionCallback, now time.Time) (any, error) {
	cfg, err := h.Config.Current(ctx, now)
	if err != nil {
		return nil, err
	}
	switch route := slackapp.Route(cb); route {
	case ActionOpen, ActionView, ActionReview:
		id, err := ParseID(cb.ActionCallback.BlockActions[0].Value)
		if err != nil {
			return nil, err
		}
		view, err := h.viewFor(ctx, cfg, route, id, cb.User.ID, now)
		if err != nil {
			return nil, err
		}
		return nil, h.open(ctx, cb.TriggerID, view)
	case ActionHistory:
		var p EventPayload
		if err := json.Unmarshal([]byte(cb.ActionCallback.BlockActions[0].Value), &p); err != nil {
			return nil, fmt.Errorf("history button value: %w", err)
		}
		p.ResponseURL = cb.ResponseURL
		return nil, h.put(ctx, EventHistory, cb.User.ID+"#"+cb.ActionCallback.BlockActions[0].ActionTs+"#"+hash(cb.ActionCallback.BlockActions[0].Value), p, now)
	case CallbackSubmit:
		return h.submit(ctx, cfg, cb, now)
	case CallbackReview:
		return h.reviewSubmit(ctx, cfg, cb, now)
	case CallbackReadOnly:
		return nil, nil
	default:
		logs.For(ctx, h.logger()).Warn("unknown standup interaction", logs.Key, route)
		return nil, nil
	}
}

func (h Interactions) open(ctx context.Context, trigger string, view slack.ModalViewRequest) error {
	if _, err := h.Views.OpenViewContext(ctx, trigger, view); err != nil {
		return fmt.Errorf("views.open: %w", err)
	}
	return nil
}

// viewFor builds the modal a button opens: the editable standup for its developer (until
// reviewed), the review modal for the client's reviewer, a read-only standup otherwise.
func (h Interactions) viewFor(ctx context.Context, cfg *config.Config, route string, id ID, slackUser string, now time.Time) (slack.ModalViewRequest, error) {
	caller := cfg.PersonBySlack(slackUser)
	p, c := cfg.PersonByID(id.Person), cfg.Client(id.Client)
	if p == nil || c == nil {
		return MessageModal("Standup", "This standup is no longer in the Rituals config."), nil
	}
	sd, err := h.slotFor(ctx, cfg, id)
	if errors.Is(err, store.ErrNotFound) {
		return MessageModal("Standup", fmt.Sprintf("There is no standup for %s on %s.", p.Name, id.Date)), nil
	}
	if err != nil {
		return slack.ModalViewRequest{}, err
	}
	switch {
	case route == ActionReview:
		if caller == nil || caller.ID != c.HR.Reviewer {
			return MessageModal("Review", "Only "+nameOf(cfg, c.HR.Reviewer)+" reviews "+c.Name+"'s standups."), nil
		}
		if !sd.Submitted() {
			return MessageModal("Review", "This standup has not been submitted yet."), nil
		}
		r, _, err := h.Store.ReviewOf(ctx, id)
		if err != nil {
			return slack.ModalViewRequest{}, err
		}
		return ReviewModal(sd, r, p, c), nil
	case route == ActionOpen && caller != nil && caller.ID == p.ID && (sd.Entry == nil || sd.Entry.Reviewed.IsZero()):
		in, err := h.modalInput(ctx, sd, p, c, now)
		if err != nil {
			return slack.ModalViewRequest{}, err
		}
		return BuildModal(in), nil
	default:
		return ReadOnlyModal(sd, p, c), nil
	}
}

func nameOf(cfg *config.Config, id string) string {
	if p := cfg.PersonByID(id); p != nil {
		return p.Name
	}
	return id
}

// submit saves a standup modal submission (see Deps.Submit); what is wrong goes back to the
// modal, which stays open.
func (h Interactions) submit(ctx context.Context, cfg *config.Config, cb slack.InteractionCallback, now time.Time) (any, error) {
	id, err := ParseID(cb.View.PrivateMetadata)
	if err != nil {
		return nil, err
	}
	if cb.View.State == nil {
		return errorsResponse(map[string]string{blockComment: "Please fill in the standup."}), nil
	}
	_, problems, err := h.Submit(ctx, cfg, cfg.PersonBySlack(cb.User.ID), id, formOf(cb.View.State), AnyRevision, now)
	var problem string
	switch {
	case problems != nil:
		return errorsResponse(problems), nil
	case errors.Is(err, ErrNotInConfig):
		problem = "This standup is no longer in the Rituals config."
	case errors.Is(err, ErrNotYours):
		problem = "Only " + nameOf(cfg, id.Person) + " can submit this standup."
	case errors.Is(err, store.ErrNotFound):
		problem = "There is no standup for " + id.Date.String() + "."
	case errors.Is(err, ErrReviewed):
		problem = "This standup was already reviewed; it can no longer be edited."
	case errors.Is(err, ErrConflict):
		problem = "This standup changed meanwhile (another window?). Close this one and open it again."
	case err != nil:
		return nil, err
	}
	if problem != "" {
		return errorsResponse(map[string]string{blockComment: problem}), nil
	}
	return nil, nil
}

// reviewSubmit marks a standup reviewed with the reviewer's notes and flags (see Deps.Review).
func (h Interactions) reviewSubmit(ctx context.Context, cfg *config.Config, cb slack.InteractionCallback, now time.Time) (any, error) {
	id, err := ParseID(cb.View.PrivateMetadata)
	if err != nil {
		return nil, err
	}
	problems, err := h.Review(ctx, cfg, cfg.PersonBySlack(cb.User.ID), id, reviewFormOf(cb.View.State), AnyRevision, now)
	var problem string
	switch {
	case problems != nil:
		return errorsResponse(problems), nil
	case errors.Is(err, ErrNotInConfig), errors.Is(err, ErrNotReviewer):
		problem = "Only the client's reviewer can review this standup."
	case errors.Is(err, ErrReviewed):
		problem = "This standup was already reviewed."
	case errors.Is(err, ErrNotSubmitted):
		problem = "This standup has not been submitted."
	case err != nil:
		return nil, err
	}
	if problem != "" {
		return errorsResponse(map[string]string{blockReviewNotes: problem}), nil
	}
	return nil, nil
}
