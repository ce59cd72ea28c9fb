package config

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// Decoding of people and clients; see decode.go for the helpers.

func (d *decoder) person(n *yaml.Node, path string) *Person {
	o := d.object(n, path, "id", "name", "github", "slack", "phabricator", "timezone", "country", "away")
	if o == nil {
		return nil
	}
	p := &Person{path: path}
	if o.need("id", "alice") {
		p.ID = o.str("id")
		o.check("id", checkSlug("id", p.ID))
	}
	p.Name = o.str("name")
	if p.Name == "" {
		p.Name = p.ID
	}
	if p.GitHub = o.str("github"); p.GitHub != "" {
		o.check("github", checkGitHubName("github login", p.GitHub))
	}
	if o.need("slack", "U01ABCDEF") {
		p.Slack = o.str("slack")
		o.check("slack", checkSlackUser(p.Slack))
	}
	if p.Phabricator = o.str("phabricator"); p.Phabricator != "" && strings.ContainsAny(p.Phabricator, " \t") {
		o.problem("phabricator", "phabricator username %q must not contain spaces (the username, not the display name)", p.Phabricator)
	}
	if o.need("timezone", "Europe/London") {
		p.TimeZone = o.str("timezone")
		loc, err := checkTimeZone(p.TimeZone)
		o.check("timezone", err)
		p.loc = loc
	}
	if o.need("country", "GB") {
		p.Country = o.str("country")
		o.check("country", checkCountry(p.Country))
	}
	items, paths := o.list("away", "[{from: 2026-12-24, to: 2027-01-01}]")
	for i, it := range items {
		if r, ok := d.dateRange(it, paths[i]); ok {
			p.Away = append(p.Away, r)
		}
	}
	return p
}

// dateRange reads {from, to, note}, or a single date meaning that one day.
func (d *decoder) dateRange(n *yaml.Node, path string) (DateRange, bool) {
	if n.Kind == yaml.ScalarNode {
		day, err := ParseDate(n.Value)
		if err != nil {
			d.at(n, path, "%s", err.Error())
			return DateRange{}, false
		}
		return DateRange{From: day, To: day}, true
	}
	o := d.object(n, path, "from", "to", "note")
	if o == nil {
		return DateRange{}, false
	}
	o.need("from", "2026-12-24")
	o.need("to", "2027-01-01")
	from, ok1 := parsed(o, "from", ParseDate)
	to, ok2 := parsed(o, "to", ParseDate)
	if !ok1 || !ok2 {
		return DateRange{}, false
	}
	if to.Compare(from) < 0 {
		o.problem("to", "to %s is before from %s", to, from)
		return DateRange{}, false
	}
	return DateRange{From: from, To: to, Note: o.str("note")}, true
}

func (d *decoder) client(n *yaml.Node, path string) *Client {
	o := d.object(n, path, "id", "name", "github", "hr")
	if o == nil {
		return nil
	}
	c := &Client{path: path}
	if o.need("id", "acme") {
		c.ID = o.str("id")
		o.check("id", checkSlug("id", c.ID))
	}
	if c.Name = o.str("name"); c.Name == "" {
		c.Name = c.ID
	}
	if o.need("github", "{orgs: [acme]}") {
		g := d.object(o.val("github"), o.p("github"), "orgs", "repos")
		c.GitHub.Orgs = g.strs("orgs", "[acme]")
		for i, org := range c.GitHub.Orgs {
			if err := checkGitHubName("org", org); err != nil {
				d.atPath(indexPath(g.p("orgs"), i), "%s", err)
			}
		}
		c.GitHub.Repos = g.strs("repos", "[partner/shared-lib]")
		for i, r := range c.GitHub.Repos {
			if err := checkRepo(r); err != nil {
				d.atPath(indexPath(g.p("repos"), i), "%s", err)
			}
		}
		if g != nil && g.empty("orgs") && g.empty("repos") {
			d.at(g.node, g.path, "list the client's GitHub orgs or repos (e.g. orgs: [acme]), or support and standups cannot tell which repositories are theirs")
		}
	}
	if o.need("hr", "{reviewer: carol, repo: acme/hr}") {
		h := d.object(o.val("hr"), o.p("hr"), "reviewer", "repo", "overdue_after_business_days", "management")
		if h.need("reviewer", "carol") {
			c.HR.Reviewer = h.str("reviewer")
		}
		if h.need("repo", "acme/hr") {
			c.HR.Repo = h.str("repo")
			h.check("repo", checkRepo(c.HR.Repo))
		}
		c.HR.OverdueAfterBusinessDays = 2
		if v, ok := h.integer("overdue_after_business_days"); ok {
			if v < 1 {
				h.problem("overdue_after_business_days", "must be at least 1 (business days)")
			}
			c.HR.OverdueAfterBusinessDays = v
		}
		c.HR.Management = d.management(h)
	}
	return c
}
