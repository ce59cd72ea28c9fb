// Command slack-commands is the SlackCommandsFunction: POST /slack/commands.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/clinic"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/decision"
	"github.com/rituals-dev/rituals/shared/httpapi"
	"github.com/rituals-dev/rituals/shared/labels"
	"github.com/rituals-dev/rituals/shared/phab"
	"github.com/rituals-dev/rituals/shared/retro"
	"github.com/rituals-dev/rituals/shared/rotation"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/sprints"
	"github.com/rituals-dev/rituals/shared/standup"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/support"
	"github.com/rituals-dev/rituals/shared/workboard"
)

func main() {
	ctx := context.Background()
	env, log, err := runtimeenv.Boot(ctx, "SlackCommandsFunction")
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	ddb, err := store.NewClient(ctx, env.Var("DYNAMODB_ENDPOINT"))
	if err != nil {
		runtimeenv.Exit(log, err)
	}
	state := env.Var("STATE_TABLE")
	slackClient := slackapp.NewClient(env.Secret("SLACK_BOT_TOKEN"), env.Var("SLACK_API_URL"))
	cfg := config.NewSource(ddb, state, config.DefaultTTL) // one cache for every command
	events := store.Events{API: ddb, Table: env.Var("EVENTS_TABLE")}
	cal := calendar.NewCalendar(log)
	rotations := rotation.Engine{Store: rotation.Store{API: ddb, Table: state}, Calendar: cal, Away: standup.Store{API: ddb, Table: state}}
	others := []slackapp.Command{
		standup.Command{Deps: standup.NewDeps(ddb, cfg, state, "", slackClient, log)},
		support.Command{Config: cfg, Store: support.Store{API: ddb, Table: state, Calendar: cal, Away: rotations.Away}},
		retro.Command{Config: cfg, Store: retro.Store{API: ddb, Table: state, Events: events.Table}, Events: events, Slack: slackClient},
		decision.Command{Config: cfg, Store: decision.Store{API: ddb, Table: state, Events: events.Table}},
		decision.DACI{Config: cfg},
		labels.Command{Config: cfg, Timers: labels.Timers{API: ddb, Table: state}},
		workboard.Command{Config: cfg, Store: workboard.Store{API: ddb, Table: state}, Mirror: phab.Mirror{API: ddb, Table: state}, Calendar: cal},
		clinic.Command{Config: cfg, Store: clinic.Store{API: ddb, Table: state, Events: events.Table}, Rotations: rotations, Incidents: workboard.Store{API: ddb, Table: state}},
		sprints.Command{Config: cfg, Store: sprints.Store{API: ddb, Table: state}, Events: events, Calendar: cal},
	}
	commands := slackapp.Commands{
		Commands: append([]slackapp.Command{slackapp.Rituals{Others: others}}, others...),
		Replays:  &slackapp.ReplayGuard{API: ddb, Table: state},
		Log:      log,
		Now:      time.Now,
	}
	h := &runtimeenv.Rotating{Env: env, Names: []string{"SLACK_SIGNING_SECRET"}, Log: log, Build: func(env runtimeenv.Env) runtimeenv.HTTPHandler {
		c := commands
		c.Secret = env.Secret("SLACK_SIGNING_SECRET")
		return c.Handle
	}}
	// The web pages' address comes from the request: this function is behind the same HTTP
	// API, which its environment cannot name (see standup.LinksFromRequest).
	lambda.Start(func(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
		return h.Handle(standup.WithLinks(ctx, standup.LinksFromRequest(req)), req)
	})
}
