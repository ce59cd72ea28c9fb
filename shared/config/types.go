package config

import "time"

// Config is one team configuration file (version 1), validated. A *Config returned by Parse is
// read-only and safe for concurrent use; every reference in it resolves (see Parse).
type Config struct {
	// Version is the format version; always 1 today.
	Version int
	// People, Clients and Teams are in file order.
	People  []*Person
	Clients []*Client
	Teams   []*Team
	// Phabricator is the server the teams' workboards are on; nil when no team uses one.
	Phabricator *PhabricatorServer

	idx index
}

// Person is someone Rituals talks to or about: a developer, a lead, an HR reviewer.
type Person struct {
	// ID is the lowercase slug every other part of the file refers to the person by.
	ID string
	// Name is the display name; defaults to ID.
	Name string
	// GitHub is the login (matched case-insensitively); required for team members, whose
	// standups are pre-filled from their GitHub activity.
	GitHub string
	// Slack is the Slack user id (U… or W…), where DMs and nags go.
	Slack string
	// Phabricator is the username on Phabricator/Phorge; empty when the person has none.
	Phabricator string
	// TimeZone is the IANA zone name; Location returns it loaded.
	TimeZone string
	// Country is the ISO 3166-1 alpha-2 code whose public holidays the person observes.
	Country string
	// Away lists days off beyond public holidays (inclusive ranges).
	Away []DateRange

	loc  *time.Location
	path string // where it was written, for validation messages
}

// Client is an organisation the teams work for: its GitHub, and who reviews its standups.
type Client struct {
	// ID is the lowercase slug teams refer to the client by.
	ID string
	// Name is the display name; defaults to ID.
	Name   string
	GitHub ClientGitHub
	HR     HR

	orgs  map[string]bool // lowercased
	repos map[string]bool // lowercased owner/name
	path  string
}

// ClientGitHub says which repositories belong to a client. After Parse at least one of the two
// lists is non-empty.
type ClientGitHub struct {
	// Orgs are owners (organisations or users) every repository of which belongs to the client.
	Orgs []string
	// Repos are single "owner/name" repositories outside those orgs.
	Repos []string
}

// HR is how a client's standups are reviewed.
type HR struct {
	// Reviewer is the id of the person who reviews every standup done for the client.
	Reviewer string
	// Repo is the "owner/name" repository where overdue reviews become GitHub issues.
	Repo string
	// OverdueAfterBusinessDays is how many of the reviewer's business days a standup may wait
	// for review before an issue is opened; at least 1, default 2.
	OverdueAfterBusinessDays int
	// Management names who else may read the reviewer-only fields (notes, flags) of the
	// client's standups on the web: each entry is a role (em, pm, delivery_manager, qa or a
	// custom role) held in a team working for the client, or a person id. Empty: the reviewer
	// alone. See Config.Management.
	Management []string
}

// Team is a group of people that works for one or more clients.
type Team struct {
	// ID is the lowercase slug; it also keys team state in DynamoDB, so keep it stable.
	ID string
	// Name is the display name; defaults to ID.
	Name string
	// Clients are client ids; non-empty, each exists.
	Clients []string
	// TimeZone is the IANA zone of the team's shared clock (rotation handover, digest time).
	TimeZone string
	// Members are person ids of the developers; non-empty, each exists.
	Members []string
	Roles   Roles
	Slack   TeamSlack
	// Standup is nil when the team does not run standups.
	Standup *Standup
	// Support is nil when the team does not take support requests.
	Support *Support
	// Retro is how the team runs retros (/retro); nil means the defaults (see Team.RetroSettings).
	Retro *Retro
	// DACI is the team's decision matrix (/decision, /daci), one row per kind of decision, in
	// file order; empty when the team keeps none.
	DACI []*DecisionKind
	// Labels are the GitHub labels the team's label rules may name, besides its support and
	// priority labels (any case).
	Labels []string
	// LabelRules are the team's label rules (types_labels.go), in file order.
	LabelRules []*LabelRule
	// Phabricator is nil when the team has no Phabricator workboard.
	Phabricator *TeamPhabricator
	// Sprints is nil when the team does not run sprints (types_sprints.go).
	Sprints *Sprints
	// Clinic is nil when the team runs no Clinic Duty (types_clinic.go).
	Clinic *Clinic

	loc     *time.Location
	clients []*Client
	members map[string]bool
	people  map[string]*Person // every person of the config, by id
	path    string
}

