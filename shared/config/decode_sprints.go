package config

import (
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Decoding of a team's sprints: where the milestones are, the estimate scale, done, and the
// sprints' dates. What needs the whole file (the repositories belong to the team's clients, the
// team has a Phabricator board for Phabricator keys) is checked in validateTeamSprints.

func (d *decoder) sprints(n *yaml.Node, path string) *Sprints {
	o := d.object(n, path, "repos", "points_label", "due_dates", "length", "scale", "split_above", "done_statuses", "done_column", "start_at", "report_at", "list", "cadence")
	if o == nil {
		return nil
	}
	s := &Sprints{
		path: path, PointsLabel: DefaultPointsLabel, Length: DefaultSprintLength,
		Scale: append([]float64(nil), DefaultScale...), SplitAbove: DefaultSplitAbove, ReportAt: Clock{Hour: 16},
	}
	s.Repos = o.strs("repos", "[acme/web]")
	items, paths := o.list("repos", "[acme/web]")
	for i, it := range items {
		if it.Kind == yaml.ScalarNode {
			if err := checkRepo(strings.TrimSpace(it.Value)); err != nil {
				d.at(it, paths[i], "%s", err.Error())
			}
		}
	}
	if o.val("points_label") != nil {
		s.PointsLabel = o.str("points_label")
		if n := strings.Count(s.PointsLabel, pointsPlaceholder); n != 1 {
			o.problem("points_label", "points_label %q must contain {n} once, where the number goes: e.g. \"points: {n}\" for the label \"points: 3\"", s.PointsLabel)
		} else if strings.TrimSpace(strings.Replace(s.PointsLabel, pointsPlaceholder, "", 1)) == "" {
			o.problem("points_label", "points_label {n} alone would read every numeric label as points: add a word, e.g. \"points: {n}\" or \"estimate/{n}\"")
		}
	}
	s.DueDates = o.boolean("due_dates")
	if v, ok := o.integer("length"); ok {
		if v < 1 || v > MaxSprintLength {
			o.problem("length", "length is a sprint's length in calendar days: from 1 to %d, not %d", MaxSprintLength, v)
		} else {
			s.Length = v
		}
	}
	if o.val("scale") != nil {
		s.Scale = d.scale(o)
	}
	if v, ok := number(o, "split_above"); ok {
		if v <= 0 {
			o.problem("split_above", "split_above must be more than 0 points, not %s", o.str("split_above"))
		} else {
			s.SplitAbove = v
		}
	}
	s.DoneStatuses = o.strs("done_statuses", "[resolved]")
	s.DoneColumn = o.str("done_column")
	if v, ok := parsed(o, "start_at", ParseClock); ok {
		s.StartAt = v
	}
	if v, ok := parsed(o, "report_at", ParseClock); ok {
		s.ReportAt = v
	}
	s.List = d.sprintList(o, "list")
	if o.val("cadence") != nil {
		s.Cadence = d.cadence(o.val("cadence"), o.p("cadence"), s.Length)
		if o.val("list") != nil {
			o.problem("cadence", "use list (sprints with fixed dates) or cadence (a sprint every few days), not both")
		}
	}
	return s
}

// number reads key as a number (whole or not); ok is false when absent or invalid (reported).
func number(o *obj, key string) (float64, bool) {
	n := o.val(key)
	if n == nil {
		return 0, false
	}
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!int" || n.Tag == "!!float") {
		if v, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return v, true
		}
	}
	o.problem(key, "must be a number, not %s", describe(n))
	return 0, false
}

// scale reads the estimate scale: positive numbers, each once, in ascending order.
func (d *decoder) scale(o *obj) []float64 {
	const example = "[1, 2, 3, 5, 8, 13]"
	items, paths := o.list("scale", example)
	var out []float64
	for i, it := range items {
		v, err := strconv.ParseFloat(strings.TrimSpace(it.Value), 64)
		switch {
		case it.Kind != yaml.ScalarNode || err != nil:
			d.at(it, paths[i], "must be a number of points, not %s", describe(it))
			continue
		case v <= 0:
			d.at(it, paths[i], "estimates are more than 0 points, not %s", it.Value)
			continue
		case len(out) > 0 && v <= out[len(out)-1]:
			d.at(it, paths[i], "list the scale in ascending order, each estimate once: %s comes after %s", it.Value, strconv.FormatFloat(out[len(out)-1], 'f', -1, 64))
			continue
		}
		out = append(out, v)
	}
	if len(out) == 0 && len(items) == 0 && o.val("scale") != nil && o.val("scale").Kind == yaml.SequenceNode {
		o.problem("scale", "list the estimates the team uses, e.g. %s, or remove the key for those", example)
	}
	return out
}

