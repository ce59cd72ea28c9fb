package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// baseDoc is a small valid config; each case in TestParseProblems edits it to break one rule.
// Line numbers in the cases refer to the edited document.
const baseDoc = `version: 1
people:
  - id: alice
    github: alice-gh
    slack: U01ALICE
    timezone: America/New_York
    country: US
  - id: bob
    github: bob-gh
    slack: U01BOB
    phabricator: bob
    timezone: Pacific/Auckland
    country: NZ
  - id: carol
    slack: U01CAROL
    timezone: Asia/Kolkata
    country: IN
clients:
  - id: acme
    github: {orgs: [acme], repos: [partner/shared-lib]}
    hr: {reviewer: carol, repo: acme/hr}
teams:
  - id: repo-management
    clients: [acme]
    timezone: Europe/London
    members: [alice, bob]
    roles: {em: carol, delivery_manager: carol, qa: [carol]}
    slack: {channel: C01TEAM}
    standup: {days: [tue, thu, fri], due: "06:00", nag: "09:30", digest: "10:30"}
    support:
      labels: [team/repo-management]
      default_priority: p3
      required_sections:
        - {title: Description, aliases: [Summary]}
      rotation: {members: [alice, bob], handover: {day: mon, time: "09:00"}, start: 2026-01-05}
`

// appendDoc as a case's old text means: append new at the end of baseDoc.
const appendDoc = "<append>"

func TestBaseDocIsValid(t *testing.T) {
	t.Parallel()
	if _, err := Parse([]byte(baseDoc)); err != nil {
		t.Fatal(err)
	}
}

