package config

import "testing"

// labelsDoc is a small valid config with label rules; each case in TestLabelRuleProblems edits
// it to break one rule. Line numbers in the cases refer to the edited document.
const labelsDoc = `version: 1
people:
  - {id: ann, github: ann-lee, slack: U0ANN00001, timezone: America/New_York, country: US}
  - {id: ben, github: benode, slack: U0BEN00002, timezone: America/New_York, country: US}
  - {id: emma, slack: U0EMMA0004, timezone: Europe/London, country: GB}
clients:
  - id: acme
    github: {orgs: [acme]}
    hr: {reviewer: emma, repo: acme/hr}
teams:
  - id: triage
    clients: [acme]
    timezone: America/New_York
    members: [ann, ben]
    roles: {em: emma, tech_lead: ann}
    slack: {channel: C0TRIAGE01, channels: {security: G0SECURE01}}
    support:
      labels: [support]
      rotation: {members: [ann, ben], handover: {day: mon, time: "09:00"}, start: 2026-01-05}
    labels: [needs-info, security, blocked, triage]
    label_rules:
      - id: needs-info
        when: {label: needs-info}
        do:
          - comment: "Thanks {{author}}! Could you add the steps to reproduce?"
        timers:
          - after: 7d
            if: [still_labeled, no_author_reply]
            do:
              - comment: "Closing: no reply in 7 business days."
              - close: not_planned
        cancel_on: [author_reply, label_removed, closed]
      - id: security
        when: {label: security, on: [issues]}
        do:
          - post: {channel: security, text: "Security report {{url}} by {{author}}"}
          - assign: {rotation: support}
          - add_labels: [triage]
`

func TestLabelsDocIsValid(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte(labelsDoc))
	if err != nil {
		t.Fatal(err)
	}
	team := cfg.Team("triage")
	sec := team.LabelRule("security")
	if sec == nil || sec.Do[0].Channel != "G0SECURE01" || sec.When.PullRequests || !sec.When.Issues {
		t.Fatalf("security rule = %+v", sec)
	}
	ni := team.LabelRule("needs-info")
	if got := ni.Timers[0]; got.After != (Span{BusinessDays: 7}) || got.Limit != 1 || len(got.If) != 2 {
		t.Errorf("needs-info timer = %+v", got)
	}
	if !ni.Watches(team, "ACME/api") || ni.Watches(team, "other/api") {
		t.Error("rules apply in the team's clients' repositories only")
	}
	if !sec.Cancels(CancelLabelRemoved) || !sec.Cancels(CancelClosed) || sec.Cancels(CancelAuthorReply) {
		t.Errorf("default cancel_on = %v", sec.CancelOn)
	}
}

