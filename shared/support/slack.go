package support

import (
	"context"

	"github.com/slack-go/slack"
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
