package clinic

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/ghub"
	"github.com/rituals-dev/rituals/shared/phab"
	"github.com/rituals-dev/rituals/shared/rotation"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/standup"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
	"github.com/rituals-dev/rituals/shared/workboard"
)

// env is Clinic Duty against DynamoDB Local and the Slack, GitHub and Conduit stand-ins, with
// the test config (testdata/rituals.yaml, edited per test) and an adjustable clock.
type env struct {
	t      *testing.T
	ctx    context.Context
	srv    *standins.Server
	url    string
	cfg    *config.Config
	ddb    *dynamodb.Client
	tables store.Tables
	p      *Processor
	cmd    Command
	ix     Interactions
	phab   *phab.Processor
	mu     sync.Mutex
	now    time.Time
	seen   map[string]bool
	seq    int
}

const (
	botToken    = "api-botforclinictests00000000000"
	githubToken = "ghp-clinictests"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type staticConfig struct{ cfg *config.Config }

func (s staticConfig) Current(context.Context, time.Time) (*config.Config, error) { return s.cfg, nil }

// t0 is Monday 23 November 2026 10:00 UTC (10:00 in London): Cat has Clinic Duty (turn 23,
// from 09:00 today to Monday 7 December), Bob support (week 46).
var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// newEnv starts an env; replace edits the test config (old, new pairs).
func newEnv(t *testing.T, replace ...string) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), now: t0, seen: map[string]bool{}}
	raw, err := os.ReadFile("testdata/rituals.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(doc, replace[i]) {
			t.Fatalf("%q is not in the test config", replace[i])
		}
		doc = strings.Replace(doc, replace[i], replace[i+1], 1)
	}
	if e.cfg, err = config.Parse([]byte(doc)); err != nil {
		t.Fatal(err)
	}
	e.srv = standins.New(standins.Options{SlackBotToken: "xoxb-test", GitHubToken: githubToken, ConduitToken: botToken, Now: e.clock})
	e.srv.ExpectCleanSlackText(t)
	hs := httptest.NewServer(e.srv)
	t.Cleanup(hs.Close)
	e.url = hs.URL
	if err := e.srv.SeedConduitFile("testdata/conduit-seed.json"); err != nil {
		t.Fatal(err)
	}
	e.ddb, e.tables = dynamotest.New(t)
	gh, err := ghub.NewClient(githubToken, standins.GitHubAPIURL(hs.URL))
	if err != nil {
		t.Fatal(err)
	}
	slackClient := slackapp.NewClient("xoxb-test", standins.SlackAPIURL(hs.URL))
	cal := calendar.NewCalendar(nil)
	st := Store{API: e.ddb, Table: e.tables.State, Events: e.tables.Events}
	rot := rotation.Engine{Store: rotation.Store{API: e.ddb, Table: e.tables.State}, Calendar: cal, Away: standup.Store{API: e.ddb, Table: e.tables.State}}
	wb := workboard.Store{API: e.ddb, Table: e.tables.State}
	mirror := phab.Mirror{API: e.ddb, Table: e.tables.State}
	effects := store.Effects{API: e.ddb, Table: e.tables.State}
	e.p = &Processor{
		Config: staticConfig{e.cfg}, Store: st, Rotations: rot, Effects: effects, Calendar: cal, Slack: slackClient,
		GitHub: ghub.Issues{Client: gh}, Incidents: wb, Columns: mirror, Parts: store.Events{API: e.ddb, Table: e.tables.Events}, Log: quiet,
	}
	e.cmd = Command{Config: staticConfig{e.cfg}, Store: st, Rotations: rot, Incidents: wb}
	e.ix = Interactions{Config: staticConfig{e.cfg}, Store: st, Slack: slackClient, Log: quiet}
	board := &workboard.Workboard{Store: wb, Mirror: mirror, Effects: effects, Calendar: cal, Slack: slackClient, Duty: workboard.Rotations{Engine: rot}, Log: quiet}
	reactor := PhabReactor{P: e.p}
	e.phab = &phab.Processor{
		Config: staticConfig{e.cfg}, Clients: &phab.Clients{Token: botToken, URL: standins.ConduitAPIURL(hs.URL)},
		Resolver: &phab.Resolver{}, Mirror: mirror, Reactors: []phab.Reactor{board, reactor}, Revisions: []phab.RevisionReactor{reactor}, Log: quiet,
		Clock: e.clock,
	}
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) set(t time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = t
}

