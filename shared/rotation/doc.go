// Package rotation is the one duty-rotation engine: support's weekly rotation and Clinic Duty's
// two-week one both answer "who is on duty" here, so that a swap, a cover, a public holiday or
// an away week means the same thing for both.
//
// A rotation (config.Rotation) is a base schedule: members take turns in order, one period of
// Weeks weeks each, handing over at the handover day and time in the team's time zone (so a
// handover stays at 09:00 local across a DST change). On top of it, in this order:
//
//  1. Skips: a member who is off on every day of their period — weekends, the public holidays
//     of their country, away days from the config or /standup away (package calendar) — is
//     passed over, and the next member in rota order who is not off takes the period. The
//     skip is computed, never stored: it follows the calendar as it is when asked.
//  2. Swaps: a whole period given to someone (/support swap, /clinic swap writes two, one per
//     period). The latest swap of a period wins.
//  3. Covers: days of a period given to someone (/support override, /clinic override). Where
//     a cover and a swap apply to the same day, the one made last wins.
//
// Swaps and covers are made from Slack by team members only, stored with who made them, and
// each change writes an audit record in the same transaction.
//
// # Key layout (state table)
//
//	override  pk <partition>  sk ROT#<period>#<made>#<rand>   a swap or a cover of one period
//	audit     pk <partition>  sk AUDIT#<made>#<rand>          who changed the rotation, and how
//
// The partition is SUPPORT#<team> for support (the layout support has always used, so stored
// overrides keep working) and ROTATION#<name>#<team> for any other rotation (Clinic Duty:
// ROTATION#clinic#<team>). <period> is the period number offset by 10,000,000 and zero-padded so
// negative periods sort; the attribute is still called "week" for support's stored items.
package rotation
