// Package config is Rituals' team configuration as code: one YAML file describing people,
// clients and teams, validated as a whole, stored in the state table, and read by the functions
// through a cached Source.
//
// # Format (version 1)
//
//	version: 1
//	people:   [{id, name, github, slack, phabricator, timezone, country, away}]
//	clients:  [{id, name, github: {orgs, repos}, hr: {reviewer, repo, overdue_after_business_days}}]
//	teams:    [{id, name, clients, timezone, members,
//	            roles: {em, pm, delivery_manager, qa},
//	            slack: {channel, support_channel, digest_channel},
//	            standup: {days, due, nag, digest},
//	            support: {labels, repos, priorities: [{name, labels, ack_within, urgent}],
//	                      default_priority, nag_every, escalate_after,
//	                      required_sections: [{title, aliases, optional}],
//	                      rotation: {members, handover: {day, time}, start},
//	                      board: {owner, project, status_field, status}}}]
//
// Everything refers to people, clients and teams by id (a lowercase slug). Times are "HH:MM";
// durations are Go durations ("15m", "2h") or "Nd", N business days (see Span); dates are
// YYYY-MM-DD; standup days are day names or "weekdays". infra/config/example.yaml explains every
// key and infra/config/rituals.schema.json gives editors completion; a test holds both to Parse.
//
// # Errors
//
// Parse reports every problem at once as a *ValidationError, each Problem with its line, column,
// path (teams[0].support.rotation.members[1]) and a message saying what to write instead.
//
// # Storage
//
// Push stores a validated file as the next version under pk "CONFIG" in the state table (see
// store.go for the items), Load reads the current one, and Source caches it in a function,
// checking a tiny version item once per TTL. Nothing in this package reads the clock: callers
// pass now.
package config
