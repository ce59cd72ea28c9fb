package standup

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// homeEvent is the part of an app_home_opened event callback the home tab needs.
type homeEvent struct {
	Event struct {
		Type string `json:"type"`
		User string `json:"user"`
		Tab  string `json:"tab"`
	} `json:"event"`
}

func (p Processor) home(ctx context.Context, e store.Event, now time.Time) error {
	var he homeEvent
	if err := json.Unmarshal(e.Payload, &he); err != nil {
		return fmt.Errorf("app_home_opened %s: %w", e.Key, err)
	}
	if he.Event.Tab != "" && he.Event.Tab != "home" {
		return nil
	}
	cfg, err := p.Config.Current(ctx, now)
	if err != nil {
		return err
	}
	me := cfg.PersonBySlack(he.Event.User)
	if me == nil {
		return nil
	}
	view, err := HomeView(ctx, p.Store, p.Calendar, cfg, me, now, p.Links)
	if err != nil {
		return err
	}
	_, _, err = p.Effects.Once(ctx, "standup:home:"+e.Key, func(ctx context.Context) (string, error) {
		_, err := p.Slack.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: he.Event.User, View: view})
		if err != nil {
			return "", fmt.Errorf("views.publish for %s: %w", me.ID, err)
		}
		return "published", nil
	})
	return err
}

// HomeView is the App Home tab: today's standups with Fill in / Edit / View, and the recent
// ones per client, linked to their web pages when web has an address.
func HomeView(ctx context.Context, st Store, c *calendar.Calendar, cfg *config.Config, me *config.Person, now time.Time, web Links) (slack.HomeTabViewRequest, error) {
	b := &budget{max: MaxModalBlocks}
	today := Today(me, now)
	b.add(header("Standups · " + longDate(today)))
	if l := webLink(web.Home(), "Open Rituals on the web"); l != "" {
		b.add(contextText(l + " · your standups, your teams' days and reviews"))
	}
	duties := DutiesOf(cfg, me.ID)
	if len(duties) == 0 {
		b.add(section("You are not a member of a team that runs standups."))
	}
	away, err := st.AwayRanges(ctx, []string{me.ID})
	if err != nil {
		return slack.HomeTabViewRequest{}, err
	}
	for _, d := range duties {
		id := ID{Client: d.Client.ID, Person: me.ID, Date: today}
		_, off, ok := SlotOn(c, d, away[me.ID], today)
		if !ok {
			b.add(section(fmt.Sprintf("*%s* — no standup today (%s).", slackapp.Escape(d.Client.Name), off.Describe())))
		} else {
			sd, err := st.Standup(ctx, id)
			var label, action = "Fill in", ActionOpen
			status := "not submitted yet"
			if err == nil && sd.Submitted() {
				status, label = "submitted "+localTime(sd.Entry.Submitted, me.Location()), "Edit"
				if !sd.Entry.Reviewed.IsZero() {
					status, label, action = status+" · reviewed", "View", ActionView
				}
			}
			b.add(slack.NewSectionBlock(mrkdwn(fmt.Sprintf("*%s* — %s", slackapp.Escape(d.Client.Name), status)), nil,
				slack.NewAccessory(button(action, id.String(), label))))
		}
		page, _, err := st.Page(ctx, d.Client.ID, me.ID, today, false, 3)
		if err != nil {
			return slack.HomeTabViewRequest{}, err
		}
		for _, sd := range page {
			line := longDate(sd.Slot.ID.Date) + " · "
			if l := webLink(web.Standup(sd.Slot.ID), longDate(sd.Slot.ID.Date)); l != "" {
				line = l + " · "
			}
			if sd.Submitted() {
				line += sd.Entry.Availability.Label() + " · " + slackapp.Escape(clip.Bytes(sd.Entry.Comment, 200))
				if s := sd.Entry.PlanCheck.Summary(); s != "" {
					line += " · _" + s + "_"
				}
			} else {
				line += "_not submitted_"
			}
			b.add(contextText(line))
		}
	}
	b.add(contextText("`/standup history` for more · `/standup away &lt;from&gt; &lt;to&gt;` for days off"))
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: b.blocks}}, nil
}
