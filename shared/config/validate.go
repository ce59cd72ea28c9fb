package config

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// validate runs the checks that need the whole file: unique ids and accounts, references
// between people, clients and teams, and support-label routing. It runs even when decoding found
// problems, so one run reports everything; values that were missing (already reported) are
// skipped rather than reported again as broken references.
func validate(d *decoder, cfg *Config) {
	for _, list := range []struct {
		key, kind string
		n         int
	}{{"people", "person", len(cfg.People)}, {"clients", "client", len(cfg.Clients)}, {"teams", "team", len(cfg.Teams)}} {
		// Only for an explicitly empty list: a missing one was reported as missing, and
		// entries that failed to decode were reported themselves.
		if n := d.pos[list.key]; list.n == 0 && n != nil && n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
			d.atPath(list.key, "list at least one %s", list.kind)
		}
	}

	people := map[string]*Person{}
	var personIDs []string
	github, slack, phab := map[string]*Person{}, map[string]*Person{}, map[string]*Person{}
	for _, p := range cfg.People {
		if p.ID == "" {
			continue
		}
		if first, dup := people[p.ID]; dup {
			d.atPath(p.path+".id", "duplicate person id %q (first at line %d); ids must be unique", p.ID, d.line(first.path))
			continue
		}
		people[p.ID] = p
		personIDs = append(personIDs, p.ID)
		unique := func(key, value string, seen map[string]*Person) {
			if value == "" {
				return
			}
			if first, dup := seen[lower(value)]; dup {
				d.atPath(p.path+"."+key, "%s %q is also %s's (line %d); each account belongs to one person", key, value, first.ID, d.line(first.path+"."+key))
				return
			}
			seen[lower(value)] = p
		}
		unique("github", p.GitHub, github)
		unique("slack", p.Slack, slack)
		unique("phabricator", p.Phabricator, phab)
	}
	person := func(path, id string) *Person {
		p, ok := people[id]
		if !ok && id != "" {
			d.atPath(path, "%s", unknownRef("person", id, personIDs))
		}
		return p
	}

	clients := map[string]*Client{}
	var clientIDs []string
	for _, c := range cfg.Clients {
		person(c.path+".hr.reviewer", c.HR.Reviewer)
		if c.ID == "" {
			continue
		}
		if first, dup := clients[c.ID]; dup {
			d.atPath(c.path+".id", "duplicate client id %q (first at line %d); ids must be unique", c.ID, d.line(first.path))
			continue
		}
		clients[c.ID] = c
		clientIDs = append(clientIDs, c.ID)
	}

	teams := map[string]*Team{}
	for _, t := range cfg.Teams {
		if first, dup := teams[t.ID]; dup && t.ID != "" {
			d.atPath(t.path+".id", "duplicate team id %q (first at line %d); ids must be unique", t.ID, d.line(first.path))
		} else {
			teams[t.ID] = t
		}
		validateTeam(d, t, clients, clientIDs, person)
		validateDACI(d, t)
		validateTeamPhabricator(d, cfg, t)
		validateTeamSprints(d, t, teamClientsOf(t, clients))
		validateClinic(d, t, clients, person)
	}
	validateLabels(d, cfg.Teams, clients)
	validateManagement(d, cfg)
	validateLabelRules(d, cfg, clients)
}

func validateTeam(d *decoder, t *Team, clients map[string]*Client, clientIDs []string, person func(path, id string) *Person) {
	var teamClients []*Client
	for i, id := range t.Clients {
		if c, ok := clients[id]; ok {
			teamClients = append(teamClients, c)
		} else {
			d.atPath(indexPath(t.path+".clients", i), "%s", unknownRef("client", id, clientIDs))
		}
	}
	if len(t.Clients) == 0 {
		d.atPath(t.path+".clients", "list at least one client id, e.g. [%s]", strings.Join(clientIDs, ", "))
	}
	if len(t.Members) == 0 {
		d.atPath(t.path+".members", "list at least one member (person id)")
	}
	members := map[string]bool{}
	for i, id := range t.Members {
		members[id] = true
		if p := person(indexPath(t.path+".members", i), id); p != nil && p.GitHub == "" {
			d.atPath(indexPath(t.path+".members", i), "member %q has no github login: add `github: <login>` to %s (line %d); standups are pre-filled from GitHub", id, p.path, d.line(p.path))
		}
	}
	roles := t.path + ".roles"
	for key, id := range map[string]string{"em": t.Roles.EM, "pm": t.Roles.PM, "delivery_manager": t.Roles.DeliveryManager} {
		if id != "" {
			person(roles+"."+key, id)
		}
	}
	for i, id := range t.Roles.QA {
		person(indexPath(roles+".qa", i), id)
	}
	for role, ids := range t.Roles.Others {
		for i, id := range ids {
			p := roles + "." + role
			if len(ids) > 1 || d.node(indexPath(p, 0)) != nil {
				p = indexPath(p, i)
			}
			person(p, id)
		}
	}
	if t.Support != nil && t.Roles.EM == "" {
		d.atPath(roles, "team %q takes support requests, so roles.em is required: urgent requests escalate to the EM", t.ID)
	}
	if t.Standup != nil && t.Roles.DeliveryManager == "" {
		d.atPath(roles, "team %q runs standups, so roles.delivery_manager is required: blockers go to them", t.ID)
	}

	s := t.Support
	if s == nil {
		return
	}
	sp := t.path + ".support"
	for i, id := range s.Rotation.Members {
		path := indexPath(sp+".rotation.members", i)
		if person(path, id) != nil && !members[id] {
			d.atPath(path, "%q is not a member of team %q: add them to %s.members or take them off the rotation", id, t.ID, t.path)
		}
	}
	if s.DefaultPriority != "" {
		var names []string
		for _, p := range s.Priorities {
			names = append(names, p.Name)
		}
		if !contains(names, s.DefaultPriority) {
			d.atPath(sp+".default_priority", "%s", unknownRef("priority", s.DefaultPriority, names))
		}
	}
	for i, repo := range s.Repos {
		if checkRepo(repo) == nil && !watchedBy(repo, teamClients) && len(teamClients) == len(t.Clients) {
			d.atPath(indexPath(sp+".repos", i), "repo %q does not belong to the team's clients (%s): add it to a client's github.repos, or remove it", repo, strings.Join(t.Clients, ", "))
		}
	}
}

