package doctor

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/infra/setup"
)

// checkSlack: the bot token authenticates with every scope of the manifest, and the bot is a
// member of every channel the config names, none of them archived.
func (d *Doctor) checkSlack(ctx context.Context, s *state) []Result {
	const name = "slack"
	tokenParam := s.stack.Parameters["SlackBotTokenParam"]
	token := s.params[tokenParam]
	if token == "" {
		return []Result{{name, Skip, "no bot token (see ssm)", ""}}
	}
	fix := d.rituals("setup slack --config-token xoxe.xoxp-…")
	id, err := d.Target.SlackAuth(ctx, token)
	if err != nil {
		return []Result{{name, Fail, fmt.Sprintf("Slack refused the bot token in %s (auth.test: %v)", tokenParam, err), fix + " (installs the app again and stores a new token)"}}
	}
	var out []Result
	if m, err := setup.FillManifest(d.Manifest, s.stack.Outputs); err == nil && len(id.Scopes) > 0 {
		var lacking []string
		for _, sc := range m.BotScopes {
			if !slices.Contains(id.Scopes, sc) {
				lacking = append(lacking, sc)
			}
		}
		if len(lacking) > 0 {
			out = append(out, Result{name, Fail, fmt.Sprintf("the bot token lacks the scopes %s that %s asks for", join(lacking), d.Manifest), fix + " (updates the app; approve the new scopes)"})
		}
	}
	if s.cfg == nil {
		if len(out) == 0 {
			out = append(out, Result{name, OK, fmt.Sprintf("bot @%s in %s authenticates (no team config: channels not checked)", id.User, id.Team), ""})
		}
		return out
	}
	api := d.Target.Slack(token)
	chans := setup.ConfigChannels(s.cfg)
	for _, c := range chans {
		what := join(c.For)
		info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: c.ID})
		var se slack.SlackErrorResponse
		if errors.As(err, &se) && se.Err == "channel_not_found" {
			out = append(out, Result{name, Fail, fmt.Sprintf("%s (%s) does not exist, or is private and @%s is not in it", c.ID, what, id.User), fmt.Sprintf("in Slack, /invite @%s in that channel; or correct the channel id in the config and push it", id.User)})
			continue
		}
		if err != nil {
			out = append(out, Result{name, Fail, fmt.Sprintf("conversations.info %s: %v", c.ID, err), ""})
			continue
		}
		label := "#" + info.Name + " (" + c.ID + ", " + what + ")"
		if info.IsArchived {
			out = append(out, Result{name, Fail, label + " is archived: nothing can be posted there", "unarchive it, or name another channel in the config and push it"})
			continue
		}
		members, _, err := api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: c.ID, Limit: 1000})
		if err != nil {
			out = append(out, Result{name, Fail, fmt.Sprintf("conversations.members %s: %v", c.ID, err), ""})
			continue
		}
		if !slices.Contains(members, id.UserID) {
			out = append(out, Result{name, Fail, fmt.Sprintf("@%s is not a member of %s, so it cannot post there", id.User, label), fmt.Sprintf("in #%s, type /invite @%s", info.Name, id.User)})
		}
	}
	if len(out) > 0 {
		return out
	}
	return []Result{{name, OK, fmt.Sprintf("bot @%s in %s has every scope and is in all %d channels the config names", id.User, id.Team, len(chans)), ""}}
}
