package standup

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/slackapp"
)

func TestCommand(t *testing.T) {
	t.Parallel()
	f := newFlow(t, "testdata/standup.yaml")
	ctx := context.Background()
	now := "2026-03-10T07:00:00Z" // Tuesday; Lee (London) works for acme and globex
	run := func(user, text, at string) (*slack.Msg, error) {
		return f.cmd.Run(ctx, slack.SlashCommand{Command: "/standup", Text: text, UserID: user, TriggerID: "trig"}, utc(at))
	}
	cases := []struct {
		name, user, text string
		usage            bool
		want             []string
	}{
		{"help", "U0LEE00001", "help", true, []string{"/standup away <from> <to>", "/standup history"}},
		{"unknown subcommand", "U0LEE00001", "frobnicate", true, []string{"not something I know"}},
		{"bad date", "U0LEE00001", "away 2026-13-01 2026-13-02", true, []string{"YYYY-MM-DD"}},
		{"reversed range", "U0LEE00001", "away 2026-03-20 2026-03-19", true, []string{"before the first"}},
		{"past range", "U0LEE00001", "away 2026-01-01 2026-01-02", true, []string{"in the past"}},
		{"bad history argument", "U0LEE00001", "history nobody", true, []string{"neither a @mention nor a client id", "acme, globex"}},
		{"unknown person", "U0NOBODY01", "", false, []string{"not in the Rituals config"}},
		{"two clients: choose", "U0LEE00001", "", false, []string{"Which standup", ActionOpen, "acme/lee/2026-03-10", "globex/lee/2026-03-10"}},
		{"status", "U0FRANK001", "status", false, []string{"Core", "Hana Kealoha", "due", "Lee Marsh"}},
		{"history empty page", "U0LEE00001", "history globex", false, []string{"Standups of Lee Marsh for Globex", "View"}},
		{"away noted", "U0LEE00001", "away 2026-03-19 2026-03-20", false, []string{"away from Thu 2026-03-19 to Fri 2026-03-20"}},
		{"away listed", "U0LEE00001", "away", false, []string{"2026-03-19 to 2026-03-20"}},
	}
	for _, tc := range cases {
		msg, err := run(tc.user, tc.text, now)
		var ue *slackapp.UsageError
		if tc.usage != errors.As(err, &ue) {
			t.Fatalf("%s: err %v, usage error want %v", tc.name, err, tc.usage)
		}
		text := ""
		if ue != nil {
			text = ue.Problem
			for _, u := range ue.Usage {
				text += "\n" + u.Syntax + " " + u.Summary
			}
		} else if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		} else {
			b, _ := json.Marshal(msg)
			text = string(b)
		}
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: answer lacks %q: %s", tc.name, w, text)
			}
		}
	}
	// Hana (Honolulu) has one client: /standup opens the modal at once.
	if _, err := run("U0HANA0001", "", "2026-03-10T17:00:00Z"); err != nil {
		t.Fatal(err)
	}
	only(t, f.api.take(), "views.open")
	// No standup on a weekend: a clear answer, no modal.
	msg, err := run("U0HANA0001", "", "2026-03-07T20:00:00Z")
	if err != nil || !strings.Contains(msg.Text, "weekend") || !strings.Contains(msg.Text, "Next: Mon 2026-03-09") {
		t.Fatalf("weekend: %+v %v", msg, err)
	}

	// Away set with the command stops the scheduler for those days: Lee's Thursday (acme and
	// globex) standups are not created, Friday's neither.
	f.tick("2026-03-19T05:55:00Z")
	if res := f.tick("2026-03-19T06:00:00Z"); res.Created != 0 || res.Away != 2 {
		t.Fatalf("away day tick: %+v", res)
	}
	// Two clients, two standups; a re-run creates nothing.
	f.tick("2026-03-24T05:55:00Z")
	if res := f.tick("2026-03-24T06:00:00Z"); res.Created != 2 {
		t.Fatalf("two clients: %+v", res)
	}
	if res := f.tick("2026-03-24T06:00:00Z"); res.Created+res.Existing+res.Nagged != 0 {
		t.Fatalf("re-run: %+v", res)
	}
	f.api.take()
}
