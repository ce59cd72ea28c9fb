package clinic

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/ghub"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/phab"
	"github.com/rituals-dev/rituals/shared/rotation"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/streams"
	"github.com/rituals-dev/rituals/shared/workboard"
)

// Internal events (source "rituals") the Slack side puts for the processor.
const (
	EventSource    = "rituals"
	EventSignup    = "clinic.signup"
	EventDecided   = "clinic.decided"
	EventWithdrawn = "clinic.withdrawn"
)

// SignupEvent is the payload of every clinic.* event: the sign-up as it was at revision Rev.
type SignupEvent struct {
	Team string `json:"team"`
	N    int    `json:"n"`
	Rev  int    `json:"rev"`
	// Decision is what was decided (clinic.decided); By the person id who acted.
	Decision Decision `json:"decision,omitempty"`
	By       string   `json:"by,omitempty"`
}

// signupEvent is the internal event announcing s at its revision.
func signupEvent(typ string, s *Signup, d Decision, by string, now time.Time) store.Event {
	payload, _ := json.Marshal(SignupEvent{Team: s.Team, N: s.N, Rev: s.Rev, Decision: d, By: by})
	return store.Event{Key: "rituals#" + typ + "#" + s.Team + "#" + itoa(s.N) + "#" + itoa(s.Rev), Source: EventSource, Type: typ, ReceivedAt: now, Payload: payload}
}

// ConfigSource gives the current team config; *config.Source is one.
type ConfigSource interface {
	Current(ctx context.Context, now time.Time) (*config.Config, error)
}

var _ ConfigSource = (*config.Source)(nil)

// Onceer runs a side effect once per key and tells a done effect's result; store.Effects is
// one.
type Onceer interface {
	Once(ctx context.Context, key string, fn func(ctx context.Context) (string, error)) (string, bool, error)
	Done(ctx context.Context, key string) (string, bool, error)
}

var _ Onceer = store.Effects{}

// Slack is what the processor does in Slack; *slack.Client is one.
type Slack interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
	OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error)
}

var _ Slack = (*slack.Client)(nil)

// GitHub is what the processor does on GitHub: the one comment to a patch's author.
type GitHub interface {
	CreateComment(ctx context.Context, repo string, number int, body string) (string, error)
}

var _ GitHub = ghub.Issues{}

// Incidents are the workboard's Unbreak Now! incidents; workboard.Store is one.
type Incidents interface {
	ListOpen(ctx context.Context, team string) ([]*workboard.Incident, error)
	Since(ctx context.Context, team string, from time.Time) ([]*workboard.Incident, error)
	Board(ctx context.Context, team string) (*workboard.BoardSummary, error)
}

var _ Incidents = workboard.Store{}

// Columns lists the open tasks in a workboard column; phab.Mirror is one.
type Columns interface {
	InColumn(ctx context.Context, column string) ([]phab.Position, error)
}

var _ Columns = phab.Mirror{}

// Processor is the ClinicDutyFunction: outside pull requests and their first responses
// (GitHub deliveries), sign-up decisions (clinic.* events from Slack), and the tick —
// handovers with the period's report, nags and escalations of patches, deferred sign-ups
// asked again.
type Processor struct {
	Config    ConfigSource
	Store     Store
	Rotations rotation.Engine
	Effects   Onceer
	// Calendar counts the team's business days (first-response targets) and who of the
	// round-robin is off today.
	Calendar *calendar.Calendar
	Slack    Slack
	GitHub   GitHub
	// Incidents and Columns are read for handovers and metrics (Unbreak Now! tasks, untriaged
	// tasks); nil when the team has no workboard.
	Incidents Incidents
	Columns   Columns
	// Parts loads payloads the events table split; store.Events is one.
	Parts streams.PartsLoader
	Log   *slog.Logger
}

func (p *Processor) log(ctx context.Context) *slog.Logger { return logs.For(ctx, p.Log) }

// Invoke is the Lambda handler: stream batches and the schedule's ticks (streams.Triggers).
func (p *Processor) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	return streams.Triggers{Name: "clinic-duty", Stream: p.HandleStream, Schedule: streams.Ticked(p.Tick)}.Invoke(ctx, raw)
}

// HandleStream processes a batch of events-table records in order (see package streams).
func (p *Processor) HandleStream(ctx context.Context, ev events.DynamoDBEvent) events.DynamoDBEventResponse {
	return streams.HandleEvents(ctx, p.Log, ev, p.Parts, p.Event)
}

// Event processes one stored event; others are ignored.
func (p *Processor) Event(ctx context.Context, e store.Event) error {
	switch {
	case e.Source == "github" && e.Type == "pull_request":
		return p.pullRequest(ctx, e)
	case e.Source == "github" && e.Type == "pull_request_review":
		return p.review(ctx, e)
	case e.Source == "github" && e.Type == "issue_comment":
		return p.issueComment(ctx, e)
	case e.Source == EventSource && (e.Type == EventSignup || e.Type == EventDecided || e.Type == EventWithdrawn):
		return p.signupEvent(ctx, e)
	}
	return nil
}
