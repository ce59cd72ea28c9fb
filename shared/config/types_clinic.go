package config

// Clinic Duty: a team's two-week duty rotation (who takes Unbreak Now! tasks, untriaged tasks
// and outside patches), the sign-up queue for visiting engineers, and the first-response
// target for patches from outside the organisation.

// Clinic is how a team runs Clinic Duty.
type Clinic struct {
	// Rotation is the duty rotation; Weeks defaults to 2 (one Clinic Duty sprint per turn).
	Rotation Rotation
	// Channel is where handovers, reports and sign-up news are posted (default: slack.channel).
	Channel string
	// Approvers accept, defer or decline sign-ups: roles (em, pm, tech_lead...) or person ids,
	// resolved by Team.ClinicApprovers; default [em].
	Approvers []string
	// VisitorsPerSprint is how many visiting engineers one sprint (one duty period) takes;
	// default 2, at least 1.
	VisitorsPerSprint int
	// Repos are "owner/name" repositories whose outside pull requests are routed; empty means
	// every repository of the team's clients.
	Repos []string
	// FirstResponse is the target for a first response to an outside patch (default 2
	// business days); the reviewer is nagged once past it and the EM told after a second one.
	FirstResponse Span
	// Reviewer says who gets an outside patch: ReviewerDuty (the engineer on duty, the
	// default) or ReviewerRoundRobin (Reviewers in turn).
	Reviewer string
	// Reviewers are the round-robin's person ids, each a team member; default the rotation's
	// members.
	Reviewers []string

	repos map[string]bool
}

// Who gets an outside patch.
const (
	ReviewerDuty       = "duty"
	ReviewerRoundRobin = "round_robin"
)

// RotationClinic is the team's Clinic Duty rotation (clinic.rotation), as label rules name it.
const RotationClinic = "clinic"

// Defaults of a clinic section.
const (
	DefaultClinicWeeks    = 2
	DefaultVisitorsSprint = 2
)
