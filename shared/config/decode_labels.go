package config

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Decoding of a team's label rules (types_labels.go) and its named Slack channels. The checks
// that need the rest of the file (labels, people, roles, channels, repositories, loops) are in
// validate_labels.go.

// BuiltinChannels are the names a rule may post to without declaring them: the team's
// slack.channel, slack.support_channel and slack.digest_channel.
var BuiltinChannels = []string{"team", "support", "digest"}

// namedChannels reads slack.channels: a mapping of names to channel ids.
func (d *decoder) namedChannels(s *obj) map[string]string {
	n := s.val("channels")
	if n == nil {
		return nil
	}
	path := s.p("channels")
	if n.Kind != yaml.MappingNode {
		d.at(n, path, "must be a mapping of names to channel ids, e.g. {security: G01SECURE}, not %s", describe(n))
		return nil
	}
	d.pos[path] = n
	out := map[string]string{}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], d.resolve(n.Content[i+1])
		kp := joinPath(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			d.at(k, kp, "channel name %q appears twice (first at line %d); keep one", k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		if err := checkSlug("channel name", k.Value); err != nil {
			d.at(k, kp, "%s", err.Error())
			continue
		}
		if contains(BuiltinChannels, k.Value) {
			d.at(k, kp, "%q already names one of the team's own channels (team, support, digest); pick another name", k.Value)
			continue
		}
		if v == nil {
			d.at(k, kp, "give the channel's id, e.g. `%s: G01SECURE`", k.Value)
			continue
		}
		d.pos[kp] = v
		id, ok := d.scalarText(v, kp, "a channel id")
		if !ok {
			continue
		}
		if err := checkSlackChannel(id); err != nil {
			d.at(v, kp, "%s", err.Error())
			continue
		}
		out[k.Value] = id
	}
	return out
}

func (d *decoder) labelRules(team *obj) []*LabelRule {
	items, paths := team.list("label_rules", "- {id: needs-info, when: {label: needs-info}, do: [{comment: ...}]}")
	var out []*LabelRule
	for i, it := range items {
		if r := d.labelRule(it, paths[i]); r != nil {
			out = append(out, r)
		}
	}
	return out
}

func (d *decoder) labelRule(n *yaml.Node, path string) *LabelRule {
	o := d.object(n, path, "id", "name", "when", "do", "timers", "cancel_on")
	if o == nil {
		return nil
	}
	r := &LabelRule{path: path}
	if o.need("id", "needs-info") {
		r.ID = o.str("id")
		o.check("id", checkSlug("id", r.ID))
	}
	if r.Name = o.str("name"); r.Name == "" {
		r.Name = r.ID
	}
	if o.need("when", "{label: needs-info}") {
		r.When = d.labelTrigger(o.val("when"), o.p("when"))
	}
	r.Do = d.labelActions(o, "do")
	items, paths := o.list("timers", "[{after: 7d, if: [still_labeled, no_author_reply], do: [{close: not_planned}]}]")
	for i, it := range items {
		if t, ok := d.labelTimer(it, paths[i], r.When.Removed); ok {
			r.Timers = append(r.Timers, t)
		}
	}
	if o.empty("do") && o.empty("timers") {
		o.d.at(o.node, path, "rule %q does nothing: add `do:` (actions to run at once) or `timers:` (actions to run later)", r.ID)
	}
	back := CancelLabelRemoved
	if r.When.Removed {
		back = CancelLabelAdded
	}
	r.CancelOn = []string{back, CancelClosed}
	if o.val("cancel_on") != nil {
		r.CancelOn = nil
		items, paths := o.list("cancel_on", "[author_reply, "+back+", closed]")
		for i, it := range items {
			s, ok := d.scalarText(it, paths[i], "one of "+strings.Join(Cancellations, ", "))
			if !ok {
				continue
			}
			switch {
			case !contains(Cancellations, s):
				d.at(it, paths[i], "%s", unknownChoice("cancel_on value", s, Cancellations))
			case s == CancelLabelRemoved && r.When.Removed:
				d.at(it, paths[i], "the rule reacts to %q being removed, so label_removed cannot cancel it: write label_added", r.When.Label)
			case s == CancelLabelAdded && !r.When.Removed:
				d.at(it, paths[i], "the rule reacts to %q being added, so label_added cannot cancel it: write label_removed", r.When.Label)
			case contains(r.CancelOn, s):
				d.at(it, paths[i], "%s is listed twice", s)
			default:
				r.CancelOn = append(r.CancelOn, s)
			}
		}
	}
	return r
}

