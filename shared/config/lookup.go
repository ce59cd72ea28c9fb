package config

import (
	"slices"
	"sort"
	"strings"
	"time"
)

// index holds the lookup maps, built once by Parse so every lookup is O(1) (plus the size of
// the answer). Keys that GitHub or Phabricator treat case-insensitively are lowercased.
type index struct {
	people, github, slack, phab map[string]*Person
	clients                     map[string]*Client
	teams                       map[string]*Team
	labels                      map[string][]*Team // lowercased support label → teams
	teamsOf                     map[string][]*Team
	clientsOf                   map[string][]*Client
}

func (c *Config) buildIndex() {
	x := index{
		people: map[string]*Person{}, github: map[string]*Person{}, slack: map[string]*Person{}, phab: map[string]*Person{},
		clients: map[string]*Client{}, teams: map[string]*Team{}, labels: map[string][]*Team{},
		teamsOf: map[string][]*Team{}, clientsOf: map[string][]*Client{},
	}
	for _, p := range c.People {
		x.people[p.ID] = p
		if p.GitHub != "" {
			x.github[lower(p.GitHub)] = p
		}
		x.slack[p.Slack] = p
		if p.Phabricator != "" {
			x.phab[lower(p.Phabricator)] = p
		}
	}
	for _, cl := range c.Clients {
		s := cl.scope()
		cl.orgs, cl.repos = s.orgs, s.repos
		x.clients[cl.ID] = cl
	}
	for _, t := range c.Teams {
		x.teams[t.ID] = t
		t.people = x.people
		t.members = map[string]bool{}
		for _, m := range t.Members {
			t.members[m] = true
			x.teamsOf[m] = append(x.teamsOf[m], t)
		}
		t.clients = nil
		for _, id := range t.Clients {
			t.clients = append(t.clients, x.clients[id])
		}
		if s := t.Support; s != nil {
			s.labels, s.repos = map[string]bool{}, map[string]bool{}
			for _, l := range s.Labels {
				s.labels[lower(l)] = true
				x.labels[lower(l)] = append(x.labels[lower(l)], t)
			}
			for _, r := range s.Repos {
				s.repos[lower(r)] = true
			}
		}
		if c := t.Clinic; c != nil {
			c.repos = map[string]bool{}
			for _, r := range c.Repos {
				c.repos[lower(r)] = true
			}
		}
	}
	// Clients per person in file order of clients, each once.
	for _, p := range c.People {
		seen := map[*Client]bool{}
		for _, t := range x.teamsOf[p.ID] {
			for _, cl := range t.clients {
				seen[cl] = true
			}
		}
		for _, cl := range c.Clients {
			if seen[cl] {
				x.clientsOf[p.ID] = append(x.clientsOf[p.ID], cl)
			}
		}
	}
	c.idx = x
	c.indexLabelRules()
}

// PersonByID returns the person with that id, or nil.
func (c *Config) PersonByID(id string) *Person { return c.idx.people[id] }

// PersonByGitHub returns the person with that GitHub login (any case, as GitHub compares
// them), or nil: e.g. for the sender of a webhook.
func (c *Config) PersonByGitHub(login string) *Person { return c.idx.github[lower(login)] }

// PersonBySlack returns the person with that Slack user id, or nil: e.g. for who clicked.
func (c *Config) PersonBySlack(userID string) *Person { return c.idx.slack[userID] }

// PersonByPhabricator returns the person with that Phabricator username (any case), or nil.
func (c *Config) PersonByPhabricator(username string) *Person {
	return c.idx.phab[lower(username)]
}

// Team returns the team with that id, or nil.
func (c *Config) Team(id string) *Team { return c.idx.teams[id] }

// Client returns the client with that id, or nil.
func (c *Config) Client(id string) *Client { return c.idx.clients[id] }

// TeamsForLabel returns the teams for which label, added to an issue in repo ("owner/name"),
// opens a support request: teams that have label (any case) as a support label and watch repo
// (their support.repos, or else their clients' orgs and repos). Parse guarantees at most one
// team per (repo, label); nil means the label is not a support label there.
func (c *Config) TeamsForLabel(repo, label string) []*Team {
	var out []*Team
	for _, t := range c.idx.labels[lower(label)] {
		if t.SupportWatches(repo) {
			out = append(out, t)
		}
	}
	return out
}

// TeamsOf returns the teams personID is a member of (not merely has a role in), in file order.
func (c *Config) TeamsOf(personID string) []*Team { return c.idx.teamsOf[personID] }

// ClientsForPerson returns the clients personID works for through their team memberships, each
// once, in file order: a developer writes one standup per client.
func (c *Config) ClientsForPerson(personID string) []*Client { return c.idx.clientsOf[personID] }

