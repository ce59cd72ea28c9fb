package sprints

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

func (e *env) command() Command {
	return Command{Config: staticConfig{e.cfg}, Store: e.store, Events: e.events, Calendar: calendar.NewCalendar(nil)}
}

// run types /sprint text as user in channel at the clock's time.
func (e *env) run(user, channel, text string) (string, error) {
	e.t.Helper()
	msg, err := e.command().Run(e.ctx, slack.SlashCommand{Command: "/sprint", Text: text, UserID: user, ChannelID: channel, TriggerID: "trig-" + text}, e.clock())
	if err != nil {
		return "", err
	}
	if msg.ResponseType != slack.ResponseTypeEphemeral {
		e.t.Errorf("/sprint %s answered in the channel", text)
	}
	return msg.Text, nil
}

// TestSprintStartRefusals: every mistake in /sprint start is answered with what is wrong, and
// nothing is stored.
func TestSprintStartRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ny(time.October, 27, 9, 0))
	e.tick(ny(time.October, 27, 9, 0)) // the config's Rocket Sprint 1 (28 Oct – 10 Nov), and the milestones
	for _, tt := range []struct {
		name, user, text, want string
	}{
		{"not a member", "U0ZZZZZZZZ", "start Rocket Sprint 2 2026-11-11 2026-11-24", "Only members of Rocket can start its sprints."},
		{"too few words", "U0ALICE001", "start 2026-11-11 2026-11-24", "Say which milestone and when"},
		{"bad date", "U0ALICE001", "start Rocket Sprint 2 2026-11-11 2026-11-31", "To: date \"2026-11-31\" must be YYYY-MM-DD"},
		{"end before start", "U0ALICE001", "start Rocket Sprint 2 2026-11-24 2026-11-11", "The sprint would end (2026-11-11) before it starts (2026-11-24)"},
		{"unknown milestone", "U0ALICE001", "start Rocket Sprint 9 2026-11-11 2026-11-24", "Unknown milestone \"Rocket Sprint 9\". Open milestones of Rocket: Rocket Sprint 1, Rocket Sprint 2."},
		{"overlapping", "U0ALICE001", "start Rocket Sprint 2 2026-11-10 2026-11-24", "Rocket Sprint 2 (Tue 10 Nov – Tue 24 Nov 2026) would overlap Rocket Sprint 1 (Wed 28 Oct – Tue 10 Nov 2026): a team runs one sprint at a time."},
		{"a sprint already", "U0ALICE001", "start Rocket Sprint 1 2026-11-11 2026-11-24", "Rocket Sprint 1 is a sprint already (Wed 28 Oct – Tue 10 Nov 2026)."},
		{"ended already", "U0ALICE001", "start Rocket Sprint 2 2026-10-01 2026-10-14", "A sprint ending 2026-10-14 has already ended"},
	} {
		_, err := e.run(tt.user, "C0ROCKET01", tt.text)
		var ue *slackapp.UsageError
		if !errors.As(err, &ue) || !strings.Contains(ue.Problem, tt.want) {
			t.Errorf("%s: %v, want a usage error with %q", tt.name, err, tt.want)
		}
	}
	sprints, _, err := e.store.TeamSprints(e.ctx, "rocket")
	if err != nil || len(sprints) != 1 {
		t.Errorf("stored: %v %v", sprints, err)
	}
	if got := e.calls("slack", "chat.postMessage", 0); len(got) != 0 {
		t.Errorf("posted %v", got)
	}
}