func (d *decoder) labelTrigger(n *yaml.Node, path string) LabelTrigger {
	t := LabelTrigger{Issues: true, PullRequests: true}
	if r := d.resolve(n); r != nil && r.Kind == yaml.ScalarNode {
		d.at(r, path, "must be a mapping, e.g. `when: {label: %s}`", r.Value)
		return t
	}
	o := d.object(n, path, "label", "event", "on", "repos", "authors", "priorities")
	if o == nil {
		return t
	}
	if o.need("label", "needs-info") {
		t.Label = o.str("label")
	}
	switch ev := o.str("event"); ev {
	case "", "added":
	case "removed":
		t.Removed = true
	default:
		o.problem("event", "event %q must be added or removed", ev)
	}
	if o.val("on") != nil {
		t.Issues, t.PullRequests = false, false
		items, paths := o.list("on", "[issues, pull_requests]")
		for i, it := range items {
			s, ok := d.scalarText(it, paths[i], "issues or pull_requests")
			switch {
			case !ok:
			case s == "issues":
				t.Issues = true
			case s == "pull_requests":
				t.PullRequests = true
			default:
				d.at(it, paths[i], "%s", unknownChoice("on value", s, []string{"issues", "pull_requests"}))
			}
		}
		if len(items) == 0 {
			o.problem("on", "list issues, pull_requests or both, or remove the key for both")
		}
	}
	t.Repos = o.strs("repos", "[acme/api]")
	for i, r := range t.Repos {
		if err := checkRepo(r); err != nil {
			d.atPath(indexPath(o.p("repos"), i), "%s", err)
		}
	}
	for i, a := range o.strs("authors", "[NONE, FIRST_TIME_CONTRIBUTOR]") {
		up := strings.ToUpper(a)
		if !contains(AuthorAssociations, up) {
			d.atPath(indexPath(o.p("authors"), i), "%s", unknownChoice("author association", a, AuthorAssociations))
			continue
		}
		t.Authors = append(t.Authors, up)
	}
	t.Priorities = o.strs("priorities", "[p0, p1]")
	return t
}

func (d *decoder) labelTimer(n *yaml.Node, path string, removed bool) (LabelTimer, bool) {
	o := d.object(n, path, "after", "if", "do", "every", "limit")
	if o == nil {
		return LabelTimer{}, false
	}
	t := LabelTimer{path: path, Limit: 1}
	if o.need("after", "7d") {
		t.After, _ = parsed(o, "after", ParseSpan)
	}
	if o.empty("if") {
		o.d.at(o.node, path, "a timer needs a condition that must still hold when it fires: add e.g. `if: [%s]` (conditions: %s)", stillCond(removed), strings.Join(Conditions, ", "))
	}
	items, paths := o.list("if", "[still_labeled, no_author_reply]")
	for i, it := range items {
		s, ok := d.scalarText(it, paths[i], "a condition")
		switch {
		case !ok:
		case !contains(Conditions, s):
			d.at(it, paths[i], "%s", unknownChoice("condition", s, Conditions))
		case s == CondStillLabeled && removed:
			d.at(it, paths[i], "the rule reacts to its label being removed: write still_unlabeled")
		case s == CondStillUnlabeled && !removed:
			d.at(it, paths[i], "the rule reacts to its label being added: write still_labeled")
		case contains(t.If, s):
			d.at(it, paths[i], "%s is listed twice", s)
		default:
			t.If = append(t.If, s)
		}
	}
	if o.empty("do") {
		o.d.at(o.node, path, "a timer needs actions: add e.g. `do: [{comment: \"...\"}]`")
	}
	t.Do = d.labelActions(o, "do")
	var hasEvery bool
	t.Every, hasEvery = parsed(o, "every", ParseSpan)
	if limit, ok := o.integer("limit"); ok {
		switch {
		case !hasEvery && o.val("every") == nil:
			o.problem("limit", "limit counts repeats: add `every:` (the interval between them), or remove limit to fire once")
		case limit < 2 || limit > 100:
			o.problem("limit", "limit must be from 2 to 100 (how many times the timer fires in all)")
		default:
			t.Limit = limit
		}
	} else if o.val("every") != nil && o.val("limit") == nil {
		o.problem("every", "a repeating timer needs a limit: add e.g. `limit: 3` (how many times it fires in all)")
	}
	return t, true
}

