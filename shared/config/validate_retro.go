package config

// validateDACI checks a team's decision matrix against its roles: every role named is held by
// someone in the team (so a misspelt role cannot silently leave people out of a decision), and
// every kind has someone to drive or approve it.
func validateDACI(d *decoder, t *Team) {
	held := t.RoleNames()
	for _, k := range t.DACI {
		decides := false
		for _, rp := range k.Roles {
			if rp.Letter == Drives || rp.Letter == Approves {
				decides = true
			}
			if len(t.RolePeople(rp.Role)) > 0 {
				continue
			}
			p := joinPath(k.path+".roles", rp.Role)
			if s := closest(rp.Role, held, normKey); s != "" && s != rp.Role {
				d.atPath(p, "team %q has no role %q (did you mean %q?); roles held: %s", t.ID, rp.Role, s, listSome(held))
			} else {
				d.atPath(p, "team %q has no role %q: give it to someone under the team's roles (e.g. `%s: alice`), or leave it out of this row; roles held: %s", t.ID, rp.Role, rp.Role, listSome(held))
			}
		}
		if !decides && len(k.Roles) > 0 {
			d.atPath(k.path+".roles", "kind %q needs a role that drives (D) or approves (A): without one nobody can settle it", k.ID)
		}
	}
}
