package config

import (
	"sort"
	"strings"
)

// validateManagement checks every client's hr.management entry: a role held in a team that
// works for the client, or a person id. "members" is refused: reviewer notes are never for
// every developer.
func validateManagement(d *decoder, cfg *Config) {
	people := map[string]bool{}
	var ids []string
	for _, p := range cfg.People {
		if p.ID != "" && !people[p.ID] {
			people[p.ID] = true
			ids = append(ids, p.ID)
		}
	}
	for _, c := range cfg.Clients {
		if len(c.HR.Management) == 0 {
			continue
		}
		held := map[string]bool{}
		for _, t := range cfg.Teams {
			if !contains(t.Clients, c.ID) {
				continue
			}
			for _, r := range t.RoleNames() {
				held[r] = true
			}
		}
		var roles []string
		for r := range held {
			if r != RoleMembers {
				roles = append(roles, r)
			}
		}
		sort.Strings(roles)
		for i, e := range c.HR.Management {
			path := indexPath(c.path+".hr.management", i)
			switch {
			case e == RoleMembers:
				d.atPath(path, "members would show reviewer notes to every developer: name roles (e.g. em) or people")
			case held[e] || people[e], checkSlug("", e) != nil: // a bad slug was reported as such
			case isNamedRole(e):
				d.atPath(path, "no team working for %q has a %s: set it in the team's roles, or name a person", c.ID, e)
			default:
				d.atPath(path, "%s", unknownManager(e, c.ID, roles, ids))
			}
		}
	}
}

func isNamedRole(r string) bool {
	return r == RoleEM || r == RolePM || r == RoleDeliveryManager || r == RoleQA
}

// unknownManager says an entry is neither a role of the client's teams nor a person, with the
// closest of either as a suggestion.
func unknownManager(e, client string, roles, people []string) string {
	msg := "unknown role or person \"" + e + "\""
	if s := closest(e, append(append([]string{}, roles...), people...), strings.ToLower); s != "" {
		msg += " (did you mean \"" + s + "\"?)"
	}
	msg += "; roles in teams working for " + client + ": "
	if len(roles) == 0 {
		msg += "none"
	} else {
		msg += strings.Join(roles, ", ")
	}
	return msg + "; or a person id"
}
