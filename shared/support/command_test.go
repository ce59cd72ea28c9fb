package support

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/slackapp"
)

func slash(user, channel, text string) slack.SlashCommand {
	return slack.SlashCommand{Command: "/support", UserID: user, ChannelID: channel, Text: text}
}

// TestCommandErrors: every malformed or refused /support command, answered without changing
// anything.
func TestCommandErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testConfig(t))
	now := time.Date(2026, 3, 30, 8, 30, 0, 0, time.UTC)
	const ann, zed, sup = "U0ANN00001", "U0ZED00007", "C0TRIAGESUP"
	cases := []struct {
		name, user, channel, text string
		usage                     []string // a *UsageError whose problem and usage contain these
		refusal                   string   // an ephemeral answer containing this
	}{
		{"unknown subcommand", ann, sup, "frobnicate", []string{"`/support frobnicate` is not a /support command.", "/support oncall"}, ""},
		{"oncall with arguments", ann, sup, "oncall now", []string{"takes no arguments", "/support oncall"}, ""},
		{"swap with one person", ann, sup, "swap <@U0BEN00002>", []string{"needs two people", "/support swap @a @b"}, ""},
		{"swap with an unknown mention", ann, sup, "swap <@U0NOPE0001|nope> <@U0BEN00002>", []string{"<@U0NOPE0001> is not in the Rituals config"}, ""},
		{"swap with an unknown name", ann, sup, "swap @ghost @ben", []string{`"@ghost" is not a person I know`}, ""},
		{"swap with a non-member", ann, sup, "swap @zed @ben", []string{"@zed (Zed Outsider) is not a member of Triage"}, ""},
		{"swap with oneself", ann, sup, "swap @ann ann-lee", []string{"two different people"}, ""},
		{"swap by an outsider", zed, sup, "swap @ann @ben", nil, "Only members of Triage can change its support rotation."},
		{"override without dates", ann, sup, "override @cat", []string{"needs a person and one or two dates", "/support override @user <from> [<to>]"}, ""},
		{"override with a bad date", ann, sup, "override @cat 2026-13-40 2026-04-02", []string{`"2026-13-40" is not a date`}, ""},
		{"override with a bad end", ann, sup, "override @cat today nextweek", []string{`"nextweek" is not a date`}, ""},
		{"override reversed", ann, sup, "override @cat 2026-04-03 2026-04-01", []string{"ends (2026-04-01) before it starts (2026-04-03)"}, ""},
		{"override too long", ann, sup, "override @cat 2026-04-01 2026-06-01", []string{"62 days long; at most 31"}, ""},
		{"override in the past", ann, sup, "override @cat 2026-01-01 2026-01-02", []string{"entirely in the past"}, ""},
		{"override by an outsider", zed, sup, "override @cat today", nil, "Only members of Triage"},
		{"list with arguments", ann, sup, "list all", []string{"takes no arguments"}, ""},
		{"stats zero weeks", ann, sup, "stats 0", []string{`"0" is not a number of weeks from 1 to 52`}, ""},
		{"stats words", ann, sup, "stats lots", []string{`"lots" is not a number of weeks`}, ""},
		{"stats two numbers", ann, sup, "stats 4 5", []string{"takes at most a number of weeks"}, ""},
		{"no team can be told", zed, "C0ELSEWHERE", "oncall", []string{"Which team?", "/support triage oncall"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			msg, err := h.cmd.Run(context.Background(), slash(tc.user, tc.channel, tc.text), now)
			if tc.refusal != "" {
				if err != nil || msg.ResponseType != slack.ResponseTypeEphemeral || !strings.Contains(msg.Text, tc.refusal) {
					t.Fatalf("got %+v, %v; want an ephemeral %q", msg, err, tc.refusal)
				}
				return
			}
			var ue *slackapp.UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("got %+v, %v; want a usage error", msg, err)
			}
			text := ue.Problem
			for _, u := range ue.Usage {
				text += "\n" + u.Syntax
			}
			for _, w := range tc.usage {
				if !strings.Contains(text, w) {
					t.Errorf("usage error %q lacks %q", text, w)
				}
			}
		})
	}
	if got, _ := h.st.Overrides(context.Background(), "triage", -100, 100); len(got) != 0 {
		t.Fatalf("refused commands stored overrides: %+v", got)
	}
}