// TestParseProblems holds every validation rule to its message and its position: each want is
// "LINE:COL path: message" (message may be a prefix of the real one), and the problems must be
// exactly the wanted ones, in order, so one mistake is never echoed as several.
func TestParseProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		old, new string
		want     []string
	}{
		{name: "version not supported", old: "version: 1", new: "version: 2", want: []string{
			"1:10 version: format version 2 is not supported: write version: 1",
		}},
		{name: "version missing", old: "version: 1\n", new: "", want: []string{
			"1:1 : missing \"version\" (add e.g. `version: 1`)",
		}},
		{name: "unknown top-level key", old: "teams:\n", new: "temas:\n", want: []string{
			"1:1 : missing \"teams\"",
			"22:1 temas: unknown key \"temas\" (did you mean \"teams\"?)",
		}},
		{name: "unknown person key", old: "    country: NZ\n", new: "    country: NZ\n    awya: [2026-12-25]\n", want: []string{
			"14:5 people[1].awya: unknown key \"awya\" (did you mean \"away\"?); allowed keys: id, name, github, slack, phabricator, timezone, country, away",
		}},
		{name: "key twice", old: "    github: alice-gh\n", new: "    github: alice-gh\n    github: alice2\n", want: []string{
			"5:5 people[0].github: key \"github\" appears twice (first at line 4); keep one",
		}},
		{name: "person id not a slug", old: "clients:\n", new: "  - id: Dave Smith\n    slack: U01DAVE\n    timezone: UTC\n    country: GB\nclients:\n", want: []string{
			"18:9 people[3].id: id \"Dave Smith\" must be a lowercase slug (letters, digits, - or _): write \"dave-smith\"",
		}},
		{name: "duplicate person id", old: "clients:\n", new: "  - id: alice\n    slack: U01ALICE2\n    timezone: UTC\n    country: GB\nclients:\n", want: []string{
			"18:9 people[3].id: duplicate person id \"alice\" (first at line 3)",
		}},
		{name: "person missing keys", old: "clients:\n", new: "  - name: Dave\nclients:\n", want: []string{
			"18:5 people[3]: missing \"id\" (add e.g. `id: alice`)",
			"18:5 people[3]: missing \"slack\"",
			"18:5 people[3]: missing \"timezone\"",
			"18:5 people[3]: missing \"country\"",
		}},
		{name: "person not a mapping", old: "clients:\n", new: "  - dave\nclients:\n", want: []string{
			"18:5 people[3]: must be a mapping of keys (id, name, github, slack, phabricator, timezone, country, away), not \"dave\"",
		}},
		{name: "github login used twice", old: "    slack: U01CAROL\n", new: "    slack: U01CAROL\n    github: ALICE-GH\n", want: []string{
			"16:13 people[2].github: github \"ALICE-GH\" is also alice's (line 4); each account belongs to one person",
		}},
		{name: "slack id used twice", old: "    slack: U01CAROL\n", new: "    slack: U01BOB\n", want: []string{
			"15:12 people[2].slack: slack \"U01BOB\" is also bob's (line 10)",
		}},
		{name: "phabricator name used twice", old: "    slack: U01CAROL\n", new: "    slack: U01CAROL\n    phabricator: BOB\n", want: []string{
			"16:18 people[2].phabricator: phabricator \"BOB\" is also bob's (line 11)",
		}},
		{name: "phabricator with spaces", old: "    phabricator: bob\n", new: "    phabricator: Bob Tane\n", want: []string{
			"11:18 people[1].phabricator: phabricator username \"Bob Tane\" must not contain spaces",
		}},
		{name: "slack handle instead of id", old: "slack: U01ALICE", new: "slack: \"@alice\"", want: []string{
			"5:12 people[0].slack: slack \"@alice\" is a name, not a Slack user id: write the member id (U… or W…",
		}},
		{name: "slack id lower case", old: "slack: U01ALICE", new: "slack: u01alice", want: []string{
			"5:12 people[0].slack: slack \"u01alice\" is not a Slack user id (U… or W… in capitals, e.g. U01ABCDEF)",
		}},
		{name: "slack channel id as user", old: "slack: U01ALICE", new: "slack: C01ALICE", want: []string{
			"5:12 people[0].slack: slack \"C01ALICE\" is not a Slack user id",
		}},
		{name: "time zone typo", old: "timezone: America/New_York", new: "timezone: America/NewYork", want: []string{
			"6:15 people[0].timezone: time zone \"America/NewYork\" is not an IANA zone (did you mean America/New_York?)",
		}},
		{name: "time zone unknown", old: "timezone: America/New_York", new: "timezone: Mars/Olympus", want: []string{
			"6:15 people[0].timezone: time zone \"Mars/Olympus\" is not an IANA zone (e.g. America/New_York, Europe/London, Asia/Kolkata)",
		}},
		{name: "time zone abbreviation", old: "timezone: America/New_York", new: "timezone: EST", want: []string{
			"6:15 people[0].timezone: time zone \"EST\" is an abbreviation, not a place",
		}},
		{name: "country UK", old: "country: NZ", new: "country: UK", want: []string{
			"13:14 people[1].country: country \"UK\" is not an ISO 3166-1 alpha-2 code: the United Kingdom is GB",
		}},
		{name: "country lower case", old: "country: NZ", new: "country: nz", want: []string{
			"13:14 people[1].country: country \"nz\" must be upper case: write NZ",
		}},
		{name: "country name", old: "country: IN", new: "country: India", want: []string{
			"17:14 people[2].country: country \"India\" must be an ISO 3166-1 alpha-2 code: write IN",
		}},
		{name: "country unknown", old: "country: IN", new: "country: XX", want: []string{
			"17:14 people[2].country: country \"XX\" is not an ISO 3166-1 alpha-2 code (e.g. US, GB, IN, NZ, DE)",
		}},
		{name: "github login with underscore", old: "github: alice-gh", new: "github: alice_gh", want: []string{
			"4:13 people[0].github: github login \"alice_gh\" is not a GitHub name",
		}},
		{name: "github login with at", old: "github: alice-gh", new: "github: \"@alice-gh\"", want: []string{
			"4:13 people[0].github: github login \"@alice-gh\": write the name without @: \"alice-gh\"",
		}},
		{name: "away range backwards", old: "    country: NZ\n", new: "    country: NZ\n    away: [{from: 2026-12-24, to: 2026-12-01}]\n", want: []string{
			"14:35 people[1].away[0].to: to 2026-12-01 is before from 2026-12-24",
		}},
		{name: "away bad date", old: "    country: NZ\n", new: "    country: NZ\n    away: [25/12/2026]\n", want: []string{
			"14:12 people[1].away[0]: date \"25/12/2026\" must be YYYY-MM-DD, e.g. 2026-01-05",
		}},
		{name: "away missing to", old: "    country: NZ\n", new: "    country: NZ\n    away: [{from: 2026-12-24}]\n", want: []string{
			"14:12 people[1].away[0]: missing \"to\" (add e.g. `to: 2027-01-01`)",
		}},
		{name: "member without github", old: "members: [alice, bob]\n", new: "members: [alice, bob, carol]\n", want: []string{
			"26:27 teams[0].members[2]: member \"carol\" has no github login: add `github: <login>` to people[2] (line 14)",
		}},
		{name: "client without repos", old: "github: {orgs: [acme], repos: [partner/shared-lib]}", new: "github: {orgs: []}", want: []string{
			"20:13 clients[0].github: list the client's GitHub orgs or repos (e.g. orgs: [acme])",
		}},
		{name: "client org invalid", old: "orgs: [acme]", new: "orgs: [-acme]", want: []string{
			"20:21 clients[0].github.orgs[0]: org \"-acme\" is not a GitHub name",
		}},
		{name: "client repo is a URL", old: "repos: [partner/shared-lib]", new: "repos: [https://github.com/partner/shared-lib]", want: []string{
			"20:36 clients[0].github.repos[0]: repo \"https://github.com/partner/shared-lib\" must be owner/name: write \"partner/shared-lib\"",
		}},
		{name: "hr reviewer unknown", old: "reviewer: carol", new: "reviewer: carl", want: []string{
			"21:20 clients[0].hr.reviewer: unknown person \"carl\" (did you mean \"carol\"? known: alice, bob, carol)",
		}},
		{name: "hr repo not owner/name", old: "repo: acme/hr", new: "repo: hr", want: []string{
			"21:33 clients[0].hr.repo: repo \"hr\" must be owner/name, e.g. acme/api",
		}},
		{name: "hr overdue days zero", old: "repo: acme/hr}", new: "repo: acme/hr, overdue_after_business_days: 0}", want: []string{
			"21:71 clients[0].hr.overdue_after_business_days: must be at least 1 (business days)",
		}},
		{name: "hr overdue days not a number", old: "repo: acme/hr}", new: "repo: acme/hr, overdue_after_business_days: 2d}", want: []string{
			"21:71 clients[0].hr.overdue_after_business_days: must be a whole number, not \"2d\"",
		}},
		{name: "hr missing", old: "    hr: {reviewer: carol, repo: acme/hr}\n", new: "", want: []string{
			"19:5 clients[0]: missing \"hr\" (add e.g. `hr: {reviewer: carol, repo: acme/hr}`)",
		}},
		{name: "duplicate client id", old: "teams:\n", new: "  - id: acme\n    github: {orgs: [acme2]}\n    hr: {reviewer: carol, repo: acme2/hr}\nteams:\n", want: []string{
			"22:9 clients[1].id: duplicate client id \"acme\" (first at line 19)",
		}},
		{name: "team client unknown", old: "clients: [acme]", new: "clients: [acme-corp]", want: []string{
			"24:15 teams[0].clients[0]: unknown client \"acme-corp\" (did you mean \"acme\"? known: acme)",
		}},
		{name: "team clients empty", old: "clients: [acme]", new: "clients: []", want: []string{
			"24:14 teams[0].clients: list at least one client id, e.g. [acme]",
		}},
		{name: "team time zone invalid", old: "timezone: Europe/London", new: "timezone: Europe/Londn", want: []string{
			"25:15 teams[0].timezone: time zone \"Europe/Londn\" is not an IANA zone (did you mean Europe/London?)",
		}},
		{name: "member unknown", old: "members: [alice, bob]\n", new: "members: [alice, bob, dave]\n", want: []string{
			"26:27 teams[0].members[2]: unknown person \"dave\" (known: alice, bob, carol)",
		}},
		{name: "member twice", old: "members: [alice, bob]\n", new: "members: [alice, bob, alice]\n", want: []string{
			"26:27 teams[0].members[2]: \"alice\" is listed twice (first at line 26)",
		}},
		{name: "members not a list", old: "members: [alice, bob]\n", new: "members: alice\n", want: []string{
			"26:14 teams[0].members: must be a list, e.g. [alice, bob]",
			"26:14 teams[0].members: list at least one member",
			"35:28 teams[0].support.rotation.members[0]: \"alice\" is not a member",
			"35:35 teams[0].support.rotation.members[1]: \"bob\" is not a member",
		}},
		{name: "em unknown", old: "em: carol", new: "em: dave", want: []string{
			"27:17 teams[0].roles.em: unknown person \"dave\"",
		}},
		{name: "qa unknown", old: "qa: [carol]", new: "qa: [gina]", want: []string{
			"27:54 teams[0].roles.qa[0]: unknown person \"gina\"",
		}},
		{name: "role key typo", old: "delivery_manager: carol", new: "deliveryManager: carol", want: []string{
			"27:12 teams[0].roles: team \"repo-management\" runs standups, so roles.delivery_manager is required: blockers go to them",
			"27:24 teams[0].roles.deliveryManager: unknown role \"deliveryManager\" (did you mean \"delivery_manager\"?)",
		}},
		{name: "em missing with support", old: "roles: {em: carol, delivery_manager: carol, qa: [carol]}", new: "roles: {delivery_manager: carol}", want: []string{
			"27:12 teams[0].roles: team \"repo-management\" takes support requests, so roles.em is required: urgent requests escalate to the EM",
		}},
		{name: "slack channel name", old: "channel: C01TEAM", new: "channel: \"#team\"", want: []string{
			"28:22 teams[0].slack.channel: channel \"#team\" is a name, not a channel id: write its id (C… or G…",
		}},
		{name: "slack channel missing", old: "slack: {channel: C01TEAM}", new: "slack: {digest_channel: C01DIGEST}", want: []string{
			"28:12 teams[0].slack: missing \"channel\" (add e.g. `channel: C01ABCDEF`)",
		}},
		{name: "slack channel user id", old: "channel: C01TEAM", new: "channel: U01TEAM", want: []string{
			"28:22 teams[0].slack.channel: channel \"U01TEAM\" is not a Slack channel id",
		}},
		{name: "team slack missing", old: "    slack: {channel: C01TEAM}\n", new: "", want: []string{
			"23:5 teams[0]: missing \"slack\"",
		}},
		{name: "duplicate team id", old: appendDoc, new: "  - id: repo-management\n    clients: [acme]\n    timezone: UTC\n    members: [alice]\n    slack: {channel: C01OTHER}\n", want: []string{
			"36:9 teams[1].id: duplicate team id \"repo-management\" (first at line 23)",
		}},
		{name: "standup day typo", old: "days: [tue, thu, fri]", new: "days: [tue, thurs, fri]", want: []string{
			"29:27 teams[0].standup.days[1]: day \"thurs\" must be a weekday name: mon, tue, wed, thu, fri, sat or sun, or the word weekdays",
		}},
		{name: "standup days empty", old: "days: [tue, thu, fri]", new: "days: []", want: []string{
			"29:21 teams[0].standup.days: list at least one day, e.g. [tue, thu, fri], or write weekdays",
		}},
		{name: "standup days single day", old: "days: [tue, thu, fri]", new: "days: tue", want: []string{
			"29:21 teams[0].standup.days: write a list of days, e.g. [tue], or the word weekdays",
		}},
		{name: "standup day twice", old: "days: [tue, thu, fri]", new: "days: [tue, thu, tue]", want: []string{
			"29:32 teams[0].standup.days[2]: tue is listed twice",
		}},
		{name: "standup due not HH:MM", old: "due: \"06:00\"", new: "due: 6am", want: []string{
			"29:43 teams[0].standup.due: time \"6am\" must be HH:MM (24-hour): write \"06:00\"",
		}},
		{name: "standup nag one-digit hour", old: "nag: \"09:30\"", new: "nag: \"9:30\"", want: []string{
			"29:57 teams[0].standup.nag: time \"9:30\" must be HH:MM (24-hour): write \"09:30\"",
		}},
		{name: "standup nag before due", old: "nag: \"09:30\"", new: "nag: \"05:30\"", want: []string{
			"29:57 teams[0].standup.nag: nag 05:30 must be later than due 06:00",
		}},
		{name: "standup digest out of range", old: "digest: \"10:30\"", new: "digest: \"24:00\"", want: []string{
			"29:74 teams[0].standup.digest: time \"24:00\" must be HH:MM (24-hour)",
		}},
		{name: "standup without delivery manager", old: "roles: {em: carol, delivery_manager: carol, qa: [carol]}", new: "roles: {em: carol}", want: []string{
			"27:12 teams[0].roles: team \"repo-management\" runs standups, so roles.delivery_manager is required",
		}},
		{name: "support labels empty", old: "labels: [team/repo-management]", new: "labels: []", want: []string{
			"31:15 teams[0].support.labels: list at least one label, e.g. [team/repo-management]",
		}},
		{name: "support label twice", old: "labels: [team/repo-management]", new: "labels: [team/repo-management, Team/Repo-Management]", want: []string{
			"31:38 teams[0].support.labels[1]: \"Team/Repo-Management\" is listed twice (first at line 31)",
		}},
		{name: "support label empty string", old: "labels: [team/repo-management]", new: "labels: [\"\"]", want: []string{
			"31:15 teams[0].support.labels: list at least one label",
			"31:16 teams[0].support.labels[0]: must not be empty",
		}},
		{name: "support repo not owner/name", old: "      default_priority: p3\n", new: "      repos: [shared-lib]\n      default_priority: p3\n", want: []string{
			"32:15 teams[0].support.repos[0]: repo \"shared-lib\" must be owner/name",
		}},
		{name: "support repo outside the clients", old: "      default_priority: p3\n", new: "      repos: [other/repo]\n      default_priority: p3\n", want: []string{
			"32:15 teams[0].support.repos[0]: repo \"other/repo\" does not belong to the team's clients (acme): add it to a client's github.repos, or remove it",
		}},
		{name: "default priority unknown", old: "default_priority: p3", new: "default_priority: p5", want: []string{
			"32:25 teams[0].support.default_priority: unknown priority \"p5\" (did you mean \"p0\"? known: p0, p1, p2, p3)",
		}},
		{name: "priority listed twice", old: "      default_priority: p3\n", new: "      priorities:\n        - {name: p1, ack_within: 1h, urgent: true}\n        - {name: p1, labels: [P1], ack_within: 2h}\n      default_priority: p3\n", want: []string{
			"34:18 teams[0].support.priorities[1].name: priority \"p1\" is listed twice (first at line 33)",
			"34:31 teams[0].support.priorities[1].labels[0]: label \"P1\" already means another priority (line 33); a label can mean one priority only",
			"35:25 teams[0].support.default_priority: unknown priority \"p3\" (did you mean \"p1\"? known: p1)",
		}},
		{name: "priority ack missing and bad urgent", old: "      default_priority: p3\n", new: "      priorities:\n        - {name: p1, urgent: yes}\n      default_priority: p1\n", want: []string{
			"33:11 teams[0].support.priorities[0]: missing \"ack_within\" (add e.g. `ack_within: 1h`)",
			"33:30 teams[0].support.priorities[0].urgent: must be true or false, not \"yes\"",
		}},
		{name: "priority ack without unit", old: "      default_priority: p3\n", new: "      priorities: [{name: p1, ack_within: 15}]\n      default_priority: p1\n", want: []string{
			"32:43 teams[0].support.priorities[0].ack_within: duration \"15\" needs a unit: e.g. 15m, 15h or 15d (business days)",
		}},
		{name: "priorities empty", old: "      default_priority: p3\n", new: "      priorities: []\n", want: []string{
			"32:19 teams[0].support.priorities: list at least one priority, or remove the key for the default p0..p3",
		}},
		{name: "nag_every not a duration", old: "      default_priority: p3\n", new: "      default_priority: p3\n      nag_every: soon\n", want: []string{
			"33:18 teams[0].support.nag_every: duration \"soon\" must look like 15m, 2h, 1h30m or 3d (business days)",
		}},
		{name: "escalate_after zero", old: "      default_priority: p3\n", new: "      default_priority: p3\n      escalate_after: 0h\n", want: []string{
			"33:23 teams[0].support.escalate_after: duration \"0h\" must be positive",
		}},
		{name: "section heading reused", old: "{title: Description, aliases: [Summary]}", new: "{title: Description, aliases: [Summary]}\n        - {title: summary}", want: []string{
			"35:19 teams[0].support.required_sections[1].title: heading \"summary\" is already used by another section (line 34)",
		}},
		{name: "section without title", old: "{title: Description, aliases: [Summary]}", new: "{aliases: [Summary]}", want: []string{
			"34:11 teams[0].support.required_sections[0]: missing \"title\" (add e.g. `title: Description`)",
		}},
		{name: "rotation member unknown", old: "rotation: {members: [alice, bob]", new: "rotation: {members: [alice, bobb]", want: []string{
			"35:35 teams[0].support.rotation.members[1]: unknown person \"bobb\" (did you mean \"bob\"? known: alice, bob, carol)",
		}},
		{name: "rotation member not in team", old: "rotation: {members: [alice, bob]", new: "rotation: {members: [alice, bob, carol]", want: []string{
			"35:40 teams[0].support.rotation.members[2]: \"carol\" is not a member of team \"repo-management\": add them to teams[0].members or take them off the rotation",
		}},
		{name: "rotation members empty", old: "rotation: {members: [alice, bob]", new: "rotation: {members: []", want: []string{
			"35:27 teams[0].support.rotation.members: list at least one member, in rotation order",
		}},
		{name: "rotation start not a handover day", old: "start: 2026-01-05", new: "start: 2026-01-07", want: []string{
			"35:85 teams[0].support.rotation.start: start 2026-01-07 is a Wednesday but handover.day is mon: write 2026-01-05 or 2026-01-12",
		}},
		{name: "rotation handover day typo", old: "day: mon", new: "day: mondy", want: []string{
			"35:57 teams[0].support.rotation.handover.day: day \"mondy\" must be a weekday name",
		}},
		{name: "rotation handover time missing", old: "handover: {day: mon, time: \"09:00\"}", new: "handover: {day: mon}", want: []string{
			"35:51 teams[0].support.rotation.handover: missing \"time\"",
		}},
		{name: "rotation missing", old: "      rotation: {members: [alice, bob], handover: {day: mon, time: \"09:00\"}, start: 2026-01-05}\n", new: "", want: []string{
			"31:7 teams[0].support: missing \"rotation\"",
		}},
		{name: "board project quoted", old: "      default_priority: p3\n", new: "      default_priority: p3\n      board: {owner: acme, project: \"7\"}\n", want: []string{
			"33:37 teams[0].support.board.project: must be a whole number, not \"7\"",
		}},
		{name: "board project zero and owner missing", old: "      default_priority: p3\n", new: "      default_priority: p3\n      board: {project: 0}\n", want: []string{
			"33:14 teams[0].support.board: missing \"owner\"",
			"33:24 teams[0].support.board.project: project must be the project's number from its URL (…/projects/7), at least 1",
		}},
		{name: "board unknown key", old: "      default_priority: p3\n", new: "      default_priority: p3\n      board: {owner: acme, project: 7, column: Support}\n", want: []string{
			"33:40 teams[0].support.board.column: unknown key \"column\"; allowed keys: owner, project, status_field, status",
		}},
		{name: "support label shared by two teams", old: appendDoc, new: "  - id: other\n    clients: [acme]\n    timezone: UTC\n    members: [alice]\n    roles: {em: carol}\n    slack: {channel: C01OTHER}\n    support:\n      labels: [TEAM/repo-management]\n      rotation: {members: [alice], handover: {day: mon, time: \"09:00\"}, start: 2026-01-05}\n", want: []string{
			"43:16 teams[1].support.labels[0]: label \"TEAM/repo-management\" is also team \"repo-management\"'s support label (line 31) in the same repositories; give each team its own label",
		}},
		{name: "custom roles name known people", old: "roles: {em: carol, delivery_manager: carol, qa: [carol]}", new: "roles: {em: carol, delivery_manager: carol, qa: [carol], tech_lead: alice, ux: [carol, nobody], members: [alice], Design: carol}", want: []string{
			"27:92 teams[0].roles.ux[1]: unknown person \"nobody\" (known: alice, bob, carol)",
			"27:101 teams[0].roles.members: members is every member of the team; list them under the team's members, not roles",
			"27:119 teams[0].roles.Design: role name \"Design\" must be a lowercase slug (letters, digits, - or _): write \"design\"",
		}},
		{name: "type errors", old: "timezone: Europe/London", new: "timezone: {zone: Europe/London}", want: []string{
			"25:15 teams[0].timezone: must be a single value, not a mapping",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertProblems(t, editDoc(t, baseDoc, tt.old, tt.new), tt.want)
		})
	}
}

