package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/httpapi"
	"github.com/rituals-dev/rituals/shared/logs"
)

// Interaction handles the interactions whose route — an action_id, a view's callback_id or a
// shortcut's callback_id — starts with Prefix() followed by ":" (e.g. "support:ack").
type Interaction interface {
	Prefix() string
	// Handle answers cb. The returned value, when not nil, is the JSON body of the HTTP answer
	// (for view_submission: a response_action such as errors, update or clear).
	Handle(ctx context.Context, cb slack.InteractionCallback, now time.Time) (any, error)
}

// Interactions serves POST /slack/interactions.
type Interactions struct {
	Secret   string
	Handlers []Interaction
	// Replays, when set, refuses a byte-identical repeat of a button click or submission
	// (see ReplayGuard).
	Replays *ReplayGuard
	Log     *slog.Logger
	// Now is used only when API Gateway gives no request time.
	Now func() time.Time
}

// Handle verifies the request, decodes its payload and routes it. An interaction nobody owns is
// acknowledged (Slack would otherwise show the user an error) and logged.
func (h Interactions) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	log := logs.For(ctx, h.Log)
	body, now, answer := verified(req, h.Secret, h.Now)
	if answer != nil {
		log.Info("rejected interaction", logs.Status, answer.StatusCode, logs.Err, strings.TrimSpace(answer.Body))
		return *answer, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		return *httpapi.Text(http.StatusBadRequest, "body must be form-encoded with a payload field"), nil
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		return *httpapi.Text(http.StatusBadRequest, "payload is not a Slack interaction JSON object"), nil
	}
	route := Route(cb)
	log = log.With(logs.User, cb.User.ID, logs.Event, string(cb.Type), logs.Key, route)
	if h.Replays != nil && (cb.Type == slack.InteractionTypeBlockActions || cb.Type == slack.InteractionTypeViewSubmission) {
		if err := h.Replays.First(ctx, httpapi.Header(req, "X-Slack-Signature"), now); errors.Is(err, ErrReplayed) {
			log.Warn("replayed interaction refused")
			return httpapi.Response{StatusCode: http.StatusOK}, nil
		} else if err != nil {
			log.Error("interaction not checked for replay", logs.Err, err.Error())
			return *httpapi.JSON(http.StatusOK, FailureAnswer(cb)), nil
		}
	}
	for _, ih := range h.Handlers {
		if !strings.HasPrefix(route, ih.Prefix()+":") {
			continue
		}
		out, err := ih.Handle(ctx, cb, now)
		if err != nil {
			log.Error("interaction failed", logs.Err, err.Error())
			return *httpapi.JSON(http.StatusOK, FailureAnswer(cb)), nil
		}
		if out == nil {
			return httpapi.Response{StatusCode: http.StatusOK}, nil
		}
		return *httpapi.JSON(http.StatusOK, out), nil
	}
	log.Warn("no handler for interaction")
	return httpapi.Response{StatusCode: http.StatusOK}, nil
}

// Route is the identifier an interaction is routed on: the first action's action_id for
// block_actions, the view's callback_id for view submissions, the callback_id otherwise.
func Route(cb slack.InteractionCallback) string {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		if len(cb.ActionCallback.BlockActions) > 0 {
			return cb.ActionCallback.BlockActions[0].ActionID
		}
	case slack.InteractionTypeViewSubmission, slack.InteractionTypeViewClosed:
		return cb.View.CallbackID
	}
	return cb.CallbackID
}

// FailureMessage is what a person sees when their submission could not be saved on our side.
const FailureMessage = "Sorry, this could not be saved on our side; nothing was lost — your text is still here. Please press Submit again in a minute."

// FailureAnswer is the answer to an interaction whose handler failed. For a modal submission
// it is response_action "errors" on the view's first input block: Slack keeps the modal open
// with everything the person typed, instead of closing it as if it had been saved (which an
// empty 200 would do). Other interactions get an empty object.
func FailureAnswer(cb slack.InteractionCallback) map[string]any {
	if cb.Type != slack.InteractionTypeViewSubmission {
		return map[string]any{}
	}
	for _, b := range cb.View.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok && in.BlockID != "" {
			return map[string]any{"response_action": "errors", "errors": map[string]string{in.BlockID: FailureMessage}}
		}
	}
	// A view without input blocks cannot show a field error: push a modal that says so on top
	// of it, which leaves the submitted view (and what was typed) underneath.
	return map[string]any{"response_action": "push", "view": slack.ModalViewRequest{
		Type:   slack.VTModal,
		Title:  slack.NewTextBlockObject(slack.PlainTextType, "Not saved", false, false),
		Close:  slack.NewTextBlockObject(slack.PlainTextType, "Back", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, FailureMessage, false, false), nil, nil)}},
	}}
}
