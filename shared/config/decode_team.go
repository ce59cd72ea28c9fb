package config

import "gopkg.in/yaml.v3"

// Decoding of teams and their standups.

func (d *decoder) team(n *yaml.Node, path string) *Team {
	o := d.object(n, path, "id", "name", "clients", "timezone", "members", "roles", "slack", "standup", "support", "retro", "daci", "labels", "label_rules", "phabricator", "sprints", "clinic")
	if o == nil {
		return nil
	}
	t := &Team{path: path}
	if o.need("id", "platform") {
		t.ID = o.str("id")
		o.check("id", checkSlug("id", t.ID))
	}
	if t.Name = o.str("name"); t.Name == "" {
		t.Name = t.ID
	}
	o.need("clients", "[acme]")
	t.Clients = o.strs("clients", "[acme]")
	if o.need("timezone", "Europe/London") {
		t.TimeZone = o.str("timezone")
		loc, err := checkTimeZone(t.TimeZone)
		o.check("timezone", err)
		t.loc = loc
	}
	o.need("members", "[alice, bob]")
	t.Members = o.strs("members", "[alice, bob]")

	t.Roles = d.roles(o.val("roles"), o.p("roles"))

	if o.need("slack", "{channel: C01ABCDEF}") {
		s := d.object(o.val("slack"), o.p("slack"), "channel", "support_channel", "digest_channel", "channels")
		for _, key := range []string{"channel", "support_channel", "digest_channel"} {
			if v := s.str(key); v != "" {
				s.check(key, checkSlackChannel(v))
			}
		}
		s.need("channel", "C01ABCDEF")
		t.Slack = TeamSlack{Channel: s.str("channel"), SupportChannel: s.str("support_channel"), DigestChannel: s.str("digest_channel")}
		if t.Slack.SupportChannel == "" {
			t.Slack.SupportChannel = t.Slack.Channel
		}
		if t.Slack.DigestChannel == "" {
			t.Slack.DigestChannel = t.Slack.Channel
		}
		t.Slack.Channels = d.namedChannels(s)
	}
	if o.val("standup") != nil {
		t.Standup = d.standup(o.val("standup"), o.p("standup"))
	}
	if o.val("support") != nil {
		t.Support = d.support(o.val("support"), o.p("support"), t)
	}
	if o.val("retro") != nil {
		t.Retro = d.retro(o.val("retro"), o.p("retro"))
	}
	t.DACI = d.daci(o, "daci")
	t.Labels = o.strs("labels", "[needs-info, security]")
	t.LabelRules = d.labelRules(o)
	if o.val("phabricator") != nil {
		t.Phabricator = d.teamPhabricator(o.val("phabricator"), o.p("phabricator"))
	}
	if o.val("clinic") != nil {
		t.Clinic = d.clinic(o.val("clinic"), o.p("clinic"), t)
	}
	if o.val("sprints") != nil {
		t.Sprints = d.sprints(o.val("sprints"), o.p("sprints"))
	}
	return t
}

func (d *decoder) standup(n *yaml.Node, path string) *Standup {
	o := d.object(n, path, "days", "due", "nag", "digest")
	if o == nil {
		return nil
	}
	s := &Standup{}
	if o.need("days", "weekdays") {
		s.Days = o.weekdays("days")
	}
	var okDue, okNag bool
	if o.need("due", `"06:00"`) {
		s.Due, okDue = parsed(o, "due", ParseClock)
	}
	if o.need("nag", `"09:30"`) {
		s.Nag, okNag = parsed(o, "nag", ParseClock)
	}
	if okDue && okNag && s.Nag.Minutes() <= s.Due.Minutes() {
		o.problem("nag", "nag %s must be later than due %s (both are the developer's local time)", s.Nag, s.Due)
	}
	if o.need("digest", `"10:30"`) {
		s.Digest, _ = parsed(o, "digest", ParseClock)
	}
	return s
}

