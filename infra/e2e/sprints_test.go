package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/sprints/burnup"
)

// Sprints end to end, with shared/sprints/testdata/rituals.yaml: team comet's sprint on the
// GitHub milestone acme/web#7 (signed deliveries through the webhook, the events stream and the
// SprintsFunction's filter; the tick fired as the schedule does; the report's chart drawn by the
// real bootstrap and uploaded to the Slack stand-in), and team rocket's Phabricator milestone
// recorded by the PhabricatorProcessorFunction's sprints reactor.

var sprintFunctions = []string{"GitHubWebhookFunction", "PhabricatorWebhookFunction", "PhabricatorProcessorFunction", "SprintsFunction", "SlackCommandsFunction"}

var kolkataLoc, _ = time.LoadLocation("Asia/Kolkata")

func istAt(m time.Month, d, hh, mm int) time.Time {
	return time.Date(2026, m, d, hh, mm, 0, 0, kolkataLoc)
}

// githubIssue is events/github/<fixture> as acme/web#n in milestone 7 (nil: none), updated at.
func githubIssue(t *testing.T, fixture string, n int, title string, labels []string, milestone map[string]any, state string, at time.Time, extra ...func(map[string]any)) []byte {
	return fixtureWith(t, "github/"+fixture, append([]func(map[string]any){func(m map[string]any) {
		repo := m["repository"].(map[string]any)
		repo["full_name"], repo["name"] = "acme/web", "web"
		is := m["issue"].(map[string]any)
		is["number"], is["title"], is["html_url"] = n, title, fmt.Sprintf("https://github.com/acme/web/issues/%d", n)
		var ls []any
		for _, l := range labels {
			ls = append(ls, map[string]any{"name": l, "id": 1, "node_id": "L", "url": "https://api.github.com/x", "color": "ededed", "default": false})
		}
		is["labels"] = ls
		user := map[string]any{"login": "priya-r", "id": 1, "node_id": "U", "type": "User"}
		is["assignee"], is["assignees"] = user, []any{user}
		is["milestone"], m["milestone"] = milestone, sprintMilestone()
		is["state"], is["state_reason"], is["closed_at"] = state, nil, nil
		if state == "closed" {
			is["state_reason"], is["closed_at"] = "completed", at.UTC().Format(time.RFC3339)
		}
		is["updated_at"] = at.UTC().Format(time.RFC3339)
		delete(is, "pull_request")
	}}, extra...)...)
}

func fixtureWith(t *testing.T, path string, edits ...func(map[string]any)) []byte {
	return fixture(t, path, edits...)
}

func sprintMilestone() map[string]any {
	return map[string]any{
		"url": "https://api.github.com/repos/acme/web/milestones/7", "html_url": "https://github.com/acme/web/milestone/7", "id": 7000007,
		"node_id": "MI_7", "number": 7, "title": "Comet Sprint 7", "description": "", "state": "open", "open_issues": 0, "closed_issues": 0,
		"created_at": "2026-10-20T10:00:00Z", "updated_at": "2026-10-20T10:00:00Z", "due_on": "2026-11-10T07:00:00Z", "closed_at": nil,
		"creator": map[string]any{"login": "priya-r", "id": 101, "node_id": "U_101", "type": "User"},
	}
}

func sprintCommand(t *testing.T, h *harness, user, channel, text string) string {
	t.Helper()
	body := []byte(url.Values{"command": {"/sprint"}, "text": {text}, "user_id": {user}, "channel_id": {channel}, "trigger_id": {"trig" + fmt.Sprint(h.now().Unix())}}.Encode())
	code, resp := h.slack("/slack/commands", "application/x-www-form-urlencoded", body, h.now())
	if code != http.StatusOK {
		t.Fatalf("/sprint %s: %d %s", text, code, resp)
	}
	var r struct{ Text string }
	_ = json.Unmarshal([]byte(resp), &r)
	return r.Text
}