// TestLabelRuleProblems holds every label-rule check to its message and its position, like
// TestParseProblems.
func TestLabelRuleProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		old, new string
		want     []string
	}{
		{name: "unknown action", old: "- close: not_planned", new: "- clsoe: not_planned", want: []string{
			`31:17 teams[0].label_rules[0].timers[0].do[1].clsoe: unknown action "clsoe" (did you mean "close"? one of: comment, post, dm, assign, add_labels, remove_labels, board, close, lock)`,
		}},
		{name: "two actions in one item", old: "- close: not_planned", new: "- {close: not_planned, lock: resolved}", want: []string{
			`31:17 teams[0].label_rules[0].timers[0].do[1]: one action per item (this one has close, lock): start each with its own ` + "`-`",
		}},
		{name: "close reason", old: "- close: not_planned", new: "- close: wontfix", want: []string{
			`31:24 teams[0].label_rules[0].timers[0].do[1].close: unknown close reason "wontfix" (one of: completed, not_planned)`,
		}},
		{name: "unknown role", old: "assign: {rotation: support}", new: "assign: {role: tech-lead}", want: []string{
			`37:28 teams[0].label_rules[1].do[1].assign.role: unknown role "tech-lead" (did you mean "tech_lead"? one of: em, tech_lead, members): team "triage" gives nobody that role`,
		}},
		{name: "role without github to assign", old: "assign: {rotation: support}", new: "assign: {role: em}", want: []string{
			`37:28 teams[0].label_rules[1].do[1].assign.role: em "emma" has no github login to assign: add ` + "`github: <login>`" + ` to people[2] (line 5)`,
		}},
		{name: "unknown rotation", old: "assign: {rotation: support}", new: "assign: {rotation: clinic}", want: []string{
			`37:32 teams[0].label_rules[1].do[1].assign.rotation: unknown rotation "clinic" (one of: support)`,
		}},
		{name: "target twice", old: "assign: {rotation: support}", new: "assign: {rotation: support, person: ann}", want: []string{
			`37:21 teams[0].label_rules[1].do[1].assign: name exactly one of person, role, rotation, e.g. {rotation: support}`,
		}},
		{name: "unknown person", old: "assign: {rotation: support}", new: "dm: {person: annn}", want: []string{
			`37:26 teams[0].label_rules[1].do[1].dm.person: unknown person "annn" (did you mean "ann"? known: ann, ben, emma)`,
		}},
		{name: "timer without condition", old: "            if: [still_labeled, no_author_reply]\n", new: "", want: []string{
			`27:13 teams[0].label_rules[0].timers[0]: a timer needs a condition that must still hold when it fires: add e.g. ` + "`if: [still_labeled]`",
		}},
		{name: "unknown condition", old: "if: [still_labeled, no_author_reply]", new: "if: [still_labeled, no_reply]", want: []string{
			`28:33 teams[0].label_rules[0].timers[0].if[1]: unknown condition "no_reply"`,
		}},
		{name: "condition for the other event", old: "if: [still_labeled, no_author_reply]", new: "if: [still_unlabeled]", want: []string{
			`28:18 teams[0].label_rules[0].timers[0].if[0]: the rule reacts to its label being added: write still_labeled`,
		}},
		{name: "every without limit", old: "            if: [still_labeled, no_author_reply]\n", new: "            if: [still_labeled, no_author_reply]\n            every: 2d\n", want: []string{
			`29:20 teams[0].label_rules[0].timers[0].every: a repeating timer needs a limit: add e.g. ` + "`limit: 3`",
		}},
		{name: "limit without every", old: "            if: [still_labeled, no_author_reply]\n", new: "            if: [still_labeled, no_author_reply]\n            limit: 3\n", want: []string{
			`29:20 teams[0].label_rules[0].timers[0].limit: limit counts repeats: add ` + "`every:`",
		}},
		{name: "unknown label in when", old: "when: {label: needs-info}", new: "when: {label: needs-infp}", want: []string{
			`23:23 teams[0].label_rules[0].when.label: unknown label "needs-infp" (did you mean "needs-info"?): list it in teams[0].labels`,
		}},
		{name: "unknown label added", old: "add_labels: [triage]", new: "add_labels: [traige]", want: []string{
			`38:26 teams[0].label_rules[1].do[2].add_labels[0]: unknown label "traige" (did you mean "triage"?)`,
		}},
		{name: "support label is known", old: "add_labels: [triage]", new: "add_labels: [Support]", want: nil},
		{name: "unknown channel", old: "post: {channel: security,", new: "post: {channel: secure,", want: []string{
			`36:29 teams[0].label_rules[1].do[0].post.channel: unknown channel "secure": write team, support, digest or a name from teams[0].slack.channels (security)`,
		}},
		{name: "channel id not named", old: "post: {channel: security,", new: "post: {channel: C0OTHER01,", want: []string{
			`36:29 teams[0].label_rules[1].do[0].post.channel: unknown channel "C0OTHER01": write team, support, digest or a name from teams[0].slack.channels (security), and add other channels there first`,
		}},
		{name: "channel id named", old: "post: {channel: security,", new: "post: {channel: G0SECURE01,", want: nil},
		{name: "unknown placeholder", old: "by {{author}}\"}", new: "by {{auther}}\"}", want: []string{
			`36:45 teams[0].label_rules[1].do[0].post.text: unknown placeholder {{auther}} (did you mean "author"? one of: author, assignee, label, team, title, url, repo, number, rule)`,
		}},
		{name: "repo outside the clients", old: "when: {label: security, on: [issues]}", new: "when: {label: security, on: [issues], repos: [other/repo]}", want: []string{
			`34:55 teams[0].label_rules[1].when.repos[0]: repo "other/repo" does not belong to the team's clients (acme)`,
		}},
		{name: "unknown on", old: "on: [issues]", new: "on: [issue]", want: []string{
			`34:38 teams[0].label_rules[1].when.on[0]: unknown on value "issue" (did you mean "issues"? one of: issues, pull_requests)`,
		}},
		{name: "unknown author association", old: "on: [issues]", new: "on: [issues], authors: [first_timer, stranger]", want: []string{
			`34:70 teams[0].label_rules[1].when.authors[1]: unknown author association "stranger" (one of: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, FIRST_TIME_CONTRIBUTOR, FIRST_TIMER, MANNEQUIN, NONE)`,
		}},
		{name: "priority without support priorities", old: "on: [issues]", new: "on: [issues], priorities: [p9]", want: []string{
			`34:60 teams[0].label_rules[1].when.priorities[0]: unknown priority "p9" (did you mean "p0"? known: p0, p1, p2, p3)`,
		}},
		{name: "rule adds its own label", old: "add_labels: [triage]", new: "add_labels: [Security]", want: []string{
			`38:26 teams[0].label_rules[1].do[2].add_labels[0]: rule "security" adds "Security", the label it reacts to, so it would trigger itself in a loop: remove this action`,
		}},
		{name: "rules trigger each other", old: appendDoc, new: "      - id: triage\n        when: {label: triage, on: [issues]}\n        do: [{add_labels: [security]}]\n", want: []string{
			`33:13 teams[0].label_rules[1].id: rules trigger each other in a loop: "security" adds "triage" (line 38), which triggers "triage"; "triage" adds "security" (line 41), which triggers "security"; break the chain`,
		}},
		{name: "removal chain is not a loop with an addition", old: appendDoc, new: "      - id: triage\n        when: {label: triage, on: [pull_requests]}\n        do: [{add_labels: [security]}]\n", want: nil},
		{name: "rule does nothing", old: appendDoc, new: "      - id: idle\n        when: {label: blocked}\n", want: []string{
			`39:9 teams[0].label_rules[2]: rule "idle" does nothing: add ` + "`do:`",
		}},
		{name: "duplicate rule id", old: appendDoc, new: "      - id: security\n        when: {label: blocked}\n        do: [{dm: {role: em}}]\n", want: []string{
			`39:13 teams[0].label_rules[2].id: duplicate rule id "security" (first at line 33); rule ids must be unique in the team`,
		}},
		{name: "cancel_on for the other event", old: "cancel_on: [author_reply, label_removed, closed]", new: "cancel_on: [author_reply, label_added]", want: []string{
			`32:35 teams[0].label_rules[0].cancel_on[1]: the rule reacts to "needs-info" being added, so label_added cannot cancel it: write label_removed`,
		}},
		{name: "when is a label", old: "when: {label: needs-info}", new: "when: needs-info", want: []string{
			`23:15 teams[0].label_rules[0].when: must be a mapping, e.g. ` + "`when: {label: needs-info}`",
		}},
		{name: "board without status", old: "- add_labels: [triage]", new: "- board: {owner: acme, project: 7}", want: []string{
			`38:20 teams[0].label_rules[1].do[2].board: missing "status": the option of the board's Status field to set`,
		}},
		{name: "assign assignees", old: "assign: {rotation: support}", new: "assign: {assignees: true}", want: []string{
			`37:21 teams[0].label_rules[1].do[1].assign: name exactly one of person, role, rotation`,
			`37:22 teams[0].label_rules[1].do[1].assign.assignees: unknown key "assignees"; allowed keys: person, role, rotation`,
		}},
		{name: "named channel shadows a team channel", old: "channels: {security: G0SECURE01}", new: "channels: {security: G0SECURE01, support: C0SUP00001}", want: []string{
			`16:67 teams[0].slack.channels.support: "support" already names one of the team's own channels`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := editDoc(t, labelsDoc, tt.old, tt.new)
			if tt.want == nil {
				if _, err := Parse([]byte(doc)); err != nil {
					t.Fatalf("want no problems, got:\n%v", err)
				}
				return
			}
			assertProblems(t, doc, tt.want)
		})
	}
}
