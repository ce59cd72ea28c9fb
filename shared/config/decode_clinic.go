package config

import (
	"gopkg.in/yaml.v3"
)

// Decoding of a team's Clinic Duty section.

func (d *decoder) clinic(n *yaml.Node, path string, t *Team) *Clinic {
	o := d.object(n, path, "rotation", "channel", "approvers", "visitors_per_sprint", "repos", "first_response", "reviewer", "reviewers")
	if o == nil {
		return nil
	}
	c := &Clinic{
		Approvers:         []string{RoleEM},
		VisitorsPerSprint: DefaultVisitorsSprint,
		FirstResponse:     Span{BusinessDays: 2},
		Reviewer:          ReviewerDuty,
	}
	if o.need("rotation", `{members: [alice, bob], handover: {day: mon, time: "09:00"}, start: 2026-01-05}`) {
		c.Rotation = d.rotation(o.val("rotation"), o.p("rotation"), t.loc, DefaultClinicWeeks)
	}
	if c.Channel = o.str("channel"); c.Channel != "" {
		o.check("channel", checkSlackChannel(c.Channel))
	}
	if o.val("approvers") != nil {
		if c.Approvers = o.strs("approvers", "[em, dave]"); len(c.Approvers) == 0 {
			o.problem("approvers", "list at least one role or person who accepts sign-ups, e.g. [em], or remove the key for the EM")
		}
	}
	if v, ok := o.integer("visitors_per_sprint"); ok {
		if v < 1 || v > 50 {
			o.problem("visitors_per_sprint", "visitors_per_sprint is how many visiting engineers one sprint takes: a whole number from 1 to 50, not %d", v)
		} else {
			c.VisitorsPerSprint = v
		}
	}
	c.Repos = o.strs("repos", "[acme/api]")
	for i, r := range c.Repos {
		if err := checkRepo(r); err != nil {
			d.atPath(indexPath(o.p("repos"), i), "%s", err)
		}
	}
	if v, ok := parsed(o, "first_response", ParseSpan); ok {
		if v.IsZero() {
			o.problem("first_response", "first_response must be longer than nothing, e.g. 2d (business days) or 8h")
		} else {
			c.FirstResponse = v
		}
	}
	validReviewer := true
	if o.val("reviewer") != nil {
		switch r := o.str("reviewer"); r {
		case ReviewerDuty, ReviewerRoundRobin:
			c.Reviewer = r
		case "":
		default:
			validReviewer = false
			o.problem("reviewer", "%s", unknownChoice("reviewer", r, []string{ReviewerDuty, ReviewerRoundRobin}))
		}
	}
	c.Reviewers = o.strs("reviewers", "[alice, bob]")
	if len(c.Reviewers) > 0 && c.Reviewer != ReviewerRoundRobin && validReviewer {
		o.problem("reviewers", "reviewers are taken in turn only with `reviewer: round_robin`; add it, or remove reviewers (outside patches go to the engineer on duty)")
	}
	return c
}
