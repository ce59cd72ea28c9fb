package config

import (
	"fmt"
	"sort"
	"strings"
)

// validateLabelRules checks what a team's label rules name against the rest of the file —
// labels, repositories, priorities, channels, people, roles and rotations — resolves each
// post's channel to its id, and refuses rules that would trigger themselves in a loop.
func validateLabelRules(d *decoder, cfg *Config, clients map[string]*Client) {
	people := map[string]*Person{}
	var ids []string
	for _, p := range cfg.People {
		if _, dup := people[p.ID]; !dup && p.ID != "" {
			people[p.ID] = p
			ids = append(ids, p.ID)
		}
	}
	for _, t := range cfg.Teams {
		seen := map[string]string{}
		for _, r := range t.LabelRules {
			if first, dup := seen[r.ID]; dup && r.ID != "" {
				d.atPath(r.path+".id", "duplicate rule id %q (first at line %d); rule ids must be unique in the team", r.ID, d.line(first))
			} else {
				seen[r.ID] = r.path + ".id"
			}
			v := ruleValidator{d: d, team: t, people: people, personIDs: ids, clients: clients}
			v.rule(r)
		}
	}
	validateRuleLoops(d, cfg.Teams, clients)
}

type ruleValidator struct {
	d         *decoder
	team      *Team
	people    map[string]*Person
	personIDs []string
	clients   map[string]*Client
}

// knownLabels are the labels a team's rules may name: its labels, support labels and
// priority labels, lowercased, with the spelling to show.
func (t *Team) knownLabels() map[string]string {
	out := map[string]string{}
	for _, l := range t.Labels {
		out[lower(l)] = l
	}
	if s := t.Support; s != nil {
		for _, l := range s.Labels {
			out[lower(l)] = l
		}
		for _, p := range s.Priorities {
			for _, l := range p.Labels {
				out[lower(l)] = l
			}
		}
	}
	return out
}

func (v ruleValidator) label(path, label string) {
	if label == "" {
		return
	}
	known := v.team.knownLabels()
	if _, ok := known[lower(label)]; ok {
		return
	}
	var names []string
	for _, l := range known {
		names = append(names, l)
	}
	msg := fmt.Sprintf("unknown label %q", label)
	if s := closest(label, names, nil); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	v.d.atPath(path, "%s: list it in %s.labels, the labels the team's rules may name (e.g. labels: [%s])", msg, v.team.path, label)
}

func (v ruleValidator) rule(r *LabelRule) {
	w := r.When
	v.label(r.path+".when.label", w.Label)
	var teamClients []*Client
	for _, id := range v.team.Clients {
		if c, ok := v.clients[id]; ok {
			teamClients = append(teamClients, c)
		}
	}
	for i, repo := range w.Repos {
		if checkRepo(repo) == nil && !watchedBy(repo, teamClients) && len(teamClients) == len(v.team.Clients) {
			v.d.atPath(indexPath(r.path+".when.repos", i), "repo %q does not belong to the team's clients (%s): add it to a client's github.repos, or remove it", repo, strings.Join(v.team.Clients, ", "))
		}
	}
	for i, p := range w.Priorities {
		path := indexPath(r.path+".when.priorities", i)
		if v.team.Support == nil {
			v.d.atPath(path, "priority %q: team %q has no support priorities (support.priorities); remove when.priorities", p, v.team.ID)
			continue
		}
		if _, ok := v.team.Support.Priority(p); !ok {
			var names []string
			for _, pr := range v.team.Support.Priorities {
				names = append(names, pr.Name)
			}
			v.d.atPath(path, "%s", unknownRef("priority", p, names))
		}
	}
	for i := range r.Do {
		v.action(&r.Do[i])
	}
	for _, t := range r.Timers {
		for i := range t.Do {
			v.action(&t.Do[i])
		}
	}
}

func (v ruleValidator) action(a *LabelAction) {
	t := v.team
	switch a.Kind {
	case ActionPost:
		a.Channel = t.ChannelID(a.ChannelName)
		if a.Channel == "" && a.ChannelName != "" {
			names := append(append([]string(nil), BuiltinChannels...), mapKeys(t.Slack.Channels)...)
			msg := fmt.Sprintf("unknown channel %q", a.ChannelName)
			if s := closest(a.ChannelName, names, normKey); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			v.d.atPath(a.path+".channel", "%s: write team, support, digest or a name from %s.slack.channels (%s), and add other channels there first", msg, t.path, strings.Join(mapKeys(t.Slack.Channels), ", "))
		}
	case ActionDM, ActionAssign:
		v.target(a)
	case ActionAddLabels, ActionRemoveLabels:
		for i, l := range a.Labels {
			path := indexPath(a.path, i)
			if len(a.Labels) == 1 && v.d.node(path) == nil {
				path = a.path
			}
			v.label(path, l)
		}
	}
}

