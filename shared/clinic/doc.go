// Package clinic is Clinic Duty: a rotating engineer (package rotation, two-week turns by
// default) takes the team's Unbreak Now! tasks, untriaged new tasks and outside patches, so
// that everyone else works uninterrupted; engineers from other teams sign up through a queue to
// join a Clinic Duty sprint; patches from outside the organisation get a first response within
// a target; and the numbers are kept per duty period and per week.
//
// # Flow
//
//   - The rotation is the team's clinic.rotation, through package rotation (the engine support
//     uses too): skips for people off throughout their turn, swaps and covers from
//     /clinic swap and /clinic override (team members only, audited). The workboards'
//     Unbreak Now! DMs and morning triage list, and label rules naming `rotation: clinic`, go
//     to whoever is on it (package workboard asks Clinic Duty first, then support).
//   - Outside patches: ClinicDutyFunction receives pull_request, pull_request_review and
//     issue_comment deliveries. A pull request opened (or reopened, or marked ready) in a
//     repository of a team with Clinic Duty by someone whose author_association is NONE,
//     FIRST_TIMER, FIRST_TIME_CONTRIBUTOR or CONTRIBUTOR (not a bot, not someone the config
//     counts in the team) becomes a Patch: routed to the engineer on duty (or the next
//     reviewer of the round-robin who is not off today), with a first-response target in the
//     team's business days (clinic.first_response, default 2d). The author gets one comment
//     saying who will look and by when; the reviewer a DM. A review or a comment by anyone in
//     the team (members and role holders) is the first response; closing or merging ends the
//     wait. The tick reminds the reviewer once past the target and tells the EM once past a
//     second target. A Differential revision by someone outside the team, tagged with (or
//     reviewed by) the team's project, is the same, from the PhabricatorProcessorFunction
//     (PhabReactor; the author's comment goes on the revision).
//   - Sign-ups: /clinic <team> signup [weeks] [tasks or links…] queues a request (stored with
//     its clinic.signup event in one transaction). The processor DMs each approver
//     (clinic.approvers, default the EM) Accept, Defer and Decline. A decision is stored by the
//     button's handler with its clinic.decided event: Accept takes the seats of the first run
//     of sprints (duty periods) from the next one that each have room for one more of
//     clinic.visitors_per_sprint, conditionally in the same transaction, so two accepts cannot
//     overfill a sprint. The processor then updates every copy of the request, tells the
//     requester when, and tells the team who joins and with what. Defer moves the request to
//     the back of the queue and asks again at the next handover. /clinic queue shows positions
//     and expected starts; /clinic withdraw takes a request (or an accepted visit not yet
//     started) back.
//   - The tick posts, once per duty period, the handover: who is on duty, what is open
//     (Unbreak Now! tasks, untriaged tasks, patches waiting, this sprint's visitors, sign-ups
//     waiting) and the report of the period that ended.
//   - Metrics (Compute, Report) per duty period and per calendar week: tasks completed by the
//     engineers on duty (closed by them or owned by them), outside patches received and
//     reviewed with the median and 90th percentile time to first response, untriaged tasks and
//     their average time open at the window's end, Unbreak Now! incidents and their response
//     times. /clinic stats reads them from DynamoDB in a handful of queries;
//     `rituals report clinic --format csv|json` exports them.
//
// # Key layout (state table)
//
//	sign-up    pk CLINIC#<team>        sk SIGNUP#<n>           the request (JSON in "data")
//	           gsi1pk CLINICQ#<team>   gsi1sk <queued>#<n>     while waiting for a decision
//	waiting    pk CLINIC#<team>        sk ACTIVE#<slack user>  one waiting sign-up per person
//	sequence   pk CLINIC#<team>        sk SEQ                  numbers sign-ups
//	sprint     pk CLINIC#<team>        sk SPRINT#<period>      seats (count) and visitors (set)
//	round      pk CLINIC#<team>        sk ROUNDROBIN           the reviewers' round-robin
//	patch      pk CLINICPATCH#<team>   sk <patch id>           an outside patch
//	           gsi1pk CLINICWAIT#<team> gsi1sk <due>#<id>      while waiting for a first response
//	done       pk CLINICLOG#<team>     sk DONE#<at>#<task>#<transaction>   a completed task
//	triage     pk CLINICTRIAGE#<team>  sk <task PHID>          its stay in the triage column
//
// Overrides and the audit log of the rotation are package rotation's
// (pk ROTATION#clinic#<team>). Everything is kept a year after its last change (Retention).
package clinic
