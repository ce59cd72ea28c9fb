package clinic

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/slackapp"
)

// say runs /clinic text and returns the answer's text; an error fails the test.
func (e *env) say(user, channel, text string, at time.Time) string {
	e.t.Helper()
	msg, err := e.run(user, channel, text, at)
	if err != nil {
		e.t.Fatalf("/clinic %s: %v", text, err)
	}
	return msg.Text
}

// TestSignupQueue: sign-ups queue with positions and expected starts; the approver's Accept
// places each visit in the next sprints with room (one visitor per sprint here), Defer moves a
// request back and asks again at the next handover, Decline ends it; the requester and the team
// are told; a withdrawn visit frees its seat.
func TestSignupQueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Monday 23 November 10:00: Clinic Duty turn 23 runs to Monday 7 December 09:00; the next
	// sprints start 7 and 21 December, 4 and 18 January.
	out := e.say(vera, "D0VERA0001", "rocket signup 2 T123 https://example.org/patch/1", t0)
	for _, want := range []string{"Sign-up #1 with Rocket queued: 2 week(s), bringing: T123 https://example.org/patch/1", "You are #1 in the queue; expected start Mon 7 Dec 09:00 GMT if accepted", "<@U0DAVE0004> will accept"} {
		if !strings.Contains(out, want) {
			t.Errorf("signup answer lacks %q:\n%s", want, out)
		}
	}
	since := e.last()
	e.flush()
	asks := e.calls("slack", "chat.postMessage", since)
	if !slices.Equal(e.dms(since), []string{dave}) || len(asks) != 1 || !strings.Contains(asks[0].Arg("blocks"), ActionAccept) || !strings.Contains(asks[0].Arg("text"), "<@U0VERA0005> (Payments) for 2 week(s)") {
		t.Fatalf("approval request: DMs %v, posts %+v", e.dms(since), asks)
	}
	// In the team's channel, a month (two sprints).
	out = e.say(walt, "C0ROCKCLIN", "signup 4w pairing on the billing export", t0.Add(time.Minute))
	if !strings.Contains(out, "You are #2 in the queue; expected start Mon 21 Dec 09:00 GMT if accepted") {
		t.Fatalf("second sign-up: %s", out)
	}
	out = e.say(xena, "D0XENA0001", "rocket signup", t0.Add(2*time.Minute))
	if !strings.Contains(out, "You are #3 in the queue; expected start Mon 18 Jan 09:00 GMT if accepted") || !strings.Contains(out, "2 week(s), bringing: _no tasks given_") {
		t.Fatalf("third sign-up: %s", out)
	}
	e.flush()
	q := e.say(alice, "C0ROCKET01", "queue", t0.Add(3*time.Minute))
	for _, want := range []string{"1 visitor(s) per sprint; sprints are 2 week(s) from Mon 09:00", "1. #1 <@U0VERA0005> (Payments) for 2 week(s)", "2. #2 <@U0WALT0006> (Payments) for 4 week(s)", "expected start Mon 21 Dec", "3. #3 <@U0XENA0007>"} {
		if !strings.Contains(q, want) {
			t.Errorf("queue lacks %q:\n%s", want, q)
		}
	}
	// Only an approver may decide.
	since = e.last()
	e.click(alice, ActionAccept, "rocket|1", t0.Add(4*time.Minute))
	if eph := e.calls("slack", "chat.postEphemeral", since); len(eph) != 1 || !strings.Contains(eph[0].Arg("text"), "Only Rocket's Clinic Duty approvers (<@U0DAVE0004>) can decide") {
		t.Fatalf("refusal: %+v", eph)
	}
	if s, _ := e.p.Store.Signup(e.ctx, "rocket", 1); s.State != Pending {
		t.Fatalf("a refused click changed the sign-up: %+v", s)
	}
	// Dave accepts Walt's month first: sprints 24 and 25 (7 Dec – 4 Jan). Then Vera's: 24 is
	// full, so 26 (4-18 Jan).
	since = e.last()
	e.click(dave, ActionAccept, "rocket|2", t0.Add(5*time.Minute))
	e.click(dave, ActionAccept, "rocket|1", t0.Add(6*time.Minute))
	e.flush()
	w, _ := e.p.Store.Signup(e.ctx, "rocket", 2)
	v, _ := e.p.Store.Signup(e.ctx, "rocket", 1)
	if w.State != Accepted || w.Sprint != 24 || w.Sprints != 2 || v.State != Accepted || v.Sprint != 26 || v.Sprints != 1 {
		t.Fatalf("placements: walt %+v, vera %+v", w, v)
	}
	seats, _ := e.p.Store.Seats(e.ctx, "rocket", 20, 30)
	for p, ids := range seats {
		if len(ids) > 1 {
			t.Fatalf("sprint %d holds %v, over its capacity of 1", p, ids)
		}
	}
	team := e.posts("C0ROCKCLIN", since)
	if len(team) != 2 || !strings.Contains(team[0], "<@U0WALT0006> (Payments) for 4 week(s) joins Rocket's Clinic Duty sprint Mon 7 Dec 09:00 GMT – Mon 4 Jan 09:00 GMT") || !strings.Contains(team[0], "bringing: pairing on the billing export") {
		t.Fatalf("the team is told: %q", team)
	}
	told := 0
	for _, p := range e.posts("", since) {
		if strings.Contains(p, "Your Clinic Duty sign-up #1 with Rocket was accepted by <@U0DAVE0004>. You join their sprint Mon 4 Jan 09:00 GMT – Mon 18 Jan 09:00 GMT") {
			told++
		}
	}
	if told != 1 || len(e.calls("slack", "chat.update", since)) != 2 {
		t.Fatalf("requester told %d times; %d approval messages updated", told, len(e.calls("slack", "chat.update", since)))
	}
	// A second click on a decided request changes nothing.
	since = e.last()
	e.click(dave, ActionDecline, "rocket|2", t0.Add(7*time.Minute))
	if eph := e.calls("slack", "chat.postEphemeral", since); len(eph) != 1 || !strings.Contains(eph[0].Arg("text"), "Sign-up #2 was already accepted") {
		t.Fatalf("stale click: %+v", eph)
	}
	// Xena's request is deferred: the approver is asked again after the next handover.
	e.click(dave, ActionDefer, "rocket|3", t0.Add(8*time.Minute))
	e.flush()
	if x, _ := e.p.Store.Signup(e.ctx, "rocket", 3); x.State != Pending || x.Deferrals != 1 {
		t.Fatalf("deferred: %+v", x)
	}
	since = e.last()
	e.tick(time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)) // no handover this Monday
	if dms := e.dms(since); len(dms) != 0 {
		t.Fatalf("asked again before the handover: %v", dms)
	}
	e.tick(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	asks = nil
	for _, c := range e.calls("slack", "chat.postMessage", since) {
		if strings.Contains(c.Arg("blocks"), ActionDecline) {
			asks = append(asks, c)
		}
	}
	if len(asks) != 1 || !strings.Contains(asks[0].Arg("text"), "deferred 1 time(s); asked again") {
		t.Fatalf("asked again at the handover: %+v", asks)
	}
	e.tick(time.Date(2026, 12, 7, 9, 5, 0, 0, time.UTC))
	e.click(dave, ActionDecline, "rocket|3", time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	e.flush()
	if x, _ := e.p.Store.Signup(e.ctx, "rocket", 3); x.State != Declined {
		t.Fatalf("declined: %+v", x)
	}
	// Vera withdraws before her sprint: the seat is free again and the team hears of it.
	since = e.last()
	out = e.say(vera, "D0VERA0001", "rocket withdraw", time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC))
	if !strings.Contains(out, "Sign-up #1 with Rocket withdrawn: your seat in the sprint Mon 4 Jan 09:00 GMT – Mon 18 Jan 09:00 GMT is free again") {
		t.Fatalf("withdraw: %s", out)
	}
	e.flush()
	if seats, _ := e.p.Store.Seats(e.ctx, "rocket", 26, 26); len(seats[26]) != 0 {
		t.Fatalf("sprint 26 after the withdrawal: %v", seats)
	}
	if team := e.posts("C0ROCKCLIN", since); len(team) != 1 || !strings.Contains(team[0], "withdrew from Rocket's Clinic Duty sprint") {
		t.Fatalf("the team about the withdrawal: %q", team)
	}
	// Walt's visit has started (sprint 24): it can no longer be withdrawn.
	out = e.say(walt, "D0WALT0001", "rocket withdraw", time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC))
	if !strings.Contains(out, "You have no sign-up with Rocket to withdraw.") {
		t.Fatalf("withdraw of a visit under way: %s", out)
	}
}

