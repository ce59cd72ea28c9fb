package web

import (
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/standup"
)

// Who may see what. Every page asks these questions before it reads anything it would show,
// and answers 404 (the same page whether the thing exists or not) when the answer is no:
//
//   - a standup: its developer; the members and role holders of its team; the client's
//     reviewer and management;
//   - a team's day: the team's members and role holders;
//   - a client's day: whoever may see at least one of its standups, and the page lists only
//     those (the reviewer and management see them all);
//   - the reviewer-only fields (notes, flags) and the review queue: the client's reviewer and
//     management (hr.management); the review form and Mark reviewed: the reviewer alone.

// inTeam reports whether the viewer is a member of t or holds one of its roles.
func (v *viewer) inTeam(t *config.Team) bool {
	if t == nil {
		return false
	}
	if t.HasMember(v.me.ID) {
		return true
	}
	for _, role := range t.RoleNames() {
		if t.HasRole(v.me.ID, role) {
			return true
		}
	}
	return false
}

// reviews reports whether the viewer is the client's reviewer.
func (v *viewer) reviews(c *config.Client) bool { return c != nil && c.HR.Reviewer == v.me.ID }

// readsHR reports whether the viewer may read the client's reviewer-only fields: its reviewer
// and its management.
func (v *viewer) readsHR(c *config.Client) bool {
	return v.reviews(c) || (c != nil && v.cfg.IsManagement(c.ID, v.me.ID))
}

// seesStandup reports whether the viewer may see person's standups for client c written in
// team t (t may be nil when the team left the config).
func (v *viewer) seesStandup(t *config.Team, c *config.Client, person string) bool {
	return person == v.me.ID || v.inTeam(t) || v.readsHR(c)
}

// seesDuty is seesStandup for a duty (a person's standups for a client, in its team).
func (v *viewer) seesDuty(d standup.Duty) bool { return v.seesStandup(d.Team, d.Client, d.Person.ID) }

// seesClient reports whether the viewer may open the client's day: they read its HR fields or
// see the standups of a team working for it.
func (v *viewer) seesClient(c *config.Client) bool {
	if c == nil {
		return false
	}
	if v.readsHR(c) {
		return true
	}
	for _, t := range v.cfg.Teams {
		if t.Standup != nil && v.inTeam(t) && contains(t.Clients, c.ID) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