func (v ruleValidator) target(a *LabelAction) {
	t := v.team
	tg := a.Target
	switch {
	case tg.Person != "":
		p, ok := v.people[tg.Person]
		if !ok {
			v.d.atPath(a.path+".person", "%s", unknownRef("person", tg.Person, v.personIDs))
			return
		}
		if a.Kind == ActionAssign && p.GitHub == "" {
			v.d.atPath(a.path+".person", "%q has no github login to assign: add `github: <login>` to %s (line %d)", p.ID, p.path, v.d.line(p.path))
		}
	case tg.Role != "":
		holders := t.RolePeople(tg.Role)
		if len(holders) == 0 {
			v.d.atPath(a.path+".role", "%s", unknownChoice("role", tg.Role, t.RoleNames())+fmt.Sprintf(": team %q gives nobody that role", t.ID))
			return
		}
		if a.Kind == ActionAssign {
			for _, id := range holders {
				if p, ok := v.people[id]; ok && p.GitHub == "" {
					v.d.atPath(a.path+".role", "%s %q has no github login to assign: add `github: <login>` to %s (line %d)", tg.Role, p.ID, p.path, v.d.line(p.path))
				}
			}
		}
	case tg.Rotation != "":
		if rots := t.Rotations(); !contains(rots, tg.Rotation) {
			if len(rots) == 0 {
				v.d.atPath(a.path+".rotation", "unknown rotation %q: team %q has no rotation (add support.rotation or clinic.rotation)", tg.Rotation, t.ID)
				return
			}
			v.d.atPath(a.path+".rotation", "%s", unknownChoice("rotation", tg.Rotation, rots))
			return
		}
		if r := t.Rotation(tg.Rotation); a.Kind == ActionAssign && r != nil {
			for _, id := range r.Members {
				if p, ok := v.people[id]; ok && p.GitHub == "" {
					v.d.atPath(a.path+".rotation", "rotation member %q has no github login to assign: add `github: <login>` to %s (line %d)", p.ID, p.path, v.d.line(p.path))
				}
			}
		}
	case tg.Assignees && a.Kind == ActionAssign:
		v.d.atPath(a.path, "assign needs a person, role or rotation")
	}
}

func mapKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ruleNode is one rule in the loop graph.
type ruleNode struct {
	team  *Team
	rule  *LabelRule
	scope scope
}

// ruleEdge says that from's action (at path) adds or removes label, which triggers to.
type ruleEdge struct {
	to    int
	path  string
	verb  string
	label string
}

// validateRuleLoops refuses rules that trigger themselves: a rule whose actions add (or
// remove) the label it reacts to being added (removed), and chains of rules, in any teams
// watching a common repository, whose actions trigger each other in a cycle. Rituals' own
// label changes come back as webhooks, so such rules would run forever.
func validateRuleLoops(d *decoder, teams []*Team, clients map[string]*Client) {
	var nodes []ruleNode
	for _, t := range teams {
		for _, r := range t.LabelRules {
			if r.When.Label != "" {
				nodes = append(nodes, ruleNode{t, r, r.scopeIn(t, clients)})
			}
		}
	}
	edges := make([][]ruleEdge, len(nodes))
	for i, n := range nodes {
		for _, a := range n.rule.allActions() {
			if a.Kind != ActionAddLabels && a.Kind != ActionRemoveLabels {
				continue
			}
			removing := a.Kind == ActionRemoveLabels
			for li, l := range a.Labels {
				path := indexPath(a.path, li)
				if d.node(path) == nil {
					path = a.path
				}
				for j, m := range nodes {
					if m.rule.When.Removed == removing && strings.EqualFold(m.rule.When.Label, l) && n.rule.When.kindsOverlap(m.rule.When) && n.scope.overlaps(m.scope) {
						edges[i] = append(edges[i], ruleEdge{to: j, path: path, verb: map[bool]string{true: "removes", false: "adds"}[removing], label: l})
					}
				}
			}
		}
	}
	for start := range nodes {
		for _, e := range edges[start] {
			if e.to == start {
				r := nodes[start].rule
				d.atPath(e.path, "rule %q %s %q, the label it reacts to, so it would trigger itself in a loop: remove this action", r.ID, e.verb, e.label)
			}
		}
		// A cycle through later rules only, so each is reported once, at its first rule.
		if cycle := findCycle(start, edges); cycle != nil {
			var steps []string
			from := start
			for _, e := range cycle {
				steps = append(steps, fmt.Sprintf("%q %s %q (line %d), which triggers %q", nodes[from].rule.ID, e.verb, e.label, d.line(e.path), nodes[e.to].rule.ID))
				from = e.to
			}
			d.atPath(nodes[start].rule.path+".id", "rules trigger each other in a loop: %s; break the chain", strings.Join(steps, "; "))
		}
	}
}

// findCycle returns the edges of a cycle of two or more rules from start back to start that
// visits only rules after start, or nil.
func findCycle(start int, edges [][]ruleEdge) []ruleEdge {
	seen := map[int]bool{}
	var path []ruleEdge
	var walk func(n int) bool
	walk = func(n int) bool {
		for _, e := range edges[n] {
			if e.to == start && n != start {
				path = append(path, e)
				return true
			}
			if e.to <= start || seen[e.to] {
				continue
			}
			seen[e.to] = true
			path = append(path, e)
			if walk(e.to) {
				return true
			}
			path = path[:len(path)-1]
		}
		return false
	}
	if walk(start) {
		return path
	}
	return nil
}

// allActions returns the rule's immediate and timer actions.
func (r *LabelRule) allActions() []LabelAction {
	out := append([]LabelAction(nil), r.Do...)
	for _, t := range r.Timers {
		out = append(out, t.Do...)
	}
	return out
}

func (w LabelTrigger) kindsOverlap(o LabelTrigger) bool {
	return w.Issues && o.Issues || w.PullRequests && o.PullRequests
}

// scopeIn is the repositories a rule applies to: when.repos, or else every repository of the
// team's clients.
func (r *LabelRule) scopeIn(t *Team, clients map[string]*Client) scope {
	if len(r.When.Repos) == 0 {
		return clientsScope(t.Clients, clients)
	}
	s := scope{orgs: map[string]bool{}, repos: map[string]bool{}}
	for _, repo := range r.When.Repos {
		s.repos[lower(repo)] = true
	}
	return s
}
