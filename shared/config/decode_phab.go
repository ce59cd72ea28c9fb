package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Decoding of the Phabricator server (top level) and each team's workboard settings.

var (
	projectPHIDRE = regexp.MustCompile(`^PHID-PROJ-[a-z0-9]+$`)
	columnPHIDRE  = regexp.MustCompile(`^PHID-PCOL-[a-z0-9]+$`)
	// Phabricator slugs are lowercased, with runs of spaces and punctuation turned into _.
	projectSlugRE = regexp.MustCompile(`^[^\s/#]+$`)
)

// minUBNNag is the support tick's period: nags are sent by it, so a shorter interval would
// only be a promise the tick cannot keep.
const minUBNNag = 5 * time.Minute

func (d *decoder) phabricatorServer(n *yaml.Node, path string) *PhabricatorServer {
	o := d.object(n, path, "url")
	if o == nil {
		return nil
	}
	s := &PhabricatorServer{}
	if o.need("url", "https://phabricator.example.org") {
		s.URL = strings.TrimSuffix(o.str("url"), "/")
		o.check("url", checkServerURL(s.URL))
	}
	return s
}

func checkServerURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
		return fmt.Errorf("url %q must be the server's root, e.g. https://phabricator.example.org", s)
	}
	if strings.HasSuffix(u.Path, "/api") {
		return fmt.Errorf("url %q: write the server's root without /api, e.g. %s", s, strings.TrimSuffix(s, "/api"))
	}
	return nil
}

func (d *decoder) teamPhabricator(n *yaml.Node, path string) *TeamPhabricator {
	o := d.object(n, path, "project", "triage_column", "triage_after", "triage_at", "ubn", "priority_owner", "columns")
	if o == nil {
		return nil
	}
	p := &TeamPhabricator{
		path:             path,
		TriageAfter:      Span{BusinessDays: 2},
		TriageAt:         Clock{Hour: 9, Minute: 30},
		UBNNagEvery:      Span{Duration: 30 * time.Minute},
		UBNEscalateAfter: Span{Duration: 2 * time.Hour},
		PriorityOwner:    RolePM,
	}
	if o.need("project", "team-rocket") {
		p.Project = strings.TrimPrefix(o.str("project"), "#")
		o.check("project", checkProjectRef(p.Project))
	}
	p.TriageColumn = o.str("triage_column")
	if v, ok := parsed(o, "triage_after", ParseSpan); ok {
		if v.BusinessDays == 0 {
			o.problem("triage_after", "triage_after counts business days: write e.g. 2d, not %s", v)
		} else {
			p.TriageAfter = v
		}
	}
	if v, ok := parsed(o, "triage_at", ParseClock); ok {
		p.TriageAt = v
	}
	if u := d.object(o.val("ubn"), o.p("ubn"), "nag_every", "escalate_after"); u != nil {
		if v, ok := parsed(u, "nag_every", ParseSpan); ok {
			switch {
			case v.BusinessDays > 0:
				u.problem("nag_every", "nag_every is a clock duration such as 30m or 1h, not business days")
			case v.Duration < minUBNNag:
				u.problem("nag_every", "nag_every %s is shorter than the 5 minutes between ticks: write 5m or more", v)
			default:
				p.UBNNagEvery = v
			}
		}
		if v, ok := parsed(u, "escalate_after", ParseSpan); ok {
			p.UBNEscalateAfter = v
		}
	}
	if o.val("priority_owner") != nil {
		p.PriorityOwner = o.str("priority_owner")
	}
	items, paths := o.list("columns", "[{column: Ready, allow: [pm]}]")
	seen := map[string]string{}
	for i, it := range items {
		r, ok := d.columnRule(it, paths[i])
		if !ok {
			continue
		}
		if first, dup := seen[lower(r.Column)]; dup {
			d.atPath(paths[i]+".column", "column %q already has a rule (line %d); put everything about one column in one rule", r.Column, d.line(first))
			continue
		}
		seen[lower(r.Column)] = paths[i] + ".column"
		p.Columns = append(p.Columns, r)
	}
	return p
}

