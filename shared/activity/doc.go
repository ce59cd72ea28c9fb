// Package activity mirrors each person's GitHub footprint and open issue assignments from
// webhook deliveries into the state table, and answers the two questions interactive paths ask
// of it ("what did L do in repos R between t1 and t2", "what open issues are assigned to L in
// repos R") with one DynamoDB Query each.
//
// # Key layout (state table)
//
//	footprint   pk ACT#<login>                     sk <time>#<repo>#<kind>#<id>
//	assignment  pk ASG#<login>                     sk <repo>#<number, 10 digits>
//	open PRs    pk BR#<head repo>#<branch>         sk PR#<base repo>#<number, 10 digits>
//	commits     pk BR#<repo>#<branch>              sk C#<time>#<sha>
//
// Logins and repos are lowercased in keys (GitHub treats them case-insensitively; items keep
// GitHub's spelling in attributes); branch names are case-sensitive and kept. <time> is UTC
// with second precision in a fixed-width form ("2006-01-02T15:04:05Z"), so keys sort by time.
//
// # Idempotency and ordering
//
// Every item has a deterministic key derived from the payload alone (never from the time it
// is processed), and footprint and commit items are plain puts: a redelivered or retried record
// rewrites the same items. Assignment and open-PR items are state, so they carry a version (the
// issue's or PR's updated_at, then the delivery's receipt time as a tie-break) and are written
// with a conditional put that applies only when the stored version is older: deliveries that
// arrive out of order cannot roll the state back. A state that ends (unassigned, closed) is kept
// as a tombstone with the version that ended it, and expires after the retention; readers
// filter tombstones out.
//
// Times come from payloads (created_at, closed_at, merged_at, submitted_at, commit timestamps,
// updated_at) and from the delivery's receipt time; nothing here reads the clock.
//
// # Commits and pull requests
//
// A push records each commit under its branch (BR#...), and each distinct commit as its
// author's footprint, marked with the open PR whose head is that branch (the open-PR index,
// kept from every pull_request and pull_request_review payload). A PR's opened, merged and
// closed items carry the latest MaxPRCommits commits recorded on its head branch at that moment,
// so a PR merged after more pushes carries them too. When a branch is created again, commits
// recorded under its name by earlier pushes are dropped.
//
// # Limits
//
//   - Deliveries are mirrored, not polled: a missed delivery leaves the mirror stale until a
//     later payload about the same issue or PR refreshes it (the periodic reconcile of DESIGN.md
//     is not part of this package).
//   - A push and a PR opened at the same moment may be processed in either order; the commit
//     is then not marked with the PR, but the PR's items still list it.
//   - A force-push adds the rewritten commits; the replaced ones stay on the branch's list until
//     they expire, and may appear on the PR's items.
//   - Pushes to a fork are only seen when the fork sends webhooks here, so PRs from forks
//     usually list no commits.
//
// The state table's gsi1 is not used: every question is answered from the base table.
package activity