// editDoc replaces old, which must occur once, with new in base; old appendDoc appends new.
func editDoc(t *testing.T, base, old, new string) string {
	t.Helper()
	if old == appendDoc {
		return base + new
	}
	if n := strings.Count(base, old); n != 1 {
		t.Fatalf("old text %q occurs %d times in the document, want once", old, n)
	}
	return strings.Replace(base, old, new, 1)
}

func TestParseDocumentProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{name: "empty file", doc: "", want: []string{"0:0 : the file is empty; start from infra/config/example.yaml"}},
		{name: "only comments", doc: "# nothing yet\n", want: []string{"0:0 : the file is empty"}},
		{name: "syntax error keeps its line", doc: "version: 1\npeople: [a\nclients: []\n", want: []string{"2:0 : YAML syntax: did not find expected ',' or ']'"}},
		{name: "tab indentation", doc: "version: 1\npeople:\n\t- id: a\n", want: []string{"3:0 : YAML syntax: found character that cannot start any token"}},
		{name: "not a mapping", doc: "- id: alice\n", want: []string{"1:1 : must be a mapping of keys (version, people, clients, teams, phabricator), not a list"}},
		{name: "two documents", doc: baseDoc + "---\nversion: 1\n", want: []string{"36:1 : only one YAML document is allowed"}},
		{name: "no people, clients or teams", doc: "version: 1\npeople: []\nclients: []\nteams: []\n", want: []string{
			"2:9 people: list at least one person",
			"3:10 clients: list at least one client",
			"4:8 teams: list at least one team",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertProblems(t, tt.doc, tt.want)
		})
	}
}