// TestCommandRotation: oncall, swap and override, with who made each change recorded.
func TestCommandRotation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testConfig(t))
	ctx := context.Background()
	now := time.Date(2026, 3, 30, 8, 30, 0, 0, time.UTC) // week 12 (ann), just after the BST handover
	run := func(user, channel, text string) *slack.Msg {
		t.Helper()
		msg, err := h.cmd.Run(ctx, slash(user, channel, text), now)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		return msg
	}
	for _, text := range []string{"", "help"} {
		if msg := run("U0ZED00007", "C0ELSEWHERE", text); !strings.Contains(msg.Text, "/support swap @a @b") || msg.ResponseType != slack.ResponseTypeEphemeral {
			t.Fatalf("help: %+v", msg)
		}
	}
	msg := run("U0ZED00007", "C0TRIAGESUP", "oncall")
	for _, want := range []string{"On support now: <@U0ANN00001>", "*This week* (Mon 30 Mar 09:00 – Mon 6 Apr 09:00): <@U0ANN00001>", "*Next week* (Mon 6 Apr 09:00 – Mon 13 Apr 09:00): <@U0BEN00002>"} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("oncall lacks %q:\n%s", want, msg.Text)
		}
	}
	// An explicit team works from any channel.
	if msg := run("U0ZED00007", "C0ELSEWHERE", "triage oncall"); !strings.Contains(msg.Text, "On support now: <@U0ANN00001>") {
		t.Errorf("team prefix: %s", msg.Text)
	}
	msg = run("U0CAT00003", "C0TRIAGE01", "swap <@U0ANN00001|ann.lee> <@U0BEN00002>")
	if msg.ResponseType != slack.ResponseTypeInChannel || !strings.Contains(msg.Text, "<@U0BEN00002> takes the support week of Mon 30 Mar from <@U0ANN00001>, and <@U0ANN00001> takes the week of Mon 6 Apr from <@U0BEN00002>") {
		t.Fatalf("swap: %+v", msg)
	}
	// From a DM: the invoker's only support team.
	msg = run("U0ANN00001", "D0ANN00001", "override <@U0CAT00003> wed thu")
	if !strings.Contains(msg.Text, "<@U0CAT00003> covers support from 2026-04-01 to 2026-04-02") {
		t.Fatalf("override: %+v", msg)
	}
	msg = run("U0ANN00001", "C0TRIAGESUP", "oncall")
	for _, want := range []string{"On support now: <@U0BEN00002>", "This week* (Mon 30 Mar 09:00 – Mon 6 Apr 09:00): <@U0BEN00002> (swapped; the rota says <@U0ANN00001>)", "<@U0CAT00003> covers 2026-04-01–2026-04-02 (set by <@U0ANN00001>)", "Next week* (Mon 6 Apr 09:00 – Mon 13 Apr 09:00): <@U0ANN00001>"} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("oncall after changes lacks %q:\n%s", want, msg.Text)
		}
	}
	if d, err := h.st.OnDuty(ctx, h.cfg.Team("triage"), time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)); err != nil || d.Member != "cat" {
		t.Fatalf("Wednesday: %+v %v", d, err)
	}
	audit, err := h.st.AuditLog(ctx, "triage", now.Add(-time.Hour))
	if err != nil || len(audit) != 2 {
		t.Fatalf("audit: %+v %v", audit, err)
	}
	bys := map[string]string{}
	for _, a := range audit {
		bys[a.By] = a.What
	}
	if !strings.HasPrefix(bys["cat"], "swap:") || !strings.HasPrefix(bys["ann"], "override:") {
		t.Errorf("audit does not say who did what: %v", bys)
	}
}

