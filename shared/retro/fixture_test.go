package retro

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/ghub"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
	"github.com/rituals-dev/rituals/shared/streams/streamstest"
)

// staticConfig is a ConfigSource that always gives one config.
type staticConfig struct{ cfg *config.Config }

func (s staticConfig) Current(context.Context, time.Time) (*config.Config, error) { return s.cfg, nil }

func loadConfig(t *testing.T) *config.Config {
	t.Helper()
	data, err := os.ReadFile("testdata/team.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// world is the retro feature wired against DynamoDB Local and the Slack and GitHub stand-ins.
type world struct {
	t      *testing.T
	cfg    *config.Config
	store  Store
	events *streamstest.Recorder
	out    *standins.Outbox
	cmd    Command
	ui     Interactions
	proc   *Processor
	now    time.Time
}

func newWorld(t *testing.T) *world {
	t.Helper()
	db, tables := dynamotest.New(t)
	sb := standins.New(standins.Options{SlackBotToken: "xoxb-test", GitHubToken: "ghp-test"})
	sb.ExpectCleanSlackText(t)
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	sl := slackapp.NewClient("xoxb-test", standins.SlackAPIURL(srv.URL))
	gh, err := ghub.NewClient("ghp-test", standins.GitHubAPIURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	cfg := loadConfig(t)
	src := staticConfig{cfg}
	st := Store{API: db, Table: tables.State, Events: tables.Events}
	ev := &streamstest.Recorder{Events: store.Events{API: db, Table: tables.Events}}
	return &world{
		t: t, cfg: cfg, store: st, events: ev, out: sb.Outbox(), now: t0,
		cmd:  Command{Config: src, Store: st, Events: ev, Slack: sl},
		ui:   Interactions{Config: src, Store: st, Events: ev, Slack: sl},
		proc: &Processor{Config: src, Store: st, Effects: store.Effects{API: db, Table: tables.State}, Slack: sl, Trackers: Trackers{GitHub: &GitHubTracker{Issues: gh.Issues}}},
	}
}

// run types a command as user in channel; it returns the ephemeral text, or the usage
// problem when the command refused.
func (w *world) run(user, channel, text string) (string, bool) {
	w.t.Helper()
	msg, err := w.cmd.Run(context.Background(), slack.SlashCommand{Command: "/retro", UserID: user, ChannelID: channel, Text: text, TriggerID: "trigger-1"}, w.now)
	var ue *slackapp.UsageError
	if errors.As(err, &ue) {
		return ue.Problem, false
	}
	if err != nil {
		w.t.Fatalf("/retro %s: %v", text, err)
	}
	if msg == nil {
		w.t.Fatalf("/retro %s answered nothing: Slack needs an answer to every command", text)
	}
	return msg.Text, true
}

// must runs a command that must be accepted.
func (w *world) must(user, channel, text string) string {
	w.t.Helper()
	out, ok := w.run(user, channel, text)
	if !ok {
		w.t.Fatalf("/retro %s refused: %s", text, out)
	}
	return out
}

// drain gives the processor every event put so far, as the stream mapping would.
func (w *world) drain() {
	w.t.Helper()
	w.events.Drain(w.t, w.proc)
}

func (w *world) calls(service, api string, since int64) []standins.Call {
	return w.out.Calls(standins.Filter{Service: service, API: api, Since: since})
}

// arg is a call's request parameter as text (structured values as JSON).

// interact sends a block action as user (on a message in channel, or in the view).
func (w *world) interact(user, channel string, view *slack.View, action slack.BlockAction) {
	w.t.Helper()
	cb := slack.InteractionCallback{Type: slack.InteractionTypeBlockActions, User: slack.User{ID: user}, TriggerID: "trigger-2"}
	cb.Channel.ID = channel
	if view != nil {
		cb.View = *view
	}
	cb.ActionCallback.BlockActions = []*slack.BlockAction{&action}
	if _, err := w.ui.Handle(context.Background(), cb, w.now); err != nil {
		w.t.Fatalf("interaction %s: %v", action.ActionID, err)
	}
}

func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