func stillCond(removed bool) string {
	if removed {
		return CondStillUnlabeled
	}
	return CondStillLabeled
}

// labelActions reads key's list of actions: each item is a mapping with one action key.
func (d *decoder) labelActions(o *obj, key string) []LabelAction {
	items, paths := o.list(key, "[{comment: \"...\"}, {close: not_planned}]")
	var out []LabelAction
	for i, it := range items {
		if a, ok := d.labelAction(it, paths[i]); ok {
			out = append(out, a)
		}
	}
	return out
}

func (d *decoder) labelAction(n *yaml.Node, path string) (LabelAction, bool) {
	if n.Kind != yaml.MappingNode {
		d.at(n, path, "must be an action, one of %s, e.g. `- close: not_planned`, not %s", strings.Join(ActionKinds, ", "), describe(n))
		return LabelAction{}, false
	}
	d.pos[path] = n
	if len(n.Content) != 2 {
		var keys []string
		for i := 0; i < len(n.Content); i += 2 {
			keys = append(keys, n.Content[i].Value)
		}
		if len(keys) == 0 {
			d.at(n, path, "empty action: write one of %s", strings.Join(ActionKinds, ", "))
		} else {
			d.at(n, path, "one action per item (this one has %s): start each with its own `-`", strings.Join(keys, ", "))
		}
		return LabelAction{}, false
	}
	k, v := n.Content[0], d.resolve(n.Content[1])
	kp := joinPath(path, k.Value)
	if !contains(ActionKinds, k.Value) {
		d.at(k, kp, "%s", unknownChoice("action", k.Value, ActionKinds))
		return LabelAction{}, false
	}
	a := LabelAction{Kind: k.Value, path: kp}
	if v == nil {
		d.at(k, kp, "%s needs a value, e.g. %s", k.Value, actionExamples[k.Value])
		return a, false
	}
	d.pos[kp] = v
	switch a.Kind {
	case ActionComment:
		a.Text, _ = d.scalarText(v, kp, "the comment's text")
		if a.Text == "" {
			d.at(v, kp, "write the comment's text, e.g. %s", actionExamples[ActionComment])
		}
		d.checkTemplate(v, kp, a.Text)
	case ActionPost:
		if v.Kind == yaml.ScalarNode {
			a.ChannelName = strings.TrimSpace(v.Value)
			break
		}
		m := d.object(v, kp, "channel", "text")
		if m.need("channel", "security") {
			a.ChannelName = m.str("channel")
		}
		a.Text = m.str("text")
		d.checkTemplate(m.val("text"), m.p("text"), a.Text)
	case ActionDM, ActionAssign:
		keys := []string{"person", "role", "rotation"}
		if a.Kind == ActionDM {
			keys = append(keys, "assignees", "text")
		}
		m := d.object(v, kp, keys...)
		if m == nil {
			return a, false
		}
		set := 0
		for _, tk := range []string{"person", "role", "rotation", "assignees"} {
			if m.val(tk) != nil {
				set++
			}
		}
		if set != 1 {
			m.d.at(m.node, kp, "name exactly one of person, role, rotation%s, e.g. %s", map[bool]string{true: " or assignees", false: ""}[a.Kind == ActionDM], actionExamples[a.Kind])
		}
		a.Target = ActionTarget{Person: m.str("person"), Role: m.str("role"), Rotation: m.str("rotation")}
		if m.val("assignees") != nil {
			if a.Target.Assignees = m.boolean("assignees"); !a.Target.Assignees {
				m.problem("assignees", "write `assignees: true` to DM the issue's assignees, or name a person, role or rotation")
			}
		}
		a.Text = m.str("text")
		d.checkTemplate(m.val("text"), m.p("text"), a.Text)
	case ActionAddLabels, ActionRemoveLabels:
		if v.Kind == yaml.ScalarNode {
			if s := strings.TrimSpace(v.Value); s != "" {
				a.Labels = []string{s}
			}
		} else {
			wrap := &obj{d: d, node: n, path: path, f: map[string]*yaml.Node{k.Value: v}}
			a.Labels = wrap.strs(k.Value, "[triage]")
		}
		if len(a.Labels) == 0 {
			d.at(v, kp, "list at least one label, e.g. %s", actionExamples[a.Kind])
		}
	case ActionBoard:
		a.Board = d.board(v, kp)
		if m := d.resolve(v); m != nil && m.Kind == yaml.MappingNode && !mappingHas(m, "status") {
			d.at(m, kp, "missing \"status\": the option of the board's %s field to set (add e.g. `status: Release blockers`)", a.Board.StatusField)
		}
	case ActionClose, ActionLock:
		choices := CloseReasons
		if a.Kind == ActionLock {
			choices = LockReasons
		}
		s, ok := d.scalarText(v, kp, "one of "+strings.Join(choices, ", "))
		if ok && !contains(choices, s) {
			d.at(v, kp, "%s", unknownChoice(a.Kind+" reason", s, choices))
		}
		a.Reason = s
	}
	return a, true
}

