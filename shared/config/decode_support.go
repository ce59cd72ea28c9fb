package config

import (
	"time"

	"gopkg.in/yaml.v3"
)

// Decoding of a team's support section.

func (d *decoder) support(n *yaml.Node, path string, t *Team) *Support {
	o := d.object(n, path, "labels", "repos", "priorities", "default_priority", "nag_every", "escalate_after", "required_sections", "rotation", "board")
	if o == nil {
		return nil
	}
	s := &Support{}
	if o.need("labels", "[team/"+t.ID+"]") {
		if s.Labels = o.strs("labels", "[team/"+t.ID+"]"); len(s.Labels) == 0 {
			o.problem("labels", "list at least one label, e.g. [team/%s]", t.ID)
		}
	}
	s.Repos = o.strs("repos", "[acme/api]")
	for i, r := range s.Repos {
		if err := checkRepo(r); err != nil {
			d.atPath(indexPath(o.p("repos"), i), "%s", err)
		}
	}
	s.Priorities = d.priorities(o)
	if o.val("default_priority") != nil {
		s.DefaultPriority = o.str("default_priority")
	} else if len(s.Priorities) > 0 {
		s.DefaultPriority = s.Priorities[len(s.Priorities)-1].Name
	}
	s.NagEvery = Span{Duration: 30 * time.Minute}
	if v, ok := parsed(o, "nag_every", ParseSpan); ok {
		s.NagEvery = v
	}
	s.EscalateAfter = Span{Duration: 2 * time.Hour}
	if v, ok := parsed(o, "escalate_after", ParseSpan); ok {
		s.EscalateAfter = v
	}
	s.RequiredSections = d.sections(o)
	if o.need("rotation", "{members: [alice, bob], handover: {day: mon, time: \"09:00\"}, start: 2026-01-05}") {
		s.Rotation = d.rotation(o.val("rotation"), o.p("rotation"), t.loc, 1)
	}
	if o.val("board") != nil {
		s.Board = d.board(o.val("board"), o.p("board"))
	}
	return s
}

// defaultPriorities is what a team gets when it lists none: the p0..p3 labels most teams use.
func defaultPriorities() []Priority {
	return []Priority{
		{Name: "p0", Labels: []string{"p0"}, AckWithin: Span{Duration: 15 * time.Minute}, Urgent: true},
		{Name: "p1", Labels: []string{"p1"}, AckWithin: Span{Duration: time.Hour}, Urgent: true},
		{Name: "p2", Labels: []string{"p2"}, AckWithin: Span{BusinessDays: 1}},
		{Name: "p3", Labels: []string{"p3"}, AckWithin: Span{BusinessDays: 3}},
	}
}

func (d *decoder) priorities(s *obj) []Priority {
	if s.val("priorities") == nil {
		return defaultPriorities()
	}
	items, paths := s.list("priorities", "[{name: p1, labels: [p1], ack_within: 1h, urgent: true}]")
	if len(items) == 0 && s.val("priorities").Kind == yaml.SequenceNode {
		s.problem("priorities", "list at least one priority, or remove the key for the default p0..p3")
	}
	var out []Priority
	names := map[string]string{}  // name → path
	labels := map[string]string{} // lowercased label → path
	for i, it := range items {
		o := d.object(it, paths[i], "name", "labels", "ack_within", "urgent")
		if o == nil {
			continue
		}
		p := Priority{}
		if o.need("name", "p1") {
			p.Name = o.str("name")
			if first, dup := names[p.Name]; dup {
				o.problem("name", "priority %q is listed twice (first at line %d)", p.Name, d.line(first))
			}
			names[p.Name] = o.p("name")
		}
		p.Labels = o.strs("labels", "[p1]")
		if o.val("labels") == nil && p.Name != "" {
			p.Labels = []string{p.Name}
		}
		for j, l := range p.Labels {
			lp := indexPath(o.p("labels"), j)
			if o.val("labels") == nil {
				lp = o.p("name")
			}
			if first, dup := labels[lower(l)]; dup {
				d.atPath(lp, "label %q already means another priority (line %d); a label can mean one priority only", l, d.line(first))
			}
			labels[lower(l)] = lp
		}
		if o.need("ack_within", "1h") {
			p.AckWithin, _ = parsed(o, "ack_within", ParseSpan)
		}
		p.Urgent = o.boolean("urgent")
		out = append(out, p)
	}
	return out
}