func TestSprintReportWithChart(t *testing.T) {
	t.Parallel()
	clk := &clock{t: istAt(time.October, 26, 12, 0)}
	h := startStackWith(t, "../../shared/sprints/testdata/rituals.yaml", stackOptions{Now: clk.now, Settle: 2}, sprintFunctions...)
	seq := 0
	send := func(at time.Time, event string, body []byte) {
		t.Helper()
		clk.set(at)
		seq++
		if code, resp := h.github(event, fmt.Sprintf("sprint-e2e-%d", seq), body); code != http.StatusAccepted {
			t.Fatalf("%s delivery: %d %s", event, code, resp)
		}
	}
	tick := func(at time.Time) {
		t.Helper()
		clk.set(at)
		h.schedule("SprintsFunction", "Tick", at)
	}
	send(istAt(time.October, 26, 12, 0), "milestone", fixture(t, "github/milestone.created.json", func(m map[string]any) {
		m["milestone"] = sprintMilestone()
		m["repository"].(map[string]any)["full_name"] = "acme/web"
	}))
	ms := sprintMilestone()
	send(istAt(time.October, 27, 10, 0), "issues", githubIssue(t, "issues.milestoned.json", 11, "Export invoices as CSV", []string{"points: 3"}, ms, "open", istAt(time.October, 27, 10, 0)))
	send(istAt(time.October, 27, 10, 1), "issues", githubIssue(t, "issues.milestoned.json", 12, "Retry failed webhooks", []string{"points: 5"}, ms, "open", istAt(time.October, 27, 10, 1)))
	tick(istAt(time.October, 27, 11, 0))
	tick(istAt(time.October, 28, 9, 30))
	start := channelCalls(h, "C0COMET001", 0)
	if len(start) != 1 || !strings.Contains(start[0].Arg("text"), "2 planned tasks, 8 points") {
		t.Fatalf("start announcement %v", start)
	}
	since := h.st.Outbox().Last()
	send(istAt(time.October, 29, 11, 0), "issues", githubIssue(t, "issues.milestoned.json", 13, "Hotfix <script>", []string{"points: 2"}, ms, "open", istAt(time.October, 29, 11, 0)))
	if got := channelCalls(h, "C0COMET001", since); len(got) != 1 || !strings.Contains(got[0].Arg("text"), "Walk-on in <https://github.com/acme/web/milestone/7|Comet Sprint 7>: <https://github.com/acme/web/issues/13|acme/web#13 Hotfix &lt;script&gt;> (2 points, Priya Raman)") {
		t.Fatalf("walk-on %v", got)
	}
	send(istAt(time.November, 2, 15, 0), "issues", githubIssue(t, "issues.reopened.json", 11, "Export invoices as CSV", []string{"points: 3"}, ms, "closed", istAt(time.November, 2, 15, 0), func(m map[string]any) { m["action"] = "closed" }))

	// The last day's report: the figures, the chart uploaded, the planning draft.
	since = h.st.Outbox().Last()
	tick(istAt(time.November, 10, 16, 0))
	report := channelCalls(h, "C0COMET001", since)
	if len(report) != 1 || !strings.Contains(report[0].Arg("text"), "1 of 2 planned tasks completed") || !strings.Contains(report[0].Arg("text"), "1 walk-on task (2 points)") {
		t.Fatalf("report %v", report)
	}
	ups := supportCalls(h, "slack", "upload_url", since)
	done := supportCalls(h, "slack", "files.completeUploadExternal", since)
	if len(supportCalls(h, "slack", "files.getUploadURLExternal", since)) != 1 || len(ups) != 1 || len(done) != 1 || done[0].Arg("channel_id") != "C0COMET001" {
		t.Fatalf("upload flow: %d uploads, completions %v", len(ups), done)
	}
	id := ups[0].Request.(map[string]any)["file_id"].(string)
	f, ok := h.st.Standins.SlackFile(id)
	if !ok || !f.Completed || f.Mimetype != "image/png" || f.Received != f.Length {
		t.Fatalf("file %s: %+v", id, f)
	}
	img, err := png.Decode(bytes.NewReader(f.Content))
	if err != nil {
		t.Fatalf("the chart is not a PNG: %v", err)
	}
	if img.Bounds() != image.Rect(0, 0, burnup.Width, burnup.Height) {
		t.Errorf("chart is %v", img.Bounds())
	}
	if scope, doneN := colored(img); scope < 200 || doneN < 200 {
		t.Errorf("the plot area has %d scope and %d done pixels", scope, doneN)
	}
	if out := os.Getenv("SPRINT_CHART_PNG"); out != "" {
		_ = os.WriteFile(out, f.Content, 0o644)
	}
	thread := 0
	for _, c := range supportCalls(h, "slack", "chat.postMessage", since) {
		if c.Arg("thread_ts") != "" && strings.Contains(c.Arg("text"), "Draft of the next planning document") {
			thread++
		}
	}
	if thread != 1 {
		t.Errorf("%d planning drafts", thread)
	}
	if text := sprintCommand(t, h, "U0PRIYA006", "C0COMET001", "status"); !strings.Contains(text, "report and burnup chart>") {
		t.Errorf("status %q", text)
	}

	// Rocket's Phabricator milestone: a task tagged with it is recorded by the processor's
	// sprints reactor, so /sprint sees it before its sprint starts.
	clk.set(time.Date(2026, 10, 27, 12, 0, 0, 0, time.UTC))
	b, err := os.ReadFile("../../shared/sprints/testdata/conduit-seed.json")
	if err != nil {
		t.Fatal(err)
	}
	var seed standins.ConduitSeed
	if err := json.Unmarshal(b, &seed); err != nil {
		t.Fatal(err)
	}
	if _, err := h.st.Standins.SeedConduit(seed); err != nil {
		t.Fatal(err)
	}
	task, xacts := phabEdit(t, h, "alice", "", conduit.Edit{Type: "title", Value: "Export invoices"}, conduit.Edit{Type: "projects.add", Value: []string{"PHID-PROJ-rocketsprint1"}}, conduit.Edit{Type: "points", Value: 3})
	deliver(t, h, herald(t, task, xacts...))
	h.schedule("SprintsFunction", "Tick", clk.now())
	if text := sprintCommand(t, h, "U0ALICE001", "C0ROCKET01", "status"); !strings.Contains(text, "Rocket Sprint 1") || !strings.Contains(text, "1 task in the milestone so far") {
		t.Errorf("rocket status %q", text)
	}
}