// Roles names the people with a role in a team (person ids, empty when unset). EM is required
// when the team takes support requests (escalations go there) and DeliveryManager when it runs
// standups (blockers go there). They need not be members.
type Roles struct {
	EM              string
	PM              string
	DeliveryManager string
	QA              []string
	// Others are the team's other roles by name — tech_lead, tpm, ux, director, or any
	// lowercase slug the team uses (DACI matrices and column rules name them) — each held by one
	// or more person ids.
	Others map[string][]string
}

// Role names with a meaning of their own. Any other slug is a role of Roles.Others.
const (
	RoleEM              = "em"
	RolePM              = "pm"
	RoleDeliveryManager = "delivery_manager"
	RoleQA              = "qa"
	// RoleMembers is every member of the team (Team.Members); it cannot be configured in roles.
	RoleMembers = "members"
)

// TeamSlack holds a team's Slack channel ids (C… or G…). After Parse SupportChannel and
// DigestChannel are set, defaulting to Channel.
type TeamSlack struct {
	Channel        string
	SupportChannel string
	DigestChannel  string
	// Channels are other channels the team's rules post to, by a name of the team's choosing
	// (security: G01SECURE), so that a rule names a channel the config knows.
	Channels map[string]string
}

// Standup is when a team's developers are asked for their standup.
type Standup struct {
	// Days are the standup days, judged in each developer's own time zone. Public holidays of
	// the developer's country and their away days are skipped by the standup feature.
	Days Weekdays
	// Due is when the standup is created (developer's local time).
	Due Clock
	// Nag is when a developer whose standup is still empty is reminded (local time); after Due.
	Nag Clock
	// Digest is when the day's standups are posted to the digest channel (team's time zone).
	Digest Clock
}

// Support is how a team takes support requests from GitHub issues.
type Support struct {
	// Labels are the issue labels that make an issue a support request for this team (matched
	// case-insensitively, like GitHub does). Non-empty.
	Labels []string
	// Repos are "owner/name" repositories to watch; empty means every repository of the team's
	// clients. Each is watched by one of the team's clients.
	Repos []string
	// Priorities are ordered highest first; non-empty (defaults to p0..p3).
	Priorities []Priority
	// DefaultPriority is the name of the priority for issues with no priority label; it is one
	// of Priorities (defaults to the lowest).
	DefaultPriority string
	// NagEvery is how often the rotation engineer is re-notified of an unacknowledged urgent
	// request (default 30m).
	NagEvery Span
	// EscalateAfter is how long an urgent request may stay unacknowledged before the EM is told
	// (default 2h).
	EscalateAfter Span
	// RequiredSections are the headings an issue body must have.
	RequiredSections []Section
	// Rotation is the weekly support rotation (Weeks is 1 unless the config says otherwise).
	Rotation Rotation
	// Board is nil when requests are not put on a GitHub Projects board.
	Board *Board

	labels map[string]bool
	repos  map[string]bool
}

// Priority is one level of support priority.
type Priority struct {
	// Name is how Rituals calls the priority ("p1"); unique in the team.
	Name string
	// Labels are the issue labels meaning this priority; defaults to [Name]. A label means one
	// priority only.
	Labels []string
	// AckWithin is the acknowledgement target.
	AckWithin Span
	// Urgent requests DM the rotation engineer at once, re-nag every NagEvery and escalate to
	// the EM after EscalateAfter.
	Urgent bool
}

// Section is a heading an issue body must contain, e.g. "## Impact".
type Section struct {
	// Title is the canonical heading.
	Title string
	// Aliases are other headings accepted for it.
	Aliases []string
	// Optional sections are suggested but their absence is not a problem.
	Optional bool
}

// Rotation is a team's duty rotation (support's, Clinic Duty's). Overrides (swaps, cover) and
// skipped members live in package rotation; this is the base schedule: Members take turns in
// order, a period of Weeks weeks each, the first one starting on Start at the handover time.
type Rotation struct {
	// Members are person ids, each a member of the team, no repeats; non-empty.
	Members []string
	// Weeks is the length of one period: 1 for support, 2 by default for Clinic Duty.
	Weeks int
	// Handover is when the duty passes to the next member, in the team's time zone.
	Handover Handover
	// Start is the day Members[0]'s first week starts; it falls on Handover.Day.
	Start Date

	loc *time.Location
}

// Handover is a weekly moment in the team's time zone.
type Handover struct {
	Day  time.Weekday
	Time Clock
}

// Board is a GitHub Projects (v2) board support requests are added to.
type Board struct {
	// Owner is the organisation or user owning the project.
	Owner string
	// Project is the project number (from its URL).
	Project int
	// StatusField is the single-select field to set (default "Status").
	StatusField string
	// Status is the option of StatusField to set (default "Support Issues").
	Status string
}
