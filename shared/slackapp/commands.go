package slackapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/httpapi"
	"github.com/rituals-dev/rituals/shared/logs"
)

// Usage is one line of help: the syntax a user types and what it does.
type Usage struct {
	Syntax  string
	Summary string
}

// Line is the usage as one bullet of a help text. Syntax and Summary are plain text: their
// "<from>"-style placeholders are escaped, since Slack reads < and > as its own markup.
func (u Usage) Line() string { return "\n• `" + Escape(u.Syntax) + "` — " + Escape(u.Summary) }

// Command is one slash command. Run must answer from DynamoDB (or memory) only, so that the
// whole request stays inside Slack's 3 second budget.
type Command interface {
	// Name is the slash command as configured in Slack, e.g. "/support".
	Name() string
	// Help lists every form the command accepts.
	Help() []Usage
	// Run answers the command. A *UsageError becomes an ephemeral message saying what to type.
	Run(ctx context.Context, cmd slack.SlashCommand, now time.Time) (*slack.Msg, error)
}

// UsageError says the user typed something the command does not understand.
type UsageError struct {
	// Problem is what was wrong ("unknown date \"tomorow\"").
	Problem string
	// Usage is what to type instead.
	Usage []Usage
}

func (e *UsageError) Error() string { return e.Problem }

// Ephemeral is a message only the invoking user sees.
func Ephemeral(text string) *slack.Msg {
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: text}
}

// Commands serves POST /slack/commands for every registered command.
type Commands struct {
	Secret   string
	Commands []Command
	// Replays, when set, refuses a byte-identical repeat of a command (see ReplayGuard):
	// /support swap or /standup away change state.
	Replays *ReplayGuard
	Log     *slog.Logger
	// Now is used only when API Gateway gives no request time.
	Now func() time.Time
}

// Handle verifies the request, then runs the named command. Every answer a user sees is a 200
// with a message (Slack shows non-2xx answers as a bare "failed with the error" line); only an
// unverified request gets a 401.
func (h Commands) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	log := logs.For(ctx, h.Log)
	body, now, answer := verified(req, h.Secret, h.Now)
	if answer != nil {
		log.Info("rejected command", logs.Status, answer.StatusCode, logs.Err, strings.TrimSpace(answer.Body))
		return *answer, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return *httpapi.Text(http.StatusBadRequest, "body is not form-encoded"), nil
	}
	cmd := slashCommand(form)
	log = log.With(logs.User, cmd.UserID, logs.Event, cmd.Command)
	if h.Replays != nil {
		if err := h.Replays.First(ctx, httpapi.Header(req, "X-Slack-Signature"), now); errors.Is(err, ErrReplayed) {
			log.Warn("replayed command refused")
			return *httpapi.JSON(http.StatusOK, ReplyOf(Ephemeral("That exact request was already handled."))), nil
		} else if err != nil {
			log.Error("command not checked for replay", logs.Err, err.Error())
			return *httpapi.JSON(http.StatusOK, ReplyOf(Ephemeral(fmt.Sprintf("Sorry, `%s` failed on our side; nothing was changed. Please try again in a minute.", cmd.Command)))), nil
		}
	}
	msg := h.run(ctx, cmd, now, log)
	return *httpapi.JSON(http.StatusOK, ReplyOf(msg)), nil
}

// Reply is the JSON body of an answer to a command (or a response_url post). slack.Msg is not
// sent as is because it always carries empty metadata and null blocks.
type Reply struct {
	ResponseType    string        `json:"response_type,omitempty"`
	Text            string        `json:"text,omitempty"`
	Blocks          *slack.Blocks `json:"blocks,omitempty"`
	ReplaceOriginal bool          `json:"replace_original,omitempty"`
	DeleteOriginal  bool          `json:"delete_original,omitempty"`
}

// ReplyOf converts a message to the reply Slack expects.
func ReplyOf(m *slack.Msg) Reply {
	r := Reply{ResponseType: m.ResponseType, Text: m.Text, ReplaceOriginal: m.ReplaceOriginal, DeleteOriginal: m.DeleteOriginal}
	if len(m.Blocks.BlockSet) > 0 {
		b := m.Blocks
		r.Blocks = &b
	}
	return r
}

func (h Commands) run(ctx context.Context, cmd slack.SlashCommand, now time.Time, log *slog.Logger) *slack.Msg {
	for _, c := range h.Commands {
		if c.Name() != cmd.Command {
			continue
		}
		msg, err := c.Run(ctx, cmd, now)
		var ue *UsageError
		switch {
		case errors.As(err, &ue):
			log.Info("usage error", logs.Err, ue.Problem)
			return Ephemeral(usageText(ue.Problem, ue.Usage))
		case err != nil:
			log.Error("command failed", logs.Err, err.Error())
			return Ephemeral(fmt.Sprintf("Sorry, `%s` failed on our side; nothing was changed. Please try again in a minute.", cmd.Command))
		}
		log.Info("command answered")
		return msg
	}
	log.Warn("unknown command")
	return Ephemeral(fmt.Sprintf("Rituals does not know `%s`. Type `/rituals help` to see every command.", cmd.Command))
}

// usageText renders a problem and the accepted forms as one ephemeral message.
func usageText(problem string, usage []Usage) string {
	var b strings.Builder
	if problem != "" {
		b.WriteString(problem)
		b.WriteString("\n")
	}
	b.WriteString("Usage:")
	for _, u := range usage {
		b.WriteString(u.Line())
	}
	return b.String()
}

func slashCommand(f url.Values) slack.SlashCommand {
	return slack.SlashCommand{
		Token: f.Get("token"), TeamID: f.Get("team_id"), TeamDomain: f.Get("team_domain"),
		EnterpriseID: f.Get("enterprise_id"), EnterpriseName: f.Get("enterprise_name"),
		ChannelID: f.Get("channel_id"), ChannelName: f.Get("channel_name"),
		UserID: f.Get("user_id"), UserName: f.Get("user_name"),
		Command: f.Get("command"), Text: strings.TrimSpace(f.Get("text")),
		ResponseURL: f.Get("response_url"), TriggerID: f.Get("trigger_id"), APIAppID: f.Get("api_app_id"),
	}
}