// channelCalls are chat.postMessage calls to channel outside threads.
func channelCalls(h *harness, channel string, since int64) []standins.Call {
	var out []standins.Call
	for _, c := range supportCalls(h, "slack", "chat.postMessage", since) {
		if c.Arg("channel") == channel && c.Arg("thread_ts") == "" {
			out = append(out, c)
		}
	}
	return out
}

// colored counts the pixels of the scope and the done lines' colours.
func colored(img image.Image) (scope, done int) {
	near := func(x, y int, c [3]uint8) bool {
		r, g, b, _ := img.At(x, y).RGBA()
		d := func(v uint32, w uint8) bool { diff := int(v>>8) - int(w); return diff < 24 && diff > -24 }
		return d(r, c[0]) && d(g, c[1]) && d(b, c[2])
	}
	sc := [3]uint8{burnup.ScopeColor.R, burnup.ScopeColor.G, burnup.ScopeColor.B}
	dc := [3]uint8{burnup.DoneColor.R, burnup.DoneColor.G, burnup.DoneColor.B}
	for y := img.Bounds().Dy() / 20; y < img.Bounds().Dy()*19/20; y++ {
		for x := img.Bounds().Dx() / 10; x < img.Bounds().Dx()*19/20; x++ {
			if near(x, y, sc) {
				scope++
			}
			if near(x, y, dc) {
				done++
			}
		}
	}
	return scope, done
}
