package support

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestListTextStaysWithinSlackLimits(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		lines int
		width int
		more  string
	}{
		{"short list", 3, 20, ""},
		{"many lines", 100, 20, "…and 60 more."},
		{"long lines", 30, 400, "more."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var lines []string
			for i := 0; i < tc.lines; i++ {
				lines = append(lines, fmt.Sprintf("• %03d %s", i, strings.Repeat("x", tc.width)))
			}
			got := listText("title", lines)
			if len(got) > maxText {
				t.Fatalf("%d characters", len(got))
			}
			if tc.more == "" && strings.Contains(got, "more.") || tc.more != "" && !strings.HasSuffix(got, tc.more) {
				t.Fatalf("ending %q, want %q", got[max(0, len(got)-30):], tc.more)
			}
		})
	}
}

// TestRenderEveryState renders the announcement and every thread line for a request in each
// state: within Slack's limits, buttons only while open.
func TestRenderEveryState(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	team := cfg.Team("triage")
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	r := &Request{
		ID: hello1, Title: strings.Repeat("Very long title ", 30), URL: "https://github.com/Codertocat/Hello-World/issues/1",
		Requester: "someone-unmapped", Priority: "p1", Missing: []string{"Impact"}, State: Open, Created: t0, Engineer: "cat",
		Acked: t0.Add(time.Hour), AckedBy: "ann", ETA: t0.Add(5 * time.Hour), Owner: "ben", Looped: t0.Add(2 * time.Hour), LoopedBy: "cat",
	}
	for _, state := range []State{Open, Resolved, Relabelled} {
		r.State, r.Closed, r.Reason = state, t0.Add(30*time.Hour), "the support label was removed"
		blocks := Announcement(cfg, team, r)
		b, _ := json.Marshal(blocks)
		if len(blocks) > 50 || strings.Contains(string(b), "support:ack") != (state == Open) {
			t.Errorf("%s: %d blocks, buttons %v", state, len(blocks), strings.Contains(string(b), "support:ack"))
		}
		if h := blocks[0]; utf8.RuneCountInString(fmt.Sprint(h)) > 400 {
			t.Errorf("%s: header too long", state)
		}
	}
	for _, k := range []Kind{KindOpened, KindReopened, KindSections, KindPriority, KindAck, KindETA, KindLoop, KindOwner, KindResolved, KindRelabelled} {
		line := ThreadLine(cfg, team, r, Entry{Kind: k, At: t0.Add(time.Hour), By: "ann", ETA: t0.Add(5 * time.Hour), Owner: "ben", PrevOwner: "ann", Priority: "p1", Questions: strings.Repeat("why? ", 1000)})
		if line == "" || utf8.RuneCountInString(line) > maxText || strings.Contains(line, "Request updated") {
			t.Errorf("%s: %d characters: %.80s", k, utf8.RuneCountInString(line), line)
		}
	}
	modal := AckModal(r, false, "Europe/London")
	if len(modal.Blocks.BlockSet) > 100 || utf8.RuneCountInString(modal.Title.Text) > 24 || modal.PrivateMetadata != hello1.String() {
		t.Errorf("modal: %d blocks, title %q", len(modal.Blocks.BlockSet), modal.Title.Text)
	}
}