// TestSprintStartAndStatus: /sprint start stores the sprint and asks the SprintsFunction to
// capture it; status, goals and notes answer from DynamoDB.
func TestSprintStartAndStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ny(time.November, 11, 9, 0))
	e.tick(ny(time.November, 11, 9, 0))
	text, err := e.run("U0ALICE001", "C0ROCKET01", `start "Rocket Sprint 2" 2026-11-11 2026-11-24`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "|Rocket Sprint 2> runs Wed 11 Nov – Tue 24 Nov 2026. Its planned scope is captured Wed 11 Nov 10:00 EST") {
		t.Errorf("start answer %q", text)
	}
	ev, err := e.events.GetEvent(e.ctx, "rituals#sprint.start#rocket#PHID-PROJ-rocketsprint2#PHID-PROJ-rocketsprint2")
	if err != nil || ev.Type != EventStart {
		t.Fatalf("start event %+v %v", ev, err)
	}
	sp, err := e.store.Sprint(e.ctx, "rocket", "PHID-PROJ-rocketsprint2")
	if err != nil || sp.How != FromCommand || sp.By != "alice" {
		t.Fatalf("sprint %+v %v", sp, err)
	}
	if text, _ := e.run("U0BOB00002", "C0ROCKET01", "status"); !strings.Contains(text, "starts Wed 11 Nov 10:00; 0 tasks in the milestone so far") {
		t.Errorf("status before the start %q", text)
	}
	// The event, processed after the start time, captures the scope at once.
	e.set(ny(time.November, 11, 10, 30))
	_ = e.change(ny(time.November, 11, 10, 30), "alice", "", newTaskIn("PHID-PROJ-rocketsprint2", "Search", 5, "alice")...)
	ev.ReceivedAt = e.clock()
	if err := e.proc.Event(e.ctx, ev); err != nil {
		t.Fatal(err)
	}
	sp, _ = e.store.Sprint(e.ctx, "rocket", "PHID-PROJ-rocketsprint2")
	if !sp.Captured.Equal(ny(time.November, 11, 10, 30)) {
		t.Errorf("captured %v", sp.Captured)
	}
	e.set(ny(time.November, 12, 15, 0))
	if _, err := e.run("U0BOB00002", "C0ROCKET01", "goals Ship search | Fix flaky CI | Onboard Zed | Too many"); err == nil || !strings.Contains(err.Error(), "That is 4 goals") {
		t.Errorf("4 goals: %v", err)
	}
	if text, err := e.run("U0BOB00002", "C0ROCKET01", "goals Ship search <!here> | Fix flaky CI"); err != nil || !strings.Contains(text, "• Ship search &lt;!here&gt;\n• Fix flaky CI") {
		t.Errorf("goals %q %v", text, err)
	}
	if text, err := e.run("U0ERIN0003", "C0ROCKET01", "note win Search shipped a day early"); err != nil || !strings.Contains(text, "(1 win so far): Search shipped a day early") {
		t.Errorf("note %q %v", text, err)
	}
	if _, err := e.run("U0ERIN0003", "C0ROCKET01", "note brag Nothing"); err == nil {
		t.Error("a note of no kind is refused")
	}
	text, err = e.run("U0BOB00002", "C0ROCKET01", "status")
	// Wednesday 11 November is Veterans Day, a holiday in every member's country: the sprint's
	// first business day is Thursday.
	for _, want := range []string{"Rocket Sprint 2", "business day 1 of 9, 8 left", "Scope 5 points (1 task) · done 0 points (0) · remaining 5 points (1)",
		"0 of 1 planned task done", "Goals: Ship search &lt;!here&gt;; Fix flaky CI", "No chart posted yet: `/sprint report` posts the report and the burnup chart in <#C0ROCKET01>."} {
		if err != nil || !strings.Contains(text, want) {
			t.Errorf("status lacks %q: %q %v", want, text, err)
		}
	}
	if text, err := e.run("U0BOB00002", "C0ROCKET01", "report"); err != nil || !strings.Contains(text, "Posting the report") {
		t.Errorf("report %q %v", text, err)
	}
	rep, err := e.events.GetEvent(e.ctx, "rituals#sprint.report#rocket#PHID-PROJ-rocketsprint2#trig-report")
	if err != nil {
		t.Fatalf("report event: %v", err)
	}
	// The SprintsFunction posts the report so far and its chart, once per request, without the
	// planning draft (that comes at the end).
	before := e.last()
	for i := 0; i < 2; i++ {
		if err := e.proc.Event(e.ctx, rep); err != nil {
			t.Fatal(err)
		}
	}
	if posts := e.posts("C0ROCKET01", before); len(posts) != 1 || !strings.Contains(posts[0], "*Sprint report so far:") {
		t.Errorf("on-demand report %q", posts)
	}
	if done := e.calls("slack", "files.completeUploadExternal", before); len(done) != 1 || !strings.Contains(done[0].Arg("initial_comment"), "so far") {
		t.Errorf("chart %v", done)
	}
	for _, c := range e.calls("slack", "chat.postMessage", before) {
		if c.Arg("thread_ts") != "" {
			t.Errorf("a draft mid-sprint: %s", c.Arg("text"))
		}
	}
	if text, _ := e.run("U0BOB00002", "C0ROCKET01", "status"); !strings.Contains(text, "<https://slack.com/archives/C0ROCKET01/p") || !strings.Contains(text, "the latest report and burnup chart") {
		t.Errorf("status links the report: %q", text)
	}
	if _, err := e.events.GetEvent(e.ctx, "rituals#sprint.report#rocket#nothing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetEvent of nothing: %v", err)
	}
	if text, _ := e.run("U0BOB00002", "C0ROCKET01", "help"); !strings.Contains(text, "/sprint start &lt;milestone&gt; &lt;from&gt; &lt;to&gt;") {
		t.Errorf("help %q", text)
	}
}

func newTaskIn(ms, title string, points any, owner string) []conduit.Edit {
	edits := newTask(title, points, owner)
	edits[1].Value = []string{ms}
	return edits
}

// TestNoSprintNamesThePlannedOne: before the config's sprint has been set up (its milestone not
// seen yet), /sprint status names it and says what is missing; outside any planned sprint it
// says how to run one.
func TestNoSprintNamesThePlannedOne(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ny(time.October, 29, 9, 0)) // no tick yet: no milestone seen
	text, err := e.run("U0BOB00002", "C0ROCKET01", "status")
	if err != nil || !strings.Contains(text, "The config plans Rocket Sprint 1 for Rocket (Wed 28 Oct – Tue 10 Nov 2026), but no milestone of that name has been seen") {
		t.Errorf("during the planned sprint: %q %v", text, err)
	}
	e.set(ny(time.December, 1, 9, 0))
	text, err = e.run("U0BOB00002", "C0ROCKET01", "status")
	if err != nil || !strings.Contains(text, "Rocket has no sprint yet. `/sprint start &lt;milestone&gt; &lt;from&gt; &lt;to&gt;`") {
		t.Errorf("after it: %q %v", text, err)
	}
}
