package slackapp

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/config"
)

// PickTeam finds the team a slash command is about, among the teams for which eligible is
// true: the team one of whose channels (channels(t)) the command was typed in, else the
// invoker's only eligible team. Otherwise it returns a UsageError asking for the team id
// first (e.g. "/support billing oncall", with example "oncall") and showing help. It returns
// nil, nil when no team is eligible at all.
func PickTeam(cfg *config.Config, cmd slack.SlashCommand, eligible func(*config.Team) bool, channels func(*config.Team) []string, example string, help Usage) (*config.Team, error) {
	var all []string
	for _, t := range cfg.Teams {
		if !eligible(t) {
			continue
		}
		all = append(all, t.ID)
		if slices.Contains(channels(t), cmd.ChannelID) {
			return t, nil
		}
	}
	var mine []*config.Team
	if p := cfg.PersonBySlack(cmd.UserID); p != nil {
		for _, t := range cfg.TeamsOf(p.ID) {
			if eligible(t) {
				mine = append(mine, t)
			}
		}
	}
	if len(mine) == 1 {
		return mine[0], nil
	}
	if len(all) == 0 {
		return nil, nil
	}
	return nil, &UsageError{
		Problem: fmt.Sprintf("Which team? Type its id first, e.g. `%s %s %s` (teams: %s), or use the command in the team's channel.", cmd.Command, all[0], example, strings.Join(all, ", ")),
		Usage:   []Usage{help},
	}
}

// HelpText renders a command's help: a title line, then every usage.
func HelpText(title string, us []Usage) string {
	var b strings.Builder
	b.WriteString(title)
	for _, u := range us {
		b.WriteString(u.Line())
	}
	return b.String()
}

// EphemeralPoster answers a person privately; *slack.Client is one.
type EphemeralPoster interface {
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
}

var _ EphemeralPoster = (*slack.Client)(nil)

// ReplyEphemeral answers the person who triggered an interaction, in the channel it happened
// in; it does nothing (and reports false) when the interaction has no channel.
func ReplyEphemeral(ctx context.Context, api EphemeralPoster, cb slack.InteractionCallback, text string) (bool, error) {
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	if channel == "" {
		return false, nil
	}
	if _, err := api.PostEphemeralContext(ctx, channel, cb.User.ID, slack.MsgOptionText(text, false)); err != nil {
		return false, fmt.Errorf("chat.postEphemeral: %w", err)
	}
	return true, nil
}

// TeamArgs splits a team command's text: an optional leading team id (of an eligible team),
// the subcommand ("help" when there is none), and its arguments. team is nil when the text does
// not start with a team id.
func TeamArgs(cfg *config.Config, text string, eligible func(*config.Team) bool) (team *config.Team, sub string, args []string) {
	args = strings.Fields(text)
	if len(args) > 0 {
		if t := cfg.Team(strings.ToLower(args[0])); t != nil && eligible(t) {
			team, args = t, args[1:]
		}
	}
	sub = "help"
	if len(args) > 0 {
		sub, args = strings.ToLower(args[0]), args[1:]
	}
	return team, sub, args
}