// weekdays reads "weekdays" or a list of day names (which may include "weekdays").
func (o *obj) weekdays(key string) Weekdays {
	n := o.val(key)
	if n == nil {
		return 0
	}
	one := func(n *yaml.Node, path string) Weekdays {
		if n.Kind == yaml.ScalarNode && n.Value == "weekdays" {
			return BusinessWeek
		}
		s, ok := o.d.scalarText(n, path, "a day name")
		if !ok {
			return 0
		}
		wd, err := ParseWeekday(s)
		if err != nil {
			o.d.at(n, path, "%s, or the word weekdays", err)
			return 0
		}
		return 1 << wd
	}
	if n.Kind == yaml.ScalarNode {
		w := one(n, o.p(key))
		if w != 0 && w != BusinessWeek {
			o.problem(key, "write a list of days, e.g. [%s], or the word weekdays", n.Value)
		}
		return w
	}
	items, paths := o.list(key, "[tue, thu, fri]")
	var w Weekdays
	for i, it := range items {
		day := one(it, paths[i])
		if day != BusinessWeek && w&day != 0 {
			o.d.at(it, paths[i], "%s is listed twice", it.Value)
		}
		w |= day
	}
	if len(items) == 0 {
		o.problem(key, "list at least one day, e.g. [tue, thu, fri], or write weekdays")
	}
	return w
}

// roles reads a team's roles: em, pm and delivery_manager hold one person, qa a list, and any
// other lowercase slug (tech_lead, tpm, ux...) one person or a list.
func (d *decoder) roles(n *yaml.Node, path string) Roles {
	n = d.resolve(n)
	var r Roles
	if n == nil {
		return r
	}
	if n.Kind != yaml.MappingNode {
		d.at(n, path, "must be a mapping of role names to people, e.g. {em: dave, qa: [gina], tech_lead: alice}, not %s", describe(n))
		return r
	}
	d.pos[path] = n
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], d.resolve(n.Content[i+1])
		kp := joinPath(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			d.at(k, kp, "role %q appears twice (first at line %d); keep one", k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		if v == nil {
			continue
		}
		d.pos[kp] = v
		one := func() string { s, _ := d.scalarText(v, kp, "one person id"); return s }
		switch k.Value {
		case RoleEM:
			r.EM = one()
		case RolePM:
			r.PM = one()
		case RoleDeliveryManager:
			r.DeliveryManager = one()
		case RoleQA:
			r.QA = d.idList(v, kp)
		case RoleMembers:
			d.at(k, kp, "members is every member of the team; list them under the team's members, not roles")
		default:
			// A custom role may be any slug, so a misspelt named role would otherwise pass
			// silently (delivery_manger); "tpm" is not taken for "pm" (too short to be a typo).
			if len(k.Value) > 4 {
				if s := closest(k.Value, []string{RoleEM, RolePM, RoleDeliveryManager, RoleQA}, normKey); s != "" && s != k.Value {
					d.at(k, kp, "unknown role %q (did you mean %q?)", k.Value, s)
					continue
				}
			}
			if err := checkSlug("role name", k.Value); err != nil {
				d.at(k, kp, "%s", err.Error())
				continue
			}
			if r.Others == nil {
				r.Others = map[string][]string{}
			}
			r.Others[k.Value] = d.idList(v, kp)
		}
	}
	return r
}

// idList reads one person id or a list of them.
func (d *decoder) idList(n *yaml.Node, path string) []string {
	if n.Kind == yaml.ScalarNode {
		s, _ := d.scalarText(n, path, "a person id")
		if s == "" {
			return nil
		}
		return []string{s}
	}
	if n.Kind != yaml.SequenceNode {
		d.at(n, path, "must be a person id or a list of them, not %s", describe(n))
		return nil
	}
	var out []string
	for i, it := range n.Content {
		ip := indexPath(path, i)
		if it = d.resolve(it); it == nil {
			continue
		}
		d.pos[ip] = it
		if s, ok := d.scalarText(it, ip, "a person id"); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}
