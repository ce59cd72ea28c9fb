package config

import "strings"

// Lookups for label rules (types_labels.go).

// indexLabelRules prepares the rules' repository sets; buildIndex calls it.
func (c *Config) indexLabelRules() {
	for _, t := range c.Teams {
		for _, r := range t.LabelRules {
			r.When.repos = map[string]bool{}
			for _, repo := range r.When.Repos {
				r.When.repos[lower(repo)] = true
			}
		}
	}
}

// LabelRule returns the team's rule with that id, or nil.
func (t *Team) LabelRule(id string) *LabelRule {
	for _, r := range t.LabelRules {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// ChannelID resolves a channel a rule names: team, support or digest (the team's own
// channels), a name from slack.channels, or one of those channels' ids. "" when unknown.
func (t *Team) ChannelID(name string) string {
	switch name {
	case "":
		return ""
	case "team":
		return t.Slack.Channel
	case "support":
		return t.Slack.SupportChannel
	case "digest":
		return t.Slack.DigestChannel
	}
	if id, ok := t.Slack.Channels[name]; ok {
		return id
	}
	for _, id := range append([]string{t.Slack.Channel, t.Slack.SupportChannel, t.Slack.DigestChannel}, mapValues(t.Slack.Channels)...) {
		if id != "" && id == name {
			return id
		}
	}
	return ""
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// Rotations lists the rotations a rule of the team may name: "support" when the team takes
// support requests, "clinic" when it runs Clinic Duty.
func (t *Team) Rotations() []string {
	var out []string
	for _, name := range []string{RotationSupport, RotationClinic} {
		if t.Rotation(name) != nil {
			out = append(out, name)
		}
	}
	return out
}

// Watches reports whether the rule applies in repo ("owner/name", any case): one of
// when.repos, or else a repository of one of team's clients.
func (r *LabelRule) Watches(team *Team, repo string) bool {
	if len(r.When.Repos) > 0 {
		if r.When.repos == nil {
			return contains(lowerAll(r.When.Repos), lower(repo))
		}
		return r.When.repos[lower(repo)]
	}
	for _, c := range team.clients {
		if c.Watches(repo) {
			return true
		}
	}
	return false
}

func lowerAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = lower(s)
	}
	return out
}

// Cancels reports whether what (a Cancel* constant) is one of the rule's cancel_on.
func (r *LabelRule) Cancels(what string) bool { return contains(r.CancelOn, what) }

// Triggered reports whether the rule reacts to label being added (removed when removed is
// true) on an issue (pull request when pr is true), leaving repository, author and priority
// filters to the caller.
func (r *LabelRule) Triggered(label string, removed, pr bool) bool {
	return strings.EqualFold(r.When.Label, label) && r.When.Removed == removed &&
		(pr && r.When.PullRequests || !pr && r.When.Issues)
}

// AllowsAuthor reports whether an issue whose author has association assoc passes
// when.authors.
func (r *LabelRule) AllowsAuthor(assoc string) bool {
	return len(r.When.Authors) == 0 || contains(r.When.Authors, strings.ToUpper(assoc))
}

// AllowsPriority reports whether an issue with labels passes when.priorities: it carries a
// label of one of them.
func (r *LabelRule) AllowsPriority(team *Team, labels []string) bool {
	if len(r.When.Priorities) == 0 {
		return true
	}
	if team.Support == nil {
		return false
	}
	for _, name := range r.When.Priorities {
		p, ok := team.Support.Priority(name)
		if !ok {
			continue
		}
		for _, pl := range p.Labels {
			for _, l := range labels {
				if strings.EqualFold(pl, l) {
					return true
				}
			}
		}
	}
	return false
}

// HasLabelRules reports whether any team has label rules.
func (c *Config) HasLabelRules() bool {
	for _, t := range c.Teams {
		if len(t.LabelRules) > 0 {
			return true
		}
	}
	return false
}
