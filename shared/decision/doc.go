// Package decision keeps a team's decisions by DACI: for each kind of decision the team's
// config says which roles drive (D), approve (A), are consulted (C) and informed (I) — the
// matrix of config.DecisionKind — and this package turns one decision into a record naming
// those people, asks the consulted for input and the approvers for their verdict, and tells the
// informed the outcome.
//
// # Flow
//
//	/decision new <kind> <title>  the command stores the record (the people resolved from the
//	                              team's roles at that moment) and puts decision.changed
//	processor                     posts the record in the team's channel with Approve and
//	                              Reject, asks the consulted in its thread, DMs each approver
//	Approve / Reject              only an approver may (others get an ephemeral refusal); the
//	                              verdict is stored (conditional on the record's revision)
//	                              and decision.changed put again
//	processor                     a thread line per verdict; once every approver approved
//	                              (or one rejected) the outcome in the thread, a DM to each
//	                              informed person, the record updated without buttons
//	/decision list | show <id>    the team's decisions; /daci [kind] who is who
//
// # Keys (state table)
//
//	DECISION#<team>  SEQ        seq, the last decision number
//	DECISION#<team>  D#<000012> decision 12 of the team (JSON), kept Retention after decided
package decision
