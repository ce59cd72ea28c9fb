package config

import "slices"

// PhabricatorServer is the Phabricator or Phorge installation the teams' workboards live on
// (the top-level `phabricator` key). Its Conduit API token is a secret and is not in the file:
// it comes from CONDUIT_API_TOKEN (SSM in AWS).
type PhabricatorServer struct {
	// URL is the server's root, e.g. https://phabricator.example.org; task links and the
	// Conduit API (URL/api/<method>) are below it.
	URL string
}

// TeamPhabricator is a team's Phabricator workboard: its project, the triage of new tasks,
// Unbreak Now! alerts, and who may move tasks into which column.
type TeamPhabricator struct {
	// Project is the team's project, by slug ("team-rocket", a leading # is dropped) or PHID
	// ("PHID-PROJ-..."). Its milestones and subprojects count as the team's too.
	Project string
	// TriageColumn is the board's column new tasks wait in for triage ("New & TBD"), by name
	// or PHID; empty means the board's default column (where newly tagged tasks land).
	TriageColumn string
	// TriageAfter is how many of the team's business days a task may wait in the triage
	// column before the morning list names it (default 2d; always BusinessDays).
	TriageAfter Span
	// TriageAt is when, in the team's time zone, the morning list is sent (default 09:30).
	TriageAt Clock
	// UBNNagEvery is how often an unacknowledged Unbreak Now! task is re-nagged (default 30m;
	// a Duration of at least 5m, the tick's period).
	UBNNagEvery Span
	// UBNEscalateAfter is how long an Unbreak Now! task may stay unacknowledged before the EM
	// is told (default 2h; a Duration or business days).
	UBNEscalateAfter Span
	// PriorityOwner is the role or person id whose priority decisions are watched: a priority
	// change by anyone else on a task whose priority they set is reported to them (default
	// "pm"; nothing is watched when the team has no one in that role).
	PriorityOwner string
	// Columns are the column rules, in file order; at most one per column.
	Columns []ColumnRule

	path string
}

// RuleMode is what a column rule does about a move it does not allow.
type RuleMode string

// Rule modes.
const (
	// ModeEnforce moves the task back to the column it came from, comments on the task naming
	// the rule and who may make the move, and tells the mover in Slack.
	ModeEnforce RuleMode = "enforce"
	// ModeWarn only comments and tells the mover.
	ModeWarn RuleMode = "warn"
)

// ColumnRule says who may move tasks into a column of the team's board, and whether a task
// needs points to enter it.
type ColumnRule struct {
	// Column is the column's name on the team's board (matched case-insensitively) or its
	// PHID ("PHID-PCOL-...").
	Column string
	// Allow lists role names (pm, qa, em, delivery_manager, members, tech_lead or any role of
	// the team) and person ids; empty means anyone may move tasks in (the points check still
	// applies).
	Allow []string
	// RequirePoints refuses tasks without story points.
	RequirePoints bool
	// Mode is ModeEnforce (the default) or ModeWarn.
	Mode RuleMode
}

// Allows reports whether personID may move a task into the rule's column in team: the rule
// allows everyone, names the person, or names a role the person holds.
func (r ColumnRule) Allows(t *Team, personID string) bool {
	if len(r.Allow) == 0 {
		return true
	}
	if personID == "" {
		return false
	}
	for _, a := range r.Allow {
		if a == personID || t.HasRole(personID, a) {
			return true
		}
	}
	return false
}

// AllowedPeople lists the person ids the rule allows (roles expanded), each once, in the order
// the rule names them; nil when it allows everyone.
func (r ColumnRule) AllowedPeople(t *Team) []string {
	var out []string
	for _, a := range r.Allow {
		ids := t.RolePeople(a)
		if ids == nil && !isRoleName(t, a) {
			ids = []string{a}
		}
		for _, id := range ids {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// PriorityOwners lists the person ids whose priority decisions are watched (the role
// expanded, or the one person); nil when nobody holds the role.
func (p *TeamPhabricator) PriorityOwners(t *Team) []string {
	if ids := t.RolePeople(p.PriorityOwner); ids != nil {
		return ids
	}
	if isRoleName(t, p.PriorityOwner) {
		return nil
	}
	return []string{p.PriorityOwner}
}

// isRoleName reports whether name is a role (named, members, or one of the team's others),
// held or not.
func isRoleName(t *Team, name string) bool {
	switch name {
	case RoleEM, RolePM, RoleDeliveryManager, RoleQA, RoleMembers:
		return true
	}
	_, ok := t.Roles.Others[name]
	return ok
}

// Rule returns the rule for the column named name or with that PHID (names compared
// case-insensitively), if any.
func (p *TeamPhabricator) Rule(name, phid string) (ColumnRule, bool) {
	for _, r := range p.Columns {
		if (phid != "" && r.Column == phid) || (name != "" && lower(r.Column) == lower(name)) {
			return r, true
		}
	}
	return ColumnRule{}, false
}