// TestCommandInsight: /support list and /support stats from DynamoDB only.
func TestCommandInsight(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testConfig(t))
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if msg, err := h.cmd.Run(ctx, slash("U0ANN00001", "C0TRIAGESUP", "list"), t0); err != nil || !strings.Contains(msg.Text, "no open support requests") {
		t.Fatalf("empty list: %+v %v", msg, err)
	}
	// Three requests: #1 p1 acked after 30m and resolved after 1 day, #2 p1 acked after 10m,
	// #3 p3 open, unacknowledged.
	issue := func(n int, labels []string, at time.Time) {
		t.Helper()
		b := payload(t, "issues.labeled.json", withLabels(labels...), func(m map[string]any) { issueOf(m)["number"] = n })
		if err := h.issue(t, b, at); err != nil {
			t.Fatal(err)
		}
	}
	issue(1, []string{"bug", "p1"}, t0)
	issue(2, []string{"bug", "p1"}, t0.Add(time.Hour))
	issue(3, []string{"bug"}, t0.Add(2*time.Hour))
	ack := func(n int, at time.Time) {
		t.Helper()
		cb := submission(t, "U0ANN00001", "in 3h")
		cb.View.PrivateMetadata = ID{Team: "triage", Repo: "Codertocat/Hello-World", Number: n}.String()
		if out, err := h.ix.Handle(ctx, cb, at); err != nil || out != nil {
			t.Fatalf("ack %d: %#v %v", n, out, err)
		}
	}
	ack(1, t0.Add(30*time.Minute))
	ack(2, t0.Add(70*time.Minute))
	h.flush(t)
	closed := payload(t, "issues.reopened.json", withAction("closed"), withUpdated("2019-06-01T00:00:00Z"), withState("closed"), withLabels("bug", "p1"))
	if err := h.issue(t, closed, t0.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	now := t0.Add(25 * time.Hour)
	msg, err := h.cmd.Run(ctx, slash("U0ANN00001", "C0TRIAGESUP", "list"), now)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"(2, oldest first)", "Codertocat/Hello-World#2", "p1 · 1d", "ETA <!date^", "Codertocat/Hello-World#3", "p3 · 23h old · *not acknowledged*"} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("list lacks %q:\n%s", want, msg.Text)
		}
	}
	if strings.Contains(msg.Text, "Hello-World#1>") {
		t.Errorf("list shows the resolved request:\n%s", msg.Text)
	}
	msg, err = h.cmd.Run(ctx, slash("U0ANN00001", "C0TRIAGESUP", "stats 2"), now)
	if err != nil {
		t.Fatal(err)
	}
	squeezed := strings.Join(strings.Fields(msg.Text), " ")
	for _, want := range []string{"last 2 week(s)*: 3", "p1 2 20m (2) 1d (1)", "p3 1 - -", "p0 0 - -"} {
		if !strings.Contains(squeezed, want) {
			t.Errorf("stats lack %q:\n%s", want, msg.Text)
		}
	}
}

func TestStats(t *testing.T) {
	t.Parallel()
	prios := testConfig(t).Team("triage").Support.Priorities
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	rows := []StatRow{
		{Priority: "p1", Created: t0, Acked: t0.Add(10 * time.Minute), State: Resolved, Closed: t0.Add(4 * time.Hour)},
		{Priority: "p1", Created: t0, Acked: t0.Add(30 * time.Minute), State: Open},
		{Priority: "p1", Created: t0, Acked: t0.Add(50 * time.Minute), State: Resolved, Closed: t0.Add(2 * time.Hour)},
		{Priority: "p1", Created: t0, State: Relabelled, Closed: t0.Add(time.Hour)},
		{Priority: "old", Created: t0},
	}
	got := Stats(prios, rows)
	if len(got) != 5 || got[4].Priority != "old" {
		t.Fatalf("rows %+v", got)
	}
	p1 := got[1]
	if p1.Count != 4 || p1.Acked != 3 || p1.MedianAck != 30*time.Minute || p1.Closed != 2 || p1.MedianDone != 3*time.Hour {
		t.Fatalf("p1 %+v", p1)
	}
}