var actionExamples = map[string]string{
	ActionComment:      `"Thanks {{author}}! Could you add the steps to reproduce?"`,
	ActionPost:         `{channel: security, text: "New report: {{title}} {{url}}"}`,
	ActionDM:           "{role: em}",
	ActionAssign:       "{rotation: support}",
	ActionAddLabels:    "[triage]",
	ActionRemoveLabels: "[stale]",
	ActionBoard:        "{owner: acme, project: 7, status: Release blockers}",
	ActionClose:        "not_planned",
	ActionLock:         "resolved",
}

func mappingHas(n *yaml.Node, key string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

// placeholderRE finds {{ name }} in a template.
var placeholderRE = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// TemplateNames returns the placeholder names a template uses, in order.
func TemplateNames(text string) []string {
	var out []string
	for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

// RenderTemplate replaces each {{name}} in text with value(name). The values are the caller's
// to escape for where the text goes; nothing else in text is interpreted.
func RenderTemplate(text string, value func(name string) string) string {
	return placeholderRE.ReplaceAllStringFunc(text, func(m string) string {
		return value(placeholderRE.FindStringSubmatch(m)[1])
	})
}

// checkTemplate reports placeholders that are not TemplatePlaceholders.
func (d *decoder) checkTemplate(n *yaml.Node, path, text string) {
	for _, name := range TemplateNames(text) {
		if !contains(TemplatePlaceholders, name) {
			d.at(n, path, "unknown placeholder {{%s}} %s", name, choiceHint(name, TemplatePlaceholders))
		}
	}
}

// unknownChoice renders `unknown action "clsoe" (did you mean "close"? one of: ...)`.
func unknownChoice(kind, s string, choices []string) string {
	return fmt.Sprintf("unknown %s %q %s", kind, s, choiceHint(s, choices))
}

// choiceHint renders `(did you mean "close"? one of: comment, post, ...)`.
func choiceHint(s string, choices []string) string {
	hint := "("
	if c := closest(s, choices, normKey); c != "" {
		hint += fmt.Sprintf("did you mean %q? ", c)
	}
	return hint + "one of: " + strings.Join(choices, ", ") + ")"
}