func assertProblems(t *testing.T, doc string, want []string) {
	t.Helper()
	cfg, err := Parse([]byte(doc))
	if err == nil {
		t.Fatalf("Parse succeeded (%d teams), want problems:\n%s", len(cfg.Teams), strings.Join(want, "\n"))
	}
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("error %T %v is not a *ValidationError", err, err)
	}
	var got []string
	for _, p := range verr.Problems {
		got = append(got, fmt.Sprintf("%d:%d %s: %s", p.Line, p.Column, p.Path, p.Message))
	}
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = strings.HasPrefix(got[i], want[i])
	}
	if !ok {
		t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestValidationErrorRendering(t *testing.T) {
	t.Parallel()
	doc := strings.Replace(baseDoc, "members: [alice, bob]\n", "members: [alice, bob, dave]\n", 1)
	_, err := ParseFile("teams/rituals.yaml", []byte(doc))
	want := `teams/rituals.yaml:26:27: teams[0].members[2]: unknown person "dave" (known: alice, bob, carol)`
	if err == nil || err.Error() != want {
		t.Fatalf("Error() = %v\nwant      %s", err, want)
	}
	_, err = Parse([]byte(doc))
	if err == nil || !strings.HasPrefix(err.Error(), "rituals.yaml:26:27: ") {
		t.Fatalf("Parse should name rituals.yaml: %v", err)
	}
	_, err = Parse([]byte(strings.Replace(doc, "version: 1", "version: 2", 1)))
	if lines := strings.Split(err.Error(), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[0], "rituals.yaml:1:10: version: ") {
		t.Fatalf("want one line per problem, in file order; got:\n%v", err)
	}
	syntax := Problem{File: "f.yaml", Line: 3, Message: "YAML syntax: x"}
	if got := syntax.String(); got != "f.yaml:3: YAML syntax: x" {
		t.Errorf("line-only problem renders %q", got)
	}
}

// Anchors and merge keys are how a team lead shares a block (priorities, a rotation's
// handover) between teams; explicit keys win over merged ones.
func TestParseAnchorsAndMergeKeys(t *testing.T) {
	t.Parallel()
	doc := strings.Replace(baseDoc, "      default_priority: p3\n", `      default_priority: p2
      priorities: &prios
        - {name: p1, ack_within: 1h, urgent: true}
        - {name: p2, ack_within: 2d}
`, 1)
	doc += `  - id: other
    clients: [acme]
    timezone: UTC
    members: [alice]
    roles: {em: carol}
    slack: {channel: C01OTHER}
    support:
      labels: [team/other]
      priorities: *prios
      rotation:
        <<: {members: [bob], handover: {day: tue, time: "10:00"}, start: 2026-01-05}
        members: [alice]
        start: 2026-01-06
`
	cfg, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Team("other").Support
	if len(s.Priorities) != 2 || s.Priorities[1].AckWithin != (Span{BusinessDays: 2}) || s.DefaultPriority != "p2" {
		t.Errorf("aliased priorities = %+v, default %q", s.Priorities, s.DefaultPriority)
	}
	if r := s.Rotation; len(r.Members) != 1 || r.Members[0] != "alice" || r.Handover.Time != (Clock{10, 0}) || r.Start != (Date{2026, 1, 6}) {
		t.Errorf("merged rotation = %+v", r)
	}
}

func TestParseAliasBomb(t *testing.T) {
	t.Parallel()
	// Each level merges ten copies of the one below: 10^8 mappings if walked naively.
	var b strings.Builder
	b.WriteString("version: 1\nx0: &m0 {note: x}\n")
	for i := 1; i <= 8; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*m%d, ", i-1), 10), ", ")
		fmt.Fprintf(&b, "x%d: &m%d {<<: [%s]}\n", i, i, refs)
	}
	b.WriteString("people:\n  - {<<: *m8, id: x, slack: U01X, timezone: UTC, country: GB}\n")
	_, err := Parse([]byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "too many aliases (more than 1000)") {
		t.Fatalf("want a too-many-aliases problem, got %v", err)
	}
}
