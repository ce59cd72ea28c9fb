package labels

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/slackapp"
)

func TestLabelsCommand(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.mustDeliver("issues", labeled(t, 1, "needs-info", monday), monday)
	r.mustDeliver("issues", labeled(t, 2, "blocked", monday), monday)
	r.mustDeliver("issues", payload(t, "issues.unlabeled.json", number(2), label("blocked"), at(monday.Add(time.Minute))), monday.Add(time.Minute))
	c := Command{Config: staticConfig{r.cfg}, Timers: r.p.Timers}
	run := func(text, channel string) (string, error) {
		msg, err := c.Run(context.Background(), slack.SlashCommand{Command: "/labels", Text: text, UserID: "U0ANN00001", ChannelID: channel}, monday)
		if err != nil {
			return "", err
		}
		if msg.ResponseType != slack.ResponseTypeEphemeral {
			t.Errorf("%q answered in the channel", text)
		}
		return msg.Text, nil
	}
	tests := []struct {
		name, text, channel string
		want                []string
		usage               string // a usage error containing this
	}{
		{name: "rules in plain words", text: "rules", channel: "C0TRIAGE01", want: []string{
			"*Triage's label rules* (business days are the team's, in America/New_York)",
			"*needs-info* — when `needs-info` is added to an issue or pull request in the repositories of codertocat:",
			"• at once: comment “Thanks {{author}}! Could you tell us the steps to reproduce {{title}}?”",
			"• after 7 business days, if the label is still there and the author has not replied: comment “Closing: no reply in 7 business days. {{author}}, reply and we will reopen it.”, then close it as not planned",
			"• its timers stop when the author replies, the label is removed or the issue is closed",
			"*security* — when `security` is added to an issue in the repositories of codertocat:",
			"post to <#G0SECURITY1>, then assign whoever is on the support rotation",
			"after 2 business days, if the label is still there and the issue is still open: comment “{{assignee}}: still blocked?”, then DM the assignees; again every 2 business days while that holds, 3 times at most",
			"put it on the board Codertocat/1 as “In Progress”, then DM the em (Emma Ng), then add `triage`, then remove `stale`, then lock the conversation (resolved)",
		}},
		{name: "team named first", text: "triage rules", channel: "C0ELSEWHERE", want: []string{"*Triage's label rules*"}},
		{name: "pending for the team", text: "pending", want: []string{
			"*Pending label-rule timers of Triage*",
			"<https://github.com/Codertocat/Hello-World/issues/1|Codertocat/Hello-World#1> Spelling error in the README file — *needs-info* (after 7 business days): due Thu 3 Dec 10:00 EST",
		}},
		{name: "one issue, with ended timers", text: "pending Codertocat/Hello-World#2", want: []string{
			"*Label-rule timers on Codertocat/Hello-World#2*",
			"*blocked* (after 2 business days, fired 0 of 3): cancelled: the label is removed",
		}},
		{name: "an issue by its link", text: "pending <https://github.com/Codertocat/Hello-World/issues/1>", want: []string{"due Thu 3 Dec 10:00 EST"}},
		{name: "an issue without timers", text: "pending Codertocat/Hello-World#77", want: []string{"No label rule of Triage has set a timer on Codertocat/Hello-World#77."}},
		{name: "help", text: "", want: []string{"*/labels* — label rules and their timers", "`/labels pending [owner/repo#123]`"}},
		{name: "not an issue", text: "pending #12", usage: "\"#12\" is not an issue: write owner/repo#123"},
		{name: "unknown subcommand", text: "list", usage: "`/labels list` is not a /labels command."},
		{name: "rules takes nothing", text: "rules now", usage: "`/labels rules` takes no arguments."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := run(tc.text, tc.channel)
			if tc.usage != "" {
				var ue *slackapp.UsageError
				if !errors.As(err, &ue) || !strings.Contains(ue.Problem, tc.usage) {
					t.Fatalf("err = %v, want a usage error with %q", err, tc.usage)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("answer lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

func TestParseIssueRef(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		repo   string
		number int
	}{
		{"acme/api#12", "acme/api", 12},
		{"https://github.com/acme/api/issues/12", "acme/api", 12},
		{"<https://github.com/acme/api/pull/7#discussion_r1|acme/api#7>", "acme/api", 7},
		{"acme/api#0", "", 0},
		{"api#12", "", 0},
		{"https://example.com/acme/api/issues/12", "", 0},
	}
	for _, tc := range tests {
		repo, n, ok := ParseIssueRef(tc.in)
		if repo != tc.repo || n != tc.number || ok != (tc.repo != "") {
			t.Errorf("ParseIssueRef(%q) = %q, %d, %v", tc.in, repo, n, ok)
		}
	}
}