func checkProjectRef(s string) error {
	if strings.HasPrefix(s, "PHID-") {
		if projectPHIDRE.MatchString(s) {
			return nil
		}
		return fmt.Errorf("project %q is not a project PHID (PHID-PROJ-...); write the project's slug or its PHID", s)
	}
	if !projectSlugRE.MatchString(s) || s != strings.ToLower(s) {
		return fmt.Errorf("project %q must be the project's slug as in its URL (lowercase, _ for spaces, e.g. %q) or its PHID", s, strings.ToLower(strings.Join(strings.Fields(s), "_")))
	}
	return nil
}

func (d *decoder) columnRule(n *yaml.Node, path string) (ColumnRule, bool) {
	o := d.object(n, path, "column", "allow", "require_points", "mode")
	if o == nil {
		return ColumnRule{}, false
	}
	r := ColumnRule{Mode: ModeEnforce}
	ok := o.need("column", "Ready")
	if ok {
		r.Column = o.str("column")
		if strings.HasPrefix(r.Column, "PHID-") && !columnPHIDRE.MatchString(r.Column) {
			o.problem("column", "column %q is not a column PHID (PHID-PCOL-...); write the column's name as the board shows it, or its PHID", r.Column)
		}
	}
	if v := o.val("allow"); v != nil && v.Kind == yaml.ScalarNode {
		if s := o.str("allow"); s != "" {
			r.Allow = []string{s}
		}
	} else {
		r.Allow = o.strs("allow", "[pm, qa]")
		if v != nil && v.Kind == yaml.SequenceNode && len(v.Content) == 0 {
			o.problem("allow", "an empty allow list would let nobody move tasks in; list roles or people, or remove the key to allow everyone")
		}
	}
	r.RequirePoints = o.boolean("require_points")
	if m := o.str("mode"); m != "" {
		switch RuleMode(m) {
		case ModeEnforce, ModeWarn:
			r.Mode = RuleMode(m)
		default:
			o.problem("mode", "mode %q must be enforce (move the task back and comment) or warn (comment and tell the mover)", m)
		}
	}
	if o.val("allow") == nil && !r.RequirePoints {
		d.at(o.node, path, "the rule for column %q does nothing: add allow (who may move tasks in) or require_points: true", r.Column)
	}
	return r, ok
}

// validateTeamPhabricator checks what needs the whole file: the server is configured, and
// every allow entry and the priority owner name a role the team has or a person.
func validateTeamPhabricator(d *decoder, cfg *Config, t *Team) {
	p := t.Phabricator
	if p == nil {
		return
	}
	if cfg.Phabricator == nil && d.pos["phabricator"] == nil {
		d.atPath(p.path, "team %q uses Phabricator, so the top level needs `phabricator: {url: https://phabricator.example.org}`", t.ID)
	}
	ref := func(path, name, what string) {
		if isRoleName(t, name) {
			if t.RolePeople(name) == nil {
				d.atPath(path, "team %q has nobody as %s: set roles.%s, or name people in %s", t.ID, name, name, what)
			}
			return
		}
		if personByID(cfg, name) == nil {
			roles := append(t.RoleNames(), RoleEM, RolePM, RoleQA)
			var people []string
			for _, q := range cfg.People {
				people = append(people, q.ID)
			}
			msg := fmt.Sprintf("%q is neither a role of team %q (%s) nor a person id", name, t.ID, strings.Join(uniq(roles), ", "))
			if s := closest(name, append(uniq(roles), people...), nil); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			d.atPath(path, "%s", msg)
		}
	}
	for i, r := range p.Columns {
		for j, a := range r.Allow {
			ap := indexPath(indexPath(p.path+".columns", i)+".allow", j)
			if d.pos[ap] == nil {
				ap = indexPath(p.path+".columns", i) + ".allow"
			}
			ref(ap, a, "allow")
		}
	}
	if d.pos[p.path+".priority_owner"] != nil {
		ref(p.path+".priority_owner", p.PriorityOwner, "priority_owner")
	}
}

// personByID finds a person before the index is built (during validation).
func personByID(c *Config, id string) *Person {
	for _, p := range c.People {
		if p.ID == id {
			return p
		}
	}
	return nil
}

func uniq(l []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range l {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
