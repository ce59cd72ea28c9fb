// Package workboard runs a team's Phabricator/Phorge workboard rituals from Herald deliveries:
// Unbreak Now! alerts until someone responds, the announcement and morning triage list of new
// tasks, and the column and priority rules Phabricator itself will not enforce (upstream T6502).
//
// # Flow
//
// The PhabricatorProcessorFunction is triggered by the events table's stream (Herald
// deliveries, never test requests; and "phab.*" internal events from Slack) and by a schedule.
//
//   - package phab turns a delivery into the task now and its transactions (two or three
//     Conduit calls), records them in the task mirror and hands them to Workboard.React, per
//     team whose project the task is in (or was in).
//   - React runs, for each transaction not authored by the bot itself (Rituals' own edits
//     never trigger a rule): a priority raised to Unbreak Now! opens an Incident (posted to
//     the team's channel with Acknowledge and Take it, DM to the engineer on duty); a comment,
//     claim or status change by a team member responds to it; lowering the priority, closing
//     the task or taking it off the team's project resolves it. Tagging a task with the team's
//     project announces it once. A move into a column by someone a rule does not allow, or
//     without points a rule requires, is moved back (enforce) and commented on, and the mover is
//     told in Slack. A priority change by someone else on a task whose priority the priority
//     owner (the PM) set is reported to them.
//   - Buttons (Interactions) and /phab (Command) read and write the state table only; a click
//     puts a "phab.ubn" internal event, on which the processor assigns the task (Take it) and
//     updates the post.
//   - The scheduled Tick nags unacknowledged incidents every ubn.nag_every, escalates them to
//     the EM after ubn.escalate_after (business days counted with package calendar), and on
//     each of the team's business mornings sends the engineer on duty (or the channel) the
//     tasks still in the triage column after triage_after business days.
//
// # Late, repeated and out-of-order deliveries
//
// Herald retries for a week, one request at a time but possibly out of order. Every effect is
// keyed by the transaction it answers (store.Effects.Once); an incident is keyed by the
// transaction that raised it; and each decision reads the task's recorded history and its
// state now: a raise whose lowering was recorded first opens an incident that is already
// resolved (and posts nothing), a move back is made only while the task is still in the column
// it was moved into, and an announcement is recorded on the task so it is made once ever.
//
// # Key layout (state table)
//
//	incident   pk PHABUBN#<team>   sk INC#<raised>#<task PHID>#<transaction PHID>
//	           gsi1pk PHABUBNOPEN#<team>  gsi1sk <raised>#<task PHID>    while open
//	board      pk PHABBOARD#<team> sk BOARD         the team's resolved board, for /phab
//	announced  pk PHABTASK#<task>  sk NEW#<team>    the task was announced to the team
//	on task    pk PHABTASK#<task>  sk UBN#<team>#<incident id>  read consistently for responses
//
// The task mirror's own items (snapshot, history, positions) are described in package phab.
package workboard
