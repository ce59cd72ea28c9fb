// Package support is the support-issue triage feature: a GitHub issue that gets a team's support
// label becomes one support request; the team's Slack channel hears of it in one Block Kit
// message that is kept up to date (and gets a thread line per change); the issue body is checked
// for the required sections; the engineer on the weekly rotation acknowledges it with an ETA
// from a modal; urgent requests page at once and re-nag until acknowledged; the EM and PM can be
// looped in; one owner holds the request and the GitHub issue is assigned to them; the request
// goes on the team's GitHub Projects board. /support answers rotation and insight questions.
//
// # Flow
//
// Everything slow or external happens in the stream processor (Processor), never in an
// interactive path:
//
//   - GitHub issues deliveries and Slack message events arrive through the events table's
//     stream. Processor.Issue reconciles each support team's request with the issue snapshot in
//     the payload; Processor.Message records simple questions asked in a support channel.
//   - Buttons and modal submissions (Interactions) and /support (Command) read and write the
//     state table only (plus views.open and an ephemeral reply); a change to a request is
//     appended to the request's log and announced with an internal event (source "rituals",
//     type "support.changed"), which the stream delivers to the processor.
//   - The processor's Sync runs the effects of every log entry not yet synced: the channel
//     post, the thread line, GitHub comments and assignees, DMs, the board. Each effect runs
//     through store.Effects.Once under a key derived from the request and the entry's index, so
//     a retried record or a duplicate event never repeats one; the request record is always
//     written before any external call, so a GitHub or Slack failure (the record is retried)
//     never loses the request.
//   - The scheduled Tick posts rotation handovers, nags unacknowledged requests, escalates
//     urgent ones to the EM, lists unanswered simple questions once a day, and re-syncs any
//     request whose effects are behind (a record that went to the dead-letter queue).
//
// # Key layout (state table)
//
//	request     pk SUPPORT#<team>  sk REQ#<repo>#<number>          the record (JSON in "data")
//	            gsi1pk SUPPORTOPEN#<team>  gsi1sk <created>#<repo>#<number>   only while open
//	stats row   pk SUPPORT#<team>  sk LOG#<created>#<repo>#<number>  priority and timings
//	override    pk SUPPORT#<team>  sk ROT#<week>#<made>#<rand>      rotation swap or cover
//	audit       pk SUPPORT#<team>  sk AUDIT#<made>#<rand>           who changed the rotation
//	question    pk SUPPORT#<team>  sk Q#<slack ts>                  a simple question
//
// <repo> is lowercased in keys (GitHub compares repositories case-insensitively); <week> is
// the rotation week as a zero-padded signed number so keys sort; times are UTC RFC 3339 with
// second precision. The request and its stats row are written in one transaction. The board's
// project, field and option ids are cached by ghub.ProjectCache.
//
// # Ordering
//
// Deliveries arrive twice and out of order. A request remembers the version of the last issue
// snapshot it applied (the updated_at, then the delivery's receipt time as a tie-break,
// like package activity) and ignores older snapshots; a label removal or a close that arrives
// before the label is kept as a tombstone so the late label cannot reopen the request. Every
// write of a request is conditional on the revision read.
package support
