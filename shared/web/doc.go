// Package web is WebFunction: the standup pages, server-rendered with html/template (DataDog's
// copy without method calls, so the linker still drops unused code) behind Sign in with Slack. No front-end build, no script, nothing fetched from another host: one
// stylesheet served by the function under its content hash, and pages that work on a phone.
//
// # Routes (all under /app; GET unless said)
//
//	/app                                   home: today's standups, the viewer's teams and review queues
//	/app/signin, /app/auth/start           sign in with Slack (OpenID Connect), back to ?next=
//	/app/auth/callback                     the provider's redirect (register it in the Slack app)
//	POST /app/signout                      end the session
//	/app/people/{person}                   a person's standups (the viewer's own: "My standups"),
//	                                       newest first, by client and date range, paged
//	/app/standups/{client}/{person}/{date} a standup: footprint per repository, plan check, plan,
//	                                       availability, comment, blockers, review state; links to
//	                                       the developer, client, team day, previous and next
//	/app/standups/.../edit (GET, POST)     fill in or edit it (its developer, until reviewed)
//	/app/teams/{team}[/{date}]             a team's day
//	/app/clients/{client}[/{date}]         a client's standups of a day
//	/app/review/{client}                   the review queue (oldest first, overdue marked, HR issue
//	                                       linked) and the reviewed standups by developer, date, flag
//	/app/review/{client}/{person}/{date}   the review form: notes, flags, Mark reviewed (POST)
//
// standup.Links builds these addresses, for the pages and for Slack messages alike.
//
// # Guarantees
//
//   - Only people in the config sign in (the ID token's Slack user id must be a person's slack);
//     the session is an encrypted, authenticated HttpOnly, Secure, SameSite=Lax cookie that
//     expires after SessionTTL, and is checked against the current config on every request.
//   - Every form carries the session's CSRF token and must come from this origin; otherwise 403
//     and nothing changes.
//   - Who may see what is decided in one place (access.go) before a page reads anything; the
//     answer to anything else is the same 404 as for an address that does not exist.
//   - Reviewer-only fields (notes, flags) are read only after viewer.readsHR (the client's
//     reviewer or management named by hr.management) and reach templates only through hrView
//     and reviewedRow; the standup package's Standup never carries them.
//   - Submissions and reviews go through standup.Deps.Submit and Review, the same code as the
//     Slack modals: the same rules, the same state, the same internal events in the same
//     transaction. A form read at an older revision changes nothing and says so.
//   - Every response carries a CSP without script (style-src 'self', frame-ancestors 'none',
//     form-action 'self'), nosniff, Referrer-Policy same-origin and no-store for pages.
package web
