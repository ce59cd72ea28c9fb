#!/usr/bin/env bash
# Regenerates events/github/*.json from the pinned npm package @octokit/webhooks-examples
# (infra/package.json), so every fixture's provenance is one command away:
#
#   (cd infra && npm ci) && infra/scripts/import-github-events.sh
#
# Each file is one example from api.github.com/index.json, chosen by event name and action (the
# first example with that action, or the first push to a branch), written pretty-printed with
# its content unchanged. No payload is edited or invented: where the package has no example for
# an action (issues.closed, a merged pull_request.closed), there is no file; see events/README.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
pkg="$root/infra/node_modules/@octokit/webhooks-examples"
out="$root/events/github"

if [[ ! -f "$pkg/api.github.com/index.json" ]]; then
	echo "missing $pkg; run: (cd infra && npm ci)" >&2
	exit 1
fi
mkdir -p "$out"

node - "$pkg" "$out" <<'JS'
const fs = require("fs");
const path = require("path");
const [pkg, out] = process.argv.slice(2);
const version = JSON.parse(fs.readFileSync(path.join(pkg, "package.json"), "utf8")).version;
if (version !== "7.6.1") {
  console.error(`@octokit/webhooks-examples is ${version}; events/README.md documents 7.6.1`);
  process.exit(1);
}
const index = JSON.parse(fs.readFileSync(path.join(pkg, "api.github.com", "index.json"), "utf8"));

// file name -> how to pick its example.
const wanted = [
  ["issues.opened.json", "issues", (x) => x.action === "opened"],
  ["issues.edited.json", "issues", (x) => x.action === "edited"],
  ["issues.labeled.json", "issues", (x) => x.action === "labeled"],
  ["issues.assigned.json", "issues", (x) => x.action === "assigned"],
  ["issues.unassigned.json", "issues", (x) => x.action === "unassigned"],
  ["issues.reopened.json", "issues", (x) => x.action === "reopened"],
  ["issues.transferred.json", "issues", (x) => x.action === "transferred"],
  ["issues.deleted.json", "issues", (x) => x.action === "deleted"],
  ["issues.unlabeled.json", "issues", (x) => x.action === "unlabeled"],
  ["issues.milestoned.json", "issues", (x) => x.action === "milestoned"],
  ["issues.demilestoned.json", "issues", (x) => x.action === "demilestoned"],
  ["milestone.created.json", "milestone", (x) => x.action === "created"],
  ["issue_comment.created.json", "issue_comment", (x) => x.action === "created"],
  ["pull_request.opened.json", "pull_request", (x) => x.action === "opened"],
  ["pull_request.closed.json", "pull_request", (x) => x.action === "closed"],
  ["pull_request.reopened.json", "pull_request", (x) => x.action === "reopened"],
  ["pull_request.synchronize.json", "pull_request", (x) => x.action === "synchronize"],
  ["pull_request.labeled.json", "pull_request", (x) => x.action === "labeled"],
  ["pull_request.unlabeled.json", "pull_request", (x) => x.action === "unlabeled"],
  ["pull_request_review.submitted.json", "pull_request_review", (x) => x.action === "submitted"],
  ["push.json", "push", (x) => typeof x.ref === "string" && x.ref.startsWith("refs/heads/")],
  ["ping.json", "ping", () => true],
];

for (const [file, event, pick] of wanted) {
  const entry = index.find((e) => e.name === event);
  if (!entry) throw new Error(`no ${event} examples`);
  const i = entry.examples.findIndex(pick);
  if (i < 0) throw new Error(`no example for ${file}`);
  fs.writeFileSync(path.join(out, file), JSON.stringify(entry.examples[i], null, 2) + "\n");
  console.log(`${file} <- ${event} example #${i}`);
}
JS
