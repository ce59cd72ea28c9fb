package slackapp

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/retry"
)

// Poster posts Slack messages; *slack.Client is one.
type Poster interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
}

// Updater edits posted messages; *slack.Client is one.
type Updater interface {
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
}

// Conversations opens direct conversations; *slack.Client is one.
type Conversations interface {
	OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error)
}

var (
	_ Poster        = (*slack.Client)(nil)
	_ Updater       = (*slack.Client)(nil)
	_ Conversations = (*slack.Client)(nil)
)

// Message is what Post sends. Text is the notification text (and the whole message when there
// are no blocks); callers escape untrusted parts of it with Escape, as they do in blocks.
type Message struct {
	Text   string
	Blocks []slack.Block
	// Thread, when set, posts the message as a reply in that thread.
	Thread string
}

func (m Message) options() []slack.MsgOption {
	opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false)}
	if len(m.Blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(m.Blocks...))
	}
	if m.Thread != "" {
		opts = append(opts, slack.MsgOptionTS(m.Thread))
	}
	return opts
}

// Post sends m to channel (a channel id, or a user id for a DM from the bot) and returns the
// message's ts. Transient failures (429 with Retry-After, 5xx, dropped connections) are
// retried within the invocation (see retry.Do); the error names the channel.
func Post(ctx context.Context, api Poster, channel string, m Message) (string, error) {
	var ts string
	err := retry.Do(ctx, func() error {
		var err error
		_, ts, err = api.PostMessageContext(ctx, channel, m.options()...)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("chat.postMessage to %s: %w", channel, err)
	}
	return ts, nil
}

// Update replaces the message at channel/ts with m (m.Thread is ignored).
func Update(ctx context.Context, api Updater, channel, ts string, m Message) error {
	opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false), slack.MsgOptionBlocks(m.Blocks...)}
	err := retry.Do(ctx, func() error {
		_, _, _, err := api.UpdateMessageContext(ctx, channel, ts, opts...)
		return err
	})
	if err != nil {
		return fmt.Errorf("chat.update of %s/%s: %w", channel, ts, err)
	}
	return nil
}

// DMer can open a direct conversation and post in it; *slack.Client is one.
type DMer interface {
	Poster
	Conversations
}

// DM opens (or finds) the bot's direct conversation with user and posts m in it, returning the
// message's ts.
func DM(ctx context.Context, api DMer, user string, m Message) (string, error) {
	var ch *slack.Channel
	err := retry.Do(ctx, func() error {
		var err error
		ch, _, _, err = api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}, ReturnIM: true})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("conversations.open with %s: %w", user, err)
	}
	return Post(ctx, api, ch.ID, m)
}
