// Package standup is Rituals' asynchronous daily standup ("SUP"): who owes a standup when
// (calendar and schedule, pure functions of the config and the clock), the scheduler tick
// (create due standups, nag, digest, bring standups to reviewers, open overdue-review issues),
// the Slack modal pre-filled with the developer's GitHub footprint, its submission, the
// reviewer's modal, the /standup command and the stream processor for standup events.
//
// # Key layout (state table)
//
//	slot     pk SUP#<client>#<person>   sk <date>            who, team, due/nag instants
//	entry    pk SUP#<client>#<person>   sk <date>#entry      what the developer submitted
//	review   pk SUP#<client>#<person>   sk <date>#review     reviewer-only notes and flags;
//	                                                         gsi1pk SUPREV, gsi1sk <stage>#<time>#<id>
//	last     pk SUP#<client>#<person>   sk last              the last submitted standup (pointer)
//	away     pk SUPAWAY#<person>        sk ranges            ranges set with /standup away
//	cursor   pk SUPTICK                 sk cursor            the last tick the scheduler finished
//
// <date> is the developer's local calendar day (YYYY-MM-DD), so a person's standups sort by
// day. The slot is a pure function of the config and the day, so writing it twice (the
// scheduler's batch write racing /standup creating it on demand) writes the same item: that is
// why the developer's answers live in a separate entry item, which only the submit path writes
// (conditionally: never after review). Reviewer-only fields live in the review item, which no
// developer- or team-facing renderer reads: Store.Standup never returns them.
//
// # Work proportional to what is due
//
// A tick handles the interval (previous tick, now]: the standups whose due or nag instant,
// and the digests whose instant, fall in it are computed in memory from the config, then
// read with BatchGetItem and created with BatchWriteItem. Re-running a tick (or running an
// older one) finds an empty interval and does nothing; side effects go through
// store.Effects.Once with deterministic keys, so even overlapping ticks do each effect once.
// Reviewer work reads a sparse index (gsi1) whose sort key starts with the review stage, so
// each query returns only what must be acted on now.
package standup