// teamClientsOf returns the team's clients that exist.
func teamClientsOf(t *Team, clients map[string]*Client) []*Client {
	var out []*Client
	for _, id := range t.Clients {
		if c, ok := clients[id]; ok {
			out = append(out, c)
		}
	}
	return out
}

func watchedBy(repo string, clients []*Client) bool {
	for _, c := range clients {
		if c.scope().watches(repo) {
			return true
		}
	}
	return false
}

// validateLabels refuses a support label that two teams watch in a common repository: a
// request must land with exactly one rotation.
func validateLabels(d *decoder, teams []*Team, clients map[string]*Client) {
	type owner struct {
		team  *Team
		scope scope
		path  string
	}
	byLabel := map[string][]owner{}
	for _, t := range teams {
		if t.Support == nil {
			continue
		}
		sc := t.supportScope(clients)
		for i, l := range t.Support.Labels {
			path := indexPath(t.path+".support.labels", i)
			for _, o := range byLabel[lower(l)] {
				if o.scope.overlaps(sc) {
					d.atPath(path, "label %q is also team %q's support label (line %d) in the same repositories; give each team its own label", l, o.team.ID, d.line(o.path))
				}
			}
			byLabel[lower(l)] = append(byLabel[lower(l)], owner{t, sc, path})
		}
	}
}

// scope is a set of repositories: whole owners plus single owner/name repos, lowercased.
type scope struct {
	orgs, repos map[string]bool
}

func (s scope) watches(repo string) bool {
	repo = lower(repo)
	owner, _, _ := strings.Cut(repo, "/")
	return s.repos[repo] || s.orgs[owner]
}

func (s scope) overlaps(o scope) bool {
	for org := range s.orgs {
		if o.orgs[org] {
			return true
		}
	}
	for r := range s.repos {
		if o.watches(r) {
			return true
		}
	}
	for r := range o.repos {
		if s.watches(r) {
			return true
		}
	}
	return false
}

func (c *Client) scope() scope {
	s := scope{orgs: map[string]bool{}, repos: map[string]bool{}}
	for _, o := range c.GitHub.Orgs {
		s.orgs[lower(o)] = true
	}
	for _, r := range c.GitHub.Repos {
		s.repos[lower(r)] = true
	}
	return s
}

// supportScope is what the team's support labels apply to: support.repos, or else every
// repository of its clients.
func (t *Team) supportScope(clients map[string]*Client) scope {
	if t.Support == nil || len(t.Support.Repos) == 0 {
		return clientsScope(t.Clients, clients)
	}
	s := scope{orgs: map[string]bool{}, repos: map[string]bool{}}
	for _, r := range t.Support.Repos {
		s.repos[lower(r)] = true
	}
	return s
}

// clientsScope is every repository of the clients ids names.
func clientsScope(ids []string, clients map[string]*Client) scope {
	s := scope{orgs: map[string]bool{}, repos: map[string]bool{}}
	for _, id := range ids {
		if c, ok := clients[id]; ok {
			cs := c.scope()
			for k := range cs.orgs {
				s.orgs[k] = true
			}
			for k := range cs.repos {
				s.repos[k] = true
			}
		}
	}
	return s
}

func lower(s string) string { return strings.ToLower(s) }

// normHeading is how issue-body headings are compared: case-insensitive, ignoring surrounding
// space, leading #'s and a trailing colon ("## Impact:" matches "impact").
func normHeading(s string) string {
	s = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(s), "#"))
	return strings.ToLower(strings.TrimSpace(strings.TrimSuffix(s, ":")))
}
