package clinic

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func pr(m map[string]any) map[string]any { return m["pull_request"].(map[string]any) }

// association sets the pull request's author_association (the fixture's is OWNER).
func association(a string) func(map[string]any) {
	return func(m map[string]any) { pr(m)["author_association"] = a }
}

// author sets the pull request's author login and account type.
func author(login, kind string) func(map[string]any) {
	return func(m map[string]any) {
		u := pr(m)["user"].(map[string]any)
		u["login"], u["type"] = login, kind
	}
}

// reviewer sets who submitted a review (events/github/pull_request_review.submitted.json).
func reviewer(login, assoc string) func(map[string]any) {
	return func(m map[string]any) {
		r := m["review"].(map[string]any)
		r["user"].(map[string]any)["login"] = login
		r["author_association"] = assoc
	}
}

// onPR turns events/github/issue_comment.created.json (a comment on issue #1) into a comment on
// pull request #2 by login: GitHub marks a pull request's issue with "pull_request".
func onPR(login string) func(map[string]any) {
	return func(m map[string]any) {
		is := m["issue"].(map[string]any)
		is["number"] = 2
		is["pull_request"] = map[string]any{"url": "https://api.github.com/repos/Codertocat/Hello-World/pulls/2", "html_url": "https://github.com/Codertocat/Hello-World/pull/2"}
		m["comment"].(map[string]any)["user"].(map[string]any)["login"] = login
		m["comment"].(map[string]any)["author_association"] = "MEMBER"
	}
}

func (e *env) comments(since int64) []string {
	var out []string
	for _, c := range e.calls("github", "issues/create-comment", since) {
		out = append(out, c.Arg("body"))
	}
	return out
}

// TestOutsidePatchRouting: a pull request is an outside patch only when its author_association
// says the author is outside the organisation and the config does not count them in the team;
// then it is routed to the engineer on Clinic Duty with one comment to the author.
func TestOutsidePatchRouting(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		edits  []func(map[string]any)
		routed bool
	}{
		{"owner", nil, false},
		{"member", []func(map[string]any){association("MEMBER")}, false},
		{"collaborator", []func(map[string]any){association("COLLABORATOR")}, false},
		{"none", []func(map[string]any){association("NONE")}, true},
		{"first timer", []func(map[string]any){association("FIRST_TIMER")}, true},
		{"first-time contributor", []func(map[string]any){association("FIRST_TIME_CONTRIBUTOR")}, true},
		{"contributor", []func(map[string]any){association("CONTRIBUTOR")}, true},
		{"a team member GitHub calls a contributor", []func(map[string]any){association("CONTRIBUTOR"), author("catruiz", "User")}, false},
		{"a bot", []func(map[string]any){association("NONE"), author("renovate[bot]", "Bot")}, false},
		{"a draft", []func(map[string]any){association("NONE"), func(m map[string]any) { pr(m)["draft"] = true }}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.github("pull_request", "pull_request.opened.json", t0, tc.edits...)
			comments, dms := e.comments(0), e.dms(0)
			p, err := e.p.Store.Patch(e.ctx, "rocket", GitHubPatchID("Codertocat/Hello-World", 2))
			if !tc.routed {
				if len(comments) != 0 || len(dms) != 0 || err == nil {
					t.Fatalf("not an outside patch, yet: comments %v, DMs %v, patch %+v", comments, dms, p)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Reviewer != "cat" || p.Routing != "duty" || !p.Due.Equal(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)) || !p.Escalate.Equal(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)) {
				t.Fatalf("patch %+v", p)
			}
			if len(comments) != 1 || !strings.Contains(comments[0], "Thanks for the contribution, @Codertocat! Cat Ruiz (@catruiz) from Rocket will look at this pull request and give you a first response by **Wed 25 Nov 2026 10:00 UTC**") {
				t.Fatalf("comments %q", comments)
			}
			if !slices.Equal(dms, []string{cat}) {
				t.Fatalf("DMs %v, want the engineer on duty", dms)
			}
		})
	}
}