func (d *decoder) sections(s *obj) []Section {
	items, paths := s.list("required_sections", "[{title: Description, aliases: [Summary]}]")
	var out []Section
	seen := map[string]string{} // lowercased heading → path
	for i, it := range items {
		o := d.object(it, paths[i], "title", "aliases", "optional")
		if o == nil {
			continue
		}
		sec := Section{}
		if o.need("title", "Description") {
			sec.Title = o.str("title")
		}
		sec.Aliases = o.strs("aliases", "[Summary]")
		sec.Optional = o.boolean("optional")
		headings := append([]string{sec.Title}, sec.Aliases...)
		for j, h := range headings {
			if h == "" {
				continue
			}
			hp := o.p("title")
			if j > 0 {
				hp = indexPath(o.p("aliases"), j-1)
			}
			if first, dup := seen[normHeading(h)]; dup {
				d.atPath(hp, "heading %q is already used by another section (line %d); a heading can stand for one section only", h, d.line(first))
				continue
			}
			seen[normHeading(h)] = hp
		}
		out = append(out, sec)
	}
	return out
}

// maxRotationWeeks bounds a rotation's period: longer is not a rotation any more.
const maxRotationWeeks = 8

// rotation reads a rotation (support's, Clinic Duty's); weeks is its period's default length.
func (d *decoder) rotation(n *yaml.Node, path string, loc *time.Location, weeks int) Rotation {
	r := Rotation{loc: loc, Weeks: weeks}
	o := d.object(n, path, "members", "weeks", "handover", "start")
	if o == nil {
		return r
	}
	if o.need("members", "[alice, bob]") {
		if r.Members = o.strs("members", "[alice, bob]"); len(r.Members) == 0 {
			o.problem("members", "list at least one member, in rotation order")
		}
	}
	if v, ok := o.integer("weeks"); ok {
		if v < 1 || v > maxRotationWeeks {
			o.problem("weeks", "weeks is how long one turn lasts: a whole number from 1 to %d (e.g. `weeks: %d`), not %d", maxRotationWeeks, weeks, v)
		} else {
			r.Weeks = v
		}
	}
	var dayOK bool
	if o.need("handover", `{day: mon, time: "09:00"}`) {
		h := d.object(o.val("handover"), o.p("handover"), "day", "time")
		if h.need("day", "mon") {
			r.Handover.Day, dayOK = parsed(h, "day", ParseWeekday)
		}
		if h.need("time", `"09:00"`) {
			r.Handover.Time, _ = parsed(h, "time", ParseClock)
		}
	}
	if o.need("start", "2026-01-05") {
		var ok bool
		if r.Start, ok = parsed(o, "start", ParseDate); ok && dayOK && r.Start.Weekday() != r.Handover.Day {
			back := (int(r.Start.Weekday()) - int(r.Handover.Day) + 7) % 7
			prev, next := r.Start.AddDays(-back), r.Start.AddDays(7-back)
			o.problem("start", "start %s is a %s but handover.day is %s: write %s or %s", r.Start, r.Start.Weekday(), weekdayShort[r.Handover.Day], prev, next)
		}
	}
	return r
}

func (d *decoder) board(n *yaml.Node, path string) *Board {
	o := d.object(n, path, "owner", "project", "status_field", "status")
	if o == nil {
		return nil
	}
	b := &Board{StatusField: "Status", Status: "Support Issues"}
	if o.need("owner", "acme") {
		b.Owner = o.str("owner")
		o.check("owner", checkGitHubName("owner", b.Owner))
	}
	if o.need("project", "7") {
		if v, ok := o.integer("project"); ok {
			if v < 1 {
				o.problem("project", "project must be the project's number from its URL (…/projects/7), at least 1")
			}
			b.Project = v
		}
	}
	if v := o.str("status_field"); v != "" {
		b.StatusField = v
	}
	if v := o.str("status"); v != "" {
		b.Status = v
	}
	return b
}