// sprintList reads {milestone, from, to} entries and refuses two that overlap.
func (d *decoder) sprintList(o *obj, key string) []SprintDates {
	const example = `[{milestone: "Sprint 42", from: 2026-11-04, to: 2026-11-17}]`
	items, paths := o.list(key, example)
	var out []SprintDates
	for i, it := range items {
		so := d.object(it, paths[i], "milestone", "from", "to")
		if so == nil {
			continue
		}
		sd := SprintDates{path: paths[i]}
		if so.need("milestone", `"Sprint 42" (a Phabricator milestone's name) or acme/web#3 (a GitHub milestone)`) {
			sd.Milestone = so.str("milestone")
		}
		so.need("from", "2026-11-04")
		so.need("to", "2026-11-17")
		from, ok1 := parsed(so, "from", ParseDate)
		to, ok2 := parsed(so, "to", ParseDate)
		if !ok1 || !ok2 {
			continue
		}
		if to.Compare(from) < 0 {
			so.problem("to", "the sprint ends (to %s) before it starts (from %s)", to, from)
			continue
		}
		if days := to.daysSince(from) + 1; days > MaxSprintLength {
			so.problem("to", "a sprint of %d days is longer than a year: check the dates", days)
			continue
		}
		sd.From, sd.To = from, to
		out = append(out, sd)
	}
	sorted := append([]SprintDates(nil), out...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].From.Compare(sorted[j].From) < 0 })
	for i := 1; i < len(sorted); i++ {
		a, b := sorted[i-1], sorted[i]
		if b.From.Compare(a.To) <= 0 {
			d.atPath(b.path, "sprint %q (%s to %s) overlaps sprint %q (%s to %s, line %d): a team runs one sprint at a time", b.Milestone, b.From, b.To, a.Milestone, a.From, a.To, d.line(a.path))
		}
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[i].Milestone != "" && strings.EqualFold(out[i].Milestone, out[j].Milestone) {
				d.atPath(out[j].path+".milestone", "milestone %q is already a sprint (line %d): a milestone is one sprint", out[j].Milestone, d.line(out[i].path))
			}
		}
	}
	return out
}

// cadence reads {first, length, milestone, number}.
func (d *decoder) cadence(n *yaml.Node, path string, length int) *SprintCadence {
	o := d.object(n, path, "first", "length", "milestone", "number")
	if o == nil {
		return nil
	}
	c := &SprintCadence{Length: length, Number: 1}
	if o.need("first", "2026-11-04") {
		c.First, _ = parsed(o, "first", ParseDate)
	}
	if o.need("milestone", `"Sprint {n}"`) {
		c.Milestone = o.str("milestone")
		if strings.Count(c.Milestone, cadencePlaceholder) != 1 {
			o.problem("milestone", "milestone %q must contain {n} once, where each sprint's number goes: e.g. \"Sprint {n}\"", c.Milestone)
		}
	}
	if v, ok := o.integer("length"); ok {
		if v < 1 || v > MaxSprintLength {
			o.problem("length", "length is a sprint's length in calendar days: from 1 to %d, not %d", MaxSprintLength, v)
		} else {
			c.Length = v
		}
	}
	if v, ok := o.integer("number"); ok {
		if v < 0 {
			o.problem("number", "number is the first sprint's number: 0 or more, not %d", v)
		} else {
			c.Number = v
		}
	}
	return c
}

// validateTeamSprints checks what needs the whole file: the team has somewhere to take
// milestones from, its repositories belong to its clients, the Phabricator keys have a board,
// and the GitHub milestones of the list are in its repositories.
func validateTeamSprints(d *decoder, t *Team, teamClients []*Client) {
	s := t.Sprints
	if s == nil {
		return
	}
	if len(s.Repos) == 0 && t.Phabricator == nil {
		d.atPath(s.path, "team %q runs sprints on milestones: set sprints.repos (GitHub repositories) or teams[].phabricator (a Phabricator project)", t.ID)
	}
	for i, repo := range s.Repos {
		if checkRepo(repo) == nil && len(teamClients) == len(t.Clients) && !watchedBy(repo, teamClients) {
			d.atPath(indexPath(s.path+".repos", i), "repo %q does not belong to the team's clients (%s): add it to a client's github.repos, or remove it", repo, strings.Join(t.Clients, ", "))
		}
	}
	if t.Phabricator == nil {
		for _, key := range []string{"done_statuses", "done_column"} {
			if d.pos[s.path+"."+key] != nil {
				d.atPath(s.path+"."+key, "%s is about Phabricator tasks, and team %q has no phabricator section: remove it (on GitHub, done is closed as completed)", key, t.ID)
			}
		}
	}
	if s.DueDates && len(s.Repos) == 0 {
		d.atPath(s.path+".due_dates", "due_dates reads GitHub milestones' due dates: list the repositories in sprints.repos")
	}
	for _, sd := range s.List {
		repo, _, ok := GitHubMilestone(sd.Milestone)
		switch {
		case ok && !s.WatchesRepo(repo):
			d.atPath(sd.path+".milestone", "milestone %q is in %s, which is not in sprints.repos (%s): add the repository or fix the milestone", sd.Milestone, repo, strings.Join(s.Repos, ", "))
		case !ok && strings.Contains(sd.Milestone, "#") && strings.Contains(sd.Milestone, "/"):
			d.atPath(sd.path+".milestone", "GitHub milestone %q must be owner/name#<number>, e.g. acme/web#3 (the number is in the milestone's URL)", sd.Milestone)
		}
	}
}