// TestOutsidePatchNagAndEscalation: one comment however often the delivery comes; the reviewer
// is reminded once when the target passes (business days: a Thursday's patch is due Monday),
// the EM told once after a second target; a review or comment by a team member ends it, as does
// closing.
func TestOutsidePatchNagAndEscalation(t *testing.T) {
	t.Parallel()
	thu := time.Date(2026, 11, 26, 16, 0, 0, 0, time.UTC) // Thursday 16:00 London
	steps := func(e *env) []string {
		var got []string
		for at := thu; at.Before(time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC)); at = at.Add(time.Hour) {
			since := e.last()
			e.tick(at)
			for _, who := range e.dms(since) {
				got = append(got, at.Format("Mon 15:04")+" "+who)
			}
		}
		return got
	}
	t.Run("nobody answers", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.github("pull_request", "pull_request.opened.json", thu, association("FIRST_TIMER"))
		e.github("pull_request", "pull_request.opened.json", thu.Add(time.Minute), association("FIRST_TIMER")) // redelivered
		if n := len(e.comments(0)); n != 1 {
			t.Fatalf("%d comments to the author", n)
		}
		// Due Monday 16:00 (Thursday + 2 business days), escalated Wednesday 16:00.
		if got, want := steps(e), []string{"Mon 16:00 " + cat, "Wed 16:00 " + dave}; !slices.Equal(got, want) {
			t.Fatalf("reminders %v, want %v", got, want)
		}
		p, _ := e.p.Store.Patch(e.ctx, "rocket", GitHubPatchID("Codertocat/Hello-World", 2))
		if p.NaggedAt.IsZero() || p.EscalatedAt.IsZero() || !p.Waiting() {
			t.Fatalf("patch %+v", p)
		}
		if n := len(e.comments(0)); n != 1 {
			t.Fatalf("%d comments to the author after the nags", n)
		}
	})
	t.Run("a team member comments", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.github("pull_request", "pull_request.opened.json", thu, association("FIRST_TIMER"))
		e.github("issue_comment", "issue_comment.created.json", thu.Add(3*time.Hour), onPR("Codertocat")) // the author themself: no answer
		e.github("issue_comment", "issue_comment.created.json", thu.Add(5*time.Hour), onPR("alice-ames"))
		if got := steps(e); len(got) != 0 {
			t.Fatalf("reminders after a team member's comment: %v", got)
		}
		p, _ := e.p.Store.Patch(e.ctx, "rocket", GitHubPatchID("Codertocat/Hello-World", 2))
		if p.RespondedBy != "alice" || p.RespondedHow != "commented" || !p.RespondedAt.Equal(thu.Add(5*time.Hour)) {
			t.Fatalf("patch %+v", p)
		}
	})
	t.Run("a team member reviews", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.github("pull_request", "pull_request.opened.json", thu, association("FIRST_TIMER"))
		e.github("pull_request_review", "pull_request_review.submitted.json", thu.Add(2*time.Hour), reviewer("veravis", "NONE")) // not the team
		e.github("pull_request_review", "pull_request_review.submitted.json", thu.Add(26*time.Hour), reviewer("bobbyrne", "MEMBER"))
		if got := steps(e); len(got) != 0 {
			t.Fatalf("reminders after a team member's review: %v", got)
		}
		p, _ := e.p.Store.Patch(e.ctx, "rocket", GitHubPatchID("Codertocat/Hello-World", 2))
		if p.RespondedBy != "bob" || p.RespondedHow != "reviewed (commented)" {
			t.Fatalf("patch %+v", p)
		}
	})
	t.Run("closed before anyone looked", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.github("pull_request", "pull_request.opened.json", thu, association("FIRST_TIMER"))
		e.github("pull_request", "pull_request.closed.json", thu.Add(time.Hour), association("FIRST_TIMER"))
		if got := steps(e); len(got) != 0 {
			t.Fatalf("reminders after closing: %v", got)
		}
		p, _ := e.p.Store.Patch(e.ctx, "rocket", GitHubPatchID("Codertocat/Hello-World", 2))
		if p.ClosedHow != "closed" || p.Waiting() {
			t.Fatalf("patch %+v", p)
		}
	})
}

// TestRoundRobin: with reviewer: round_robin, patches go to the reviewers in turn, passing over
// whoever is off that day.
func TestRoundRobin(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "      first_response: 2d\n", "      first_response: 2d\n      reviewer: round_robin\n      reviewers: [alice, bob]\n")
	var got []string
	for i, at := range []time.Time{t0, t0.Add(time.Hour), time.Date(2026, 12, 22, 10, 0, 0, 0, time.UTC), time.Date(2026, 12, 22, 11, 0, 0, 0, time.UTC)} {
		n := 10 + i
		e.github("pull_request", "pull_request.opened.json", at, association("NONE"), func(m map[string]any) { pr(m)["number"] = n })
		p, err := e.p.Store.Patch(e.ctx, "rocket", GitHubPatchID("Codertocat/Hello-World", n))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Reviewer+"/"+p.Routing)
	}
	// Alice is away from 21 December: the third and fourth go to Bob.
	if want := []string{"alice/round_robin", "bob/round_robin", "bob/round_robin", "bob/round_robin"}; !slices.Equal(got, want) {
		t.Fatalf("reviewers %v, want %v", got, want)
	}
}
