package config

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// Decoding of a team's retro settings and DACI matrix.

func (d *decoder) retro(n *yaml.Node, path string) *Retro {
	o := d.object(n, path, "fields", "dots", "anonymous", "hide_votes", "actions", "repo", "labels")
	if o == nil {
		return nil
	}
	r := DefaultRetro()
	if o.val("fields") != nil {
		r.Fields = o.strs("fields", "[went well, not working, open questions]")
		switch {
		case len(r.Fields) == 0 && !o.empty("fields"):
			// Every entry was reported.
		case len(r.Fields) == 0:
			o.problem("fields", "list at least one field, e.g. [went well, not working, open questions], or remove the key for those")
		case len(r.Fields) > MaxRetroFields:
			o.problem("fields", "a board has at most %d fields; this lists %d", MaxRetroFields, len(r.Fields))
		}
		var items []*yaml.Node
		var paths []string
		if o.val("fields").Kind == yaml.SequenceNode {
			items, paths = o.list("fields", "")
		}
		for i, it := range items {
			f := strings.TrimSpace(it.Value)
			switch {
			case it.Kind != yaml.ScalarNode:
			case isDigits(f):
				d.at(it, paths[i], "field %q is a number, which `/retro add` reads as a field's position: name it in words", f)
			case len([]rune(f)) > 60:
				d.at(it, paths[i], "field names are at most 60 characters (this one has %d)", len([]rune(f)))
			}
		}
	}
	if v, ok := o.integer("dots"); ok {
		if v < 1 || v > MaxRetroDots {
			o.problem("dots", "dots must be from 1 to %d (each person's dots per retro), not %d", MaxRetroDots, v)
		}
		r.Dots = v
	}
	r.Anonymous = o.boolean("anonymous")
	r.HideVotes = o.boolean("hide_votes")
	if v, ok := o.integer("actions"); ok {
		if v < 0 || v > MaxRetroActions {
			o.problem("actions", "actions must be from 0 (no action items) to %d, not %d", MaxRetroActions, v)
		}
		r.Actions = v
	}
	if r.Repo = o.str("repo"); r.Repo != "" {
		o.check("repo", checkRepo(r.Repo))
	}
	if o.val("labels") != nil {
		r.Labels = o.strs("labels", "[retro]")
	}
	return r
}

// daci reads a team's decision matrix: a list of {kind, name, roles: {role: D|A|C|I}}.
// Whether each role is held in the team is checked in validate, once the roles are read.
func (d *decoder) daci(team *obj, key string) []*DecisionKind {
	const example = "[{kind: technical-approach, name: Determine technical approach, roles: {em: A, tech_lead: D, members: C, pm: I}}]"
	items, paths := team.list(key, example)
	var out []*DecisionKind
	seen := map[string]string{} // kind → path
	for i, it := range items {
		o := d.object(it, paths[i], "kind", "name", "roles")
		if o == nil {
			continue
		}
		k := &DecisionKind{path: paths[i]}
		if o.need("kind", "technical-approach") {
			k.ID = o.str("kind")
			if err := checkSlug("kind", k.ID); err != nil {
				o.check("kind", err)
			} else if first, dup := seen[k.ID]; dup {
				o.problem("kind", "kind %q is listed twice (first at line %d); each kind of decision has one row", k.ID, d.line(first))
			}
			seen[k.ID] = o.p("kind")
		}
		if k.Name = o.str("name"); k.Name == "" {
			k.Name = k.ID
		}
		if o.need("roles", "{em: A, tech_lead: D, members: C}") {
			k.Roles = d.roleParts(o.val("roles"), o.p("roles"))
		}
		out = append(out, k)
	}
	return out
}

func (d *decoder) roleParts(n *yaml.Node, path string) []RolePart {
	if n.Kind != yaml.MappingNode {
		d.at(n, path, "must be a mapping of roles to D, A, C or I, e.g. {em: A, tech_lead: D, members: C}, not %s", describe(n))
		return nil
	}
	var out []RolePart
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], d.resolve(n.Content[i+1])
		kp := joinPath(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			d.at(k, kp, "role %q appears twice (first at line %d); keep one", k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		if err := checkSlug("role name", k.Value); err != nil {
			d.at(k, kp, "%s", err.Error())
			continue
		}
		d.pos[kp] = k
		if v == nil {
			d.at(k, kp, "give role %s a letter: D (drives), A (approves), C (consulted) or I (informed); leave the role out when it is not involved", k.Value)
			continue
		}
		s, ok := d.scalarText(v, kp, "one letter: D, A, C or I")
		if !ok {
			continue
		}
		l := DACILetter(s)
		switch l {
		case Drives, Approves, Consulted, Informed:
		default:
			if up := DACILetter(strings.ToUpper(s)); len(s) == 1 && strings.Contains("DACI", string(up)) {
				d.at(v, kp, "write the letter in capitals: %s", up)
			} else {
				d.at(v, kp, "%q is not a DACI letter: write D (drives), A (approves), C (consulted) or I (informed)", s)
			}
			continue
		}
		out = append(out, RolePart{Role: k.Value, Letter: l})
	}
	return out
}