// TestCommandBadInput: every malformed or refused /clinic command gets an ephemeral answer
// saying what to type instead, and nothing is stored.
func TestCommandBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Vera has a sign-up waiting: asking again is refused.
	e.say(vera, "D0VERA0001", "rocket signup 2 T1", t0)
	cases := []struct {
		name, user, channel, text string
		usage                     []string // a *UsageError containing these
		refusal                   string   // an ephemeral answer containing this
	}{
		{"signup without a team", walt, "D0WALT0001", "signup 2 T123", []string{"Which team would you like to join? Put its id first, e.g. `/clinic rocket signup 2", "/clinic <team> signup [weeks]"}, ""},
		{"signup for too long", walt, "D0WALT0001", "rocket signup 20 T1", []string{"20 weeks is not a visit I can plan: give 1 to 12 weeks (a sprint is 2)"}, ""},
		{"signup of a member", alice, "C0ROCKET01", "signup 2", nil, "You are a member of Rocket already"},
		{"a second signup while one waits", vera, "D0VERA0001", "rocket signup 2 T2", []string{"You already have a sign-up waiting with Rocket", "/clinic withdraw [number]"}, ""},
		{"goals too long", walt, "D0WALT0001", "rocket signup 2 " + strings.Repeat("x", MaxGoals+1), []string{"keep it under 2000"}, ""},
		{"unknown subcommand", alice, "C0ROCKET01", "volunteer", []string{"`/clinic volunteer` is not a /clinic command.", "/clinic oncall"}, ""},
		{"swap with someone outside the rotation", alice, "C0ROCKET01", "swap @alice @veravis", []string{"@veravis (Vera Visitor) is not a member of Rocket.", "/clinic swap @a @b"}, ""},
		{"swap with an unknown user", alice, "C0ROCKET01", "swap <@U0NOBODY01|nobody> @bob", []string{"<@U0NOBODY01> is not in the Rituals config"}, ""},
		{"swap with an unknown name", alice, "C0ROCKET01", "swap @ghost @bob", []string{`"@ghost" is not a person I know`}, ""},
		{"swap by an outsider", vera, "C0ROCKET01", "swap @alice @bob", nil, "Only members of Rocket can change its Clinic Duty rotation."},
		{"override in the past", alice, "C0ROCKET01", "override @bob 2026-01-01", []string{"entirely in the past", "/clinic override @user <from> [<to>]"}, ""},
		{"override with a bad date", alice, "C0ROCKET01", "override @bob someday", []string{`"someday" is not a date`}, ""},
		{"stats zero weeks", alice, "C0ROCKET01", "stats 0", []string{`"0" is not a number of weeks from 1 to 26`}, ""},
		{"withdraw a number that is not a number", vera, "D0VERA0001", "rocket withdraw first", []string{`"first" is not a sign-up number`}, ""},
		{"withdraw someone else's", walt, "D0WALT0001", "rocket withdraw 1", []string{"You have no sign-up #1 with Rocket that can still be withdrawn"}, ""},
		{"oncall with arguments", alice, "C0ROCKET01", "oncall now", []string{"takes no arguments"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg, err := e.run(tc.user, tc.channel, tc.text, t0.Add(time.Hour))
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
			all := ue.Problem
			for _, u := range ue.Usage {
				all += "\n" + u.Syntax
			}
			for _, w := range tc.usage {
				if !strings.Contains(all, w) {
					t.Errorf("usage error %q lacks %q", all, w)
				}
			}
		})
	}
	if all, _ := e.p.Store.Signups(e.ctx, "rocket"); len(all) != 1 {
		t.Fatalf("refused commands stored sign-ups: %d", len(all))
	}
	if os, _ := e.p.Rotations.Store.Overrides(e.ctx, clinicRotation(e.cfg.Team("rocket")).Partition, -1000, 1000); len(os) != 0 {
		t.Fatalf("refused commands stored overrides: %+v", os)
	}
}
