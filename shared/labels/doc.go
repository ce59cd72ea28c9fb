// Package labels runs label rules (config.LabelRule): declarative reactions to labels added to
// or removed from issues and pull requests — comment, post to Slack, DM, assign, add or remove
// labels, put on a board, close, lock — at once and on timers that fire later while their
// conditions hold.
//
// # Flow
//
// LabelRulesFunction has two triggers:
//
//   - The events table's stream, filtered to GitHub issues, pull_request and issue_comment
//     deliveries (Processor.Event). Each delivery first updates the mirror (labels,
//     state, assignees, and every commenter's latest comment time: what conditions need,
//     mirrored from webhooks, never polled). A labeled or unlabeled delivery then triggers the
//     matching rules of every team watching the repository: the rule's timers are stored, then
//     its actions run in order. A label change, a close or a comment also cancels the pending
//     timers whose cancel_on it meets.
//   - A schedule every 5 minutes (Processor.Sweep), which fires the timers that are due.
//
// # Exactly once
//
// Every action runs through store.Effects.Once under a key of the team, issue, rule and step
// (and of the activation, or of the timer's firing), so a redelivery, a retried record, a
// re-fired schedule or two sweeps at once never repeat one. A rule's comment is once per issue
// ever: its key has no activation and the mirror records it. An activation is named by the
// issue's updated_at at the label change, which every delivery of that change shares.
//
// A failing action stops its rule's later actions on that issue (they run in order) but no
// other rule: on the stream the record fails, is retried and finally dead-lettered, and the
// retry skips what is done; on a timer the firing is retried by later sweeps, spaced out, and
// given up after MaxAttempts (kept, shown by /labels pending, told to the team's channel). An
// action GitHub or Slack refuses for good is skipped; a missing permission (403) is told to
// the team's channel once and never retried.
//
// # Ordering
//
// Deliveries arrive twice and out of order. The mirror keeps the newest snapshot (by the
// issue's updated_at, then the receipt time) and merges comments whatever their order; a label
// event that a newer snapshot already undid triggers nothing. Timer conditions and
// cancellations are judged on the mirror, with GitHub's timestamps, against the time the rule
// triggered.
//
// # Key layout (state table)
//
//	issue mirror  pk LABELISSUE#<repo>#<number>   sk issue        JSON in "data", rev, TTL
//	timer         pk LABELTIMER#<team>  sk <repo>#<number>#<rule>#<activation>#<index>
//	              gsi1pk LABELDUE#<YYYY-MM-DD>  gsi1sk <due>#<team>#<sk>   only while pending
//	sweep cursor  pk LABELSWEEP  sk cursor        the earliest due day a sweep must read
//
// <repo> is lowercased. The due index holds pending timers only, partitioned by due day and
// sorted by due time, so a sweep reads the cursor, one Query per day from the cursor to today
// bounded by now, and two items per due timer: its reads track the timers due, not the timers
// pending. Creating a timer lowers the cursor to its due day first; a sweep moves the cursor
// forward only conditionally on it being unchanged, and never past yesterday.
package labels
