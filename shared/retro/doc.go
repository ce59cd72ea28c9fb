// Package retro runs a team's retros in Slack: a board of fields that anyone in the team's
// channel adds items to (anonymously when the team configures it), dot voting in which nobody
// can place more dots than they have however fast they click, ranked results when the
// facilitator closes it, and the top items opened as action items in the team's tracker
// (GitHub issues; see Tracker), whose state is mirrored from the issues webhooks.
//
// # Flow
//
//	/retro start [title]    the command stores the retro and puts retro.started; the
//	                        processor posts the board in the team's channel
//	/retro add, Add item    items, while the retro collects them (retro.changed → board)
//	/retro voting           the facilitator opens voting (retro.changed → board)
//	Vote, /retro vote N     dots: one conditional transaction each (see Store.Vote)
//	/retro close            the facilitator closes it: retro.closed → results in the board's
//	                        thread, the top items opened as issues (once each), an owner
//	                        picker per action item; picking one puts retro.owner → assignee
//	issues closed/reopened  GitHub webhooks mirror each action item's state (/retro actions)
//
// Commands and interactions read and write DynamoDB only (plus the modal they open), so they
// answer within Slack's 3 seconds; everything that reaches Slack or GitHub later goes through
// internal events to the stream-triggered RetroDecisionFunction, each effect once
// (store.Effects) under a key derived from the retro.
//
// # Keys (state table)
//
//	RETRO#<team>          CURRENT       seq (last retro number), open (the open retro's number)
//	RETRO#<team>#<n>      META          the retro: title, phase, fields, dots, facilitator, board
//	RETRO#<team>#<n>      ITEM#<0001>   an item: field, text, author (never when anonymous)
//	RETRO#<team>#<n>      VOTER#<user>  one voter's dots: used, and d<item> per item
//	RETRO#<team>#<n>      ACTION#<0001> an action item: ticket, owner, state; gsi1 lists a
//	                                    team's action items (RETROACTIONS#<team>)
//	RETROTICKET#<ref>     TICKET        which action item a ticket (github:owner/repo#12) is
//
// A retro's items expire Retention after it closes; action items stay while open.
package retro
