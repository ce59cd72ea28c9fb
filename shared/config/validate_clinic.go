package config

import "strings"

// validateClinic checks a team's Clinic Duty section against the rest of the file: the
// rotation and the round-robin take team members, approvers are roles someone holds or people,
// the repositories belong to the team's clients, and escalations have an EM to go to.
func validateClinic(d *decoder, t *Team, clients map[string]*Client, person func(path, id string) *Person) {
	c := t.Clinic
	if c == nil {
		return
	}
	cp := t.path + ".clinic"
	members := map[string]bool{}
	for _, id := range t.Members {
		members[id] = true
	}
	for i, id := range c.Rotation.Members {
		path := indexPath(cp+".rotation.members", i)
		if person(path, id) != nil && !members[id] {
			d.atPath(path, "%q is not a member of team %q: add them to %s.members or take them off the Clinic Duty rotation", id, t.ID, t.path)
		}
	}
	for i, id := range c.Reviewers {
		path := indexPath(cp+".reviewers", i)
		if person(path, id) != nil && !members[id] {
			d.atPath(path, "%q is not a member of team %q: outside patches go to team members; add them to %s.members or take them off reviewers", id, t.ID, t.path)
		}
	}
	roles := t.RoleNames()
	for i, a := range c.Approvers {
		path := indexPath(cp+".approvers", i)
		if d.node(path) == nil {
			path = cp + ".approvers"
		}
		if contains(roles, a) {
			continue
		}
		if a == RoleEM || a == RolePM || a == RoleDeliveryManager || a == RoleQA {
			d.atPath(path, "nobody holds role %q in team %q: set roles.%s, or name the approvers (person ids)", a, t.ID, a)
			continue
		}
		person(path, a)
	}
	if t.Roles.EM == "" {
		d.atPath(t.path+".roles", "team %q runs Clinic Duty, so roles.em is required: outside patches without a first response escalate to the EM", t.ID)
	}
	var teamClients []*Client
	for _, id := range t.Clients {
		if cl, ok := clients[id]; ok {
			teamClients = append(teamClients, cl)
		}
	}
	for i, repo := range c.Repos {
		if checkRepo(repo) == nil && !watchedBy(repo, teamClients) && len(teamClients) == len(t.Clients) {
			d.atPath(indexPath(cp+".repos", i), "repo %q does not belong to the team's clients (%s): add it to a client's github.repos, or remove it", repo, strings.Join(t.Clients, ", "))
		}
	}
}
