package support

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/slackapp"
)

// Slack is what the processor does in Slack; *slack.Client implements it.
type Slack interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
	OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error)
}

var _ Slack = (*slack.Client)(nil)

// SlackUI is what the interactive handler does in Slack within its 3 seconds: open the
// acknowledgement modal and answer a click with an ephemeral message; *slack.Client
// implements it.
type SlackUI interface {
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
}

var _ SlackUI = (*slack.Client)(nil)

// post sends a message (in a thread when threadTS is set) and returns its ts.
func post(ctx context.Context, api Slack, channel, threadTS, text string, blocks ...slack.Block) (string, error) {
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	if len(blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	var ts string
	err := slackapp.Retry(ctx, func() error {
		var err error
		_, ts, err = api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("chat.postMessage to %s: %w", channel, err)
	}
	return ts, nil
}

// dm opens (or finds) the bot's direct conversation with user and posts text in it.
func dm(ctx context.Context, api Slack, user, text string) (string, error) {
	var ch *slack.Channel
	err := slackapp.Retry(ctx, func() error {
		var err error
		ch, _, _, err = api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}, ReturnIM: true})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("conversations.open with %s: %w", user, err)
	}
	return post(ctx, api, ch.ID, "", text)
}
