#!/usr/bin/env bash
# Plays team comet's sprint "Comet Sprint 7" (the GitHub milestone acme/web#7, Wednesday 28
# October to Tuesday 10 November 2026, in India's time zone) through a running local stack, as
# GitHub and the schedule would, then saves the report's burnup chart from the Slack stand-in.
#
#   RITUALS_CONFIG=shared/sprints/testdata/rituals.yaml make run         # terminal 1
#   shared/sprints/testdata/walkthrough.sh [URL] [chart.png]              # terminal 2
#
# URL defaults to http://127.0.0.1:$PORT (3000); the chart to /tmp/comet-sprint-7.png. Every
# delivery is a real payload from events/github, edited with jq (the repository, the issue,
# its labels, assignee, milestone, state and update time); every tick is the SprintsFunction's
# schedule fired at that moment. Run it on a fresh stack: it replays one sprint once.
set -euo pipefail
url=${1:-http://127.0.0.1:${PORT:-3000}}
out=${2:-/tmp/comet-sprint-7.png}
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
command -v jq >/dev/null || { echo "walkthrough: needs jq" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/rituals" ./infra/cmd/rituals

settle() { sleep "${SETTLE:-1.5}"; } # the stream delivers to the SprintsFunction a moment later
send() { "$tmp/rituals" send github "$1" "$2" -url "$url" >/dev/null; settle; }
tick() { curl -fsS -X POST "$url/_local/schedules/SprintsFunction?time=$1" >/dev/null; echo "tick $1"; }

milestone='{"url":"https://api.github.com/repos/acme/web/milestones/7","html_url":"https://github.com/acme/web/milestone/7","id":7000007,"node_id":"MI_7","number":7,"title":"Comet Sprint 7","description":"","state":"open","open_issues":0,"closed_issues":0,"created_at":"2026-10-20T10:00:00Z","updated_at":"2026-10-20T10:00:00Z","due_on":"2026-11-10T07:00:00Z","closed_at":null,"creator":{"login":"priya-r","id":101,"node_id":"U_101","type":"User"}}'

# issue <fixture> <action> <number> <title> <labels as JSON> <assignee> <in the milestone: true|false> <state> <reason> <time>
issue() {
	jq --arg action "$2" --argjson n "$3" --arg title "$4" --argjson labels "$5" --arg who "$6" --argjson in "$7" \
		--arg state "$8" --arg reason "$9" --arg at "${10}" --argjson ms "$milestone" '
		.action = $action | .repository.full_name = "acme/web" | .repository.name = "web" | .milestone = $ms |
		.issue.number = $n | .issue.title = $title | .issue.html_url = "https://github.com/acme/web/issues/\($n)" |
		.issue.labels = [$labels[] | {name: ., color: "ededed", default: false, id: 1, node_id: "L", url: "https://api.github.com/x"}] |
		.issue.assignee = {login: $who, id: 1, node_id: "U", type: "User"} | .issue.assignees = [.issue.assignee] |
		.issue.milestone = (if $in then $ms else null end) | .issue.state = $state |
		.issue.state_reason = (if $state == "closed" then $reason else null end) |
		.issue.closed_at = (if $state == "closed" then $at else null end) | .issue.updated_at = $at |
		del(.issue.pull_request)' "events/github/$1" >"$tmp/issue.json"
	send issues "$tmp/issue.json"
	echo "$2 acme/web#$3 at ${10}"
}
at() { date -u -d "$1" +%FT%TZ; } # an India time as UTC

# Team rocket's Phabricator milestones, so that its own sprint in the config is found too.
curl -fsS -X POST "$url/_local/conduit/seed" -d @shared/sprints/testdata/conduit-seed.json >/dev/null
jq --argjson ms "$milestone" '.milestone = $ms | .repository.full_name = "acme/web"' events/github/milestone.created.json >"$tmp/ms.json"
send milestone "$tmp/ms.json"
echo "milestone acme/web#7 Comet Sprint 7, due 2026-11-10"

# Planned at the sprint planning the day before: 6 issues, 31 points.
at=$(at "2026-10-27 10:00 +0530")
issue issues.milestoned.json milestoned 11 "Export invoices as CSV" '["points: 3"]' priya-r true open "" "$at"
issue issues.milestoned.json milestoned 12 "Retry failed webhooks" '["points: 5"]' priya-r true open "" "$at"
issue issues.milestoned.json milestoned 13 "Fix the login flow" '["points: 2","bug"]' sam-iyer true open "" "$at"
issue issues.milestoned.json milestoned 14 "Dark mode" '["points: 8"]' sam-iyer true open "" "$at"
issue issues.milestoned.json milestoned 15 "Audit log" '["enhancement"]' sam-iyer true open "" "$at"
issue issues.milestoned.json milestoned 16 "Rewrite the billing engine" '["points: 13"]' priya-r true open "" "$at"
tick "$(at "2026-10-27 11:00 +0530")" # the due date's sprint is set up
tick "$(at "2026-10-28 09:30 +0530")" # it starts: planned scope captured, estimates listed to sam and priya

issue issues.reopened.json closed 11 "Export invoices as CSV" '["points: 3"]' priya-r true closed completed "$(at "2026-10-28 14:00 +0530")"
tick "$(at "2026-10-29 00:05 +0530")"
tick "$(at "2026-10-30 00:05 +0530")"
# Day 3: walk-on work, announced in the channel.
issue issues.milestoned.json milestoned 17 "Hotfix: EU VAT rounding" '["points: 3"]' sam-iyer true open "" "$(at "2026-10-30 11:00 +0530")"
issue issues.milestoned.json milestoned 18 "Customer demo data" '[]' priya-r true open "" "$(at "2026-10-30 11:30 +0530")"
tick "$(at "2026-10-31 00:05 +0530")"
issue issues.reopened.json closed 13 "Fix the login flow" '["points: 2","bug"]' sam-iyer true closed completed "$(at "2026-10-31 12:00 +0530")"
for d in 2026-11-01 2026-11-02 2026-11-03; do tick "$(at "$d 00:05 +0530")"; done
# Day 5: taken out of the sprint.
issue issues.demilestoned.json demilestoned 14 "Dark mode" '["points: 8"]' sam-iyer false open "" "$(at "2026-11-03 10:00 +0530")"
for d in 2026-11-04 2026-11-05; do tick "$(at "$d 00:05 +0530")"; done
# Day 7: estimates change.
issue issues.labeled.json labeled 12 "Retry failed webhooks" '["points: 8"]' priya-r true open "" "$(at "2026-11-05 09:00 +0530")"
issue issues.labeled.json labeled 15 "Audit log" '["enhancement","points: 3"]' sam-iyer true open "" "$(at "2026-11-05 09:05 +0530")"
issue issues.labeled.json labeled 18 "Customer demo data" '["points: 5"]' priya-r true open "" "$(at "2026-11-05 09:10 +0530")"
for d in 2026-11-06 2026-11-07 2026-11-08 2026-11-09; do tick "$(at "$d 00:05 +0530")"; done
# Day 9: done.
issue issues.reopened.json closed 12 "Retry failed webhooks" '["points: 8"]' priya-r true closed completed "$(at "2026-11-09 11:00 +0530")"
issue issues.reopened.json closed 17 "Hotfix: EU VAT rounding" '["points: 3"]' sam-iyer true closed completed "$(at "2026-11-09 12:00 +0530")"
issue issues.reopened.json closed 16 "Rewrite the billing engine" '["points: 13"]' priya-r true closed completed "$(at "2026-11-09 15:00 +0530")"
tick "$(at "2026-11-10 00:05 +0530")"
# Day 10: the report, its chart and the next planning document's draft.
tick "$(at "2026-11-10 16:00 +0530")"
sleep 1

file=$(curl -fsS "$url/_local/outbox" | jq -r '[.calls[] | select(.api == "upload_url") | .request.file_id] | last')
curl -fsS "$url/_standins/slack/files/$file" -o "$out"
echo "its chart ($file) saved to $out; the report in C0COMET001:"
curl -fsS "$url/_local/outbox" | jq -r '[.calls[] | select(.api == "chat.postMessage" and .request.channel == "C0COMET001" and .request.thread_ts == null)] | last | .request.text'