// ClientsForRepo returns the clients that repo ("owner/name") belongs to, in file order.
func (c *Config) ClientsForRepo(repo string) []*Client {
	var out []*Client
	for _, cl := range c.Clients {
		if cl.Watches(repo) {
			out = append(out, cl)
		}
	}
	return out
}

// Location returns the person's time zone, loaded once by Parse.
func (p *Person) Location() *time.Location { return loadedOr(p.loc, p.TimeZone) }

// AwayOn reports whether d falls in one of the person's away ranges (public holidays are the
// caller's business: see Country).
func (p *Person) AwayOn(d Date) bool {
	for _, r := range p.Away {
		if r.Contains(d) {
			return true
		}
	}
	return false
}

// RolePeople returns the ids of the people holding role in the team: em, pm,
// delivery_manager, qa, members (every member), or any role of Roles.Others; nil when nobody
// holds it.
func (t *Team) RolePeople(role string) []string {
	one := func(id string) []string {
		if id == "" {
			return nil
		}
		return []string{id}
	}
	switch role {
	case RoleEM:
		return one(t.Roles.EM)
	case RolePM:
		return one(t.Roles.PM)
	case RoleDeliveryManager:
		return one(t.Roles.DeliveryManager)
	case RoleQA:
		return t.Roles.QA
	case RoleMembers:
		return t.Members
	}
	return t.Roles.Others[role]
}

// HasRole reports whether the person holds role in the team (see RolePeople).
func (t *Team) HasRole(personID, role string) bool {
	return slices.Contains(t.RolePeople(role), personID)
}

// RoleNames lists the roles held in the team: the named ones that are set, the others sorted,
// then members.
func (t *Team) RoleNames() []string {
	var out []string
	for _, r := range []string{RoleEM, RolePM, RoleDeliveryManager, RoleQA} {
		if len(t.RolePeople(r)) > 0 {
			out = append(out, r)
		}
	}
	others := make([]string, 0, len(t.Roles.Others))
	for r := range t.Roles.Others {
		others = append(others, r)
	}
	sort.Strings(others)
	return append(append(out, others...), RoleMembers)
}

// Location returns the team's time zone, loaded once by Parse.
func (t *Team) Location() *time.Location { return loadedOr(t.loc, t.TimeZone) }

// HasMember reports whether personID is one of the team's members.
func (t *Team) HasMember(personID string) bool {
	if t.members == nil {
		return contains(t.Members, personID)
	}
	return t.members[personID]
}

// SupportWatches reports whether the team's support labels apply in repo: repo is in
// support.repos, or (when that is empty) belongs to one of the team's clients. False for a team
// without support.
func (t *Team) SupportWatches(repo string) bool {
	if t.Support == nil {
		return false
	}
	if len(t.Support.Repos) > 0 {
		return t.Support.repos[lower(repo)]
	}
	for _, c := range t.clients {
		if c.Watches(repo) {
			return true
		}
	}
	return false
}

// Watches reports whether repo ("owner/name", any case) belongs to the client: its owner is one
// of the client's orgs or it is one of the client's repos.
func (c *Client) Watches(repo string) bool {
	repo = lower(repo)
	owner, _, _ := strings.Cut(repo, "/")
	return c.orgs[owner] || c.repos[repo]
}

// HasLabel reports whether label (any case) is one of the team's support labels.
func (s *Support) HasLabel(label string) bool { return s.labels[lower(label)] }

// Priority returns the priority called name.
func (s *Support) Priority(name string) (Priority, bool) {
	for _, p := range s.Priorities {
		if p.Name == name {
			return p, true
		}
	}
	return Priority{}, false
}

// PriorityFor returns the highest priority any of an issue's labels means, or the default
// priority when none does.
func (s *Support) PriorityFor(labels []string) Priority {
	for _, p := range s.Priorities {
		for _, pl := range p.Labels {
			for _, l := range labels {
				if strings.EqualFold(pl, l) {
					return p
				}
			}
		}
	}
	p, _ := s.Priority(s.DefaultPriority)
	return p
}

// Matches reports whether a Markdown heading ("## Summary:", "context") stands for the
// section: its title or an alias, ignoring case, leading #'s, surrounding space and a trailing
// colon.
func (s Section) Matches(heading string) bool {
	h := normHeading(heading)
	if h == normHeading(s.Title) {
		return true
	}
	for _, a := range s.Aliases {
		if h == normHeading(a) {
			return true
		}
	}
	return false
}

func loadedOr(loc *time.Location, name string) *time.Location {
	if loc != nil {
		return loc
	}
	// Only a value built by hand rather than by Parse gets here.
	if l, err := time.LoadLocation(name); err == nil {
		return l
	}
	return time.UTC
}