// github delivers a GitHub webhook of events/github/<file> (after edits) received at at, as
// the stream hands it to the processor.
func (e *env) github(event, file string, at time.Time, edits ...func(m map[string]any)) {
	e.t.Helper()
	e.set(at)
	raw, err := os.ReadFile("../../events/github/" + file)
	if err != nil {
		e.t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		e.t.Fatal(err)
	}
	for _, ed := range edits {
		ed(m)
	}
	body, _ := json.Marshal(m)
	e.seq++
	action, _ := m["action"].(string)
	ev := store.Event{Key: fmt.Sprintf("github#unit%d", e.seq), Source: "github", Type: event, Action: action, Repo: "Codertocat/Hello-World", ReceivedAt: at, Payload: body}
	if err := e.p.Event(e.ctx, ev); err != nil {
		e.t.Fatalf("%s %s: %v", event, file, err)
	}
}

// flush hands the processor the internal events stored since the last flush, oldest first,
// as the stream would.
func (e *env) flush() {
	e.t.Helper()
	out, err := e.ddb.Scan(e.ctx, &dynamodb.ScanInput{TableName: aws.String(e.tables.Events)})
	if err != nil {
		e.t.Fatal(err)
	}
	var evs []store.Event
	for _, it := range out.Items {
		ev, _, err := store.EventFromItem(it)
		if err != nil || ev.Source != EventSource || e.seen[ev.Key] {
			continue
		}
		e.seen[ev.Key] = true
		evs = append(evs, ev)
	}
	sort.Slice(evs, func(i, j int) bool {
		return evs[i].ReceivedAt.Before(evs[j].ReceivedAt) || evs[i].ReceivedAt.Equal(evs[j].ReceivedAt) && evs[i].Key < evs[j].Key
	})
	for _, ev := range evs {
		if err := e.p.Event(e.ctx, ev); err != nil {
			e.t.Fatalf("event %s: %v", ev.Key, err)
		}
	}
}

func (e *env) tick(at time.Time) {
	e.t.Helper()
	e.set(at)
	if err := e.p.Tick(e.ctx, at); err != nil {
		e.t.Fatalf("tick at %v: %v", at, err)
	}
}

// run runs /clinic text as the Slack user in channel at at.
func (e *env) run(user, channel, text string, at time.Time) (*slack.Msg, error) {
	e.t.Helper()
	e.set(at)
	return e.cmd.Run(e.ctx, slack.SlashCommand{Command: "/clinic", UserID: user, UserName: strings.ToLower(user), ChannelID: channel, Text: text}, at)
}

// click presses a sign-up's button as user at at.
func (e *env) click(user, action, value string, at time.Time) {
	e.t.Helper()
	e.set(at)
	cb := slack.InteractionCallback{Type: slack.InteractionTypeBlockActions, User: slack.User{ID: user}, Channel: slack.Channel{GroupConversation: slack.GroupConversation{Conversation: slack.Conversation{ID: "D0APPROVER"}}}}
	cb.ActionCallback.BlockActions = []*slack.BlockAction{{ActionID: action, Value: value}}
	if _, err := e.ix.Handle(e.ctx, cb, at); err != nil {
		e.t.Fatalf("%s %s: %v", user, action, err)
	}
}

func (e *env) last() int64 { return e.srv.Outbox().Last() }

func (e *env) calls(service, api string, since int64) []standins.Call {
	return e.srv.Outbox().Calls(standins.Filter{Service: service, API: api, Since: since})
}

// dms are the users DMs were opened with since.
func (e *env) dms(since int64) []string { return e.srv.Outbox().DMsOpened(since) }

// posts are the texts posted to channel ("" for any) since.
func (e *env) posts(channel string, since int64) []string {
	return e.srv.Outbox().Posts(channel, since)
}

// Slack users of the test config.
const (
	alice = "U0ALICE001"
	bob   = "U0BOB00002"
	cat   = "U0CAT00003"
	dave  = "U0DAVE0004"
	vera  = "U0VERA0005"
	walt  = "U0WALT0006"
	xena  = "U0XENA0007"
)
