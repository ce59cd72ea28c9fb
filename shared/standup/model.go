package standup

import (
	"time"

	"github.com/rituals-dev/rituals/shared/activity"
)

// Availability is how available a developer says they will be by the next business day.
type Availability string

// The availability choices, in the order the modal offers them.
const (
	FullDay       Availability = "full_day"
	PartDay       Availability = "part_day"
	EmergencyOnly Availability = "emergency_only"
	Unavailable   Availability = "unavailable"
)

// Availabilities lists the choices in order.
var Availabilities = []Availability{FullDay, PartDay, EmergencyOnly, Unavailable}

// Label renders the choice for people.
func (a Availability) Label() string {
	switch a {
	case FullDay:
		return "Full day"
	case PartDay:
		return "Part day"
	case EmergencyOnly:
		return "Emergency only"
	case Unavailable:
		return "Unavailable"
	}
	return string(a)
}

// PlanItem is an open issue the developer plans to work on by the next business day.
type PlanItem struct {
	Repo   string `json:"repo"`
	Number int    `json:"number"`
	Title  string `json:"title,omitempty"`
	URL    string `json:"url,omitempty"`
	// ExpectDone says the developer expects to close it (or merge its PR) by then.
	ExpectDone bool `json:"expect_done,omitempty"`
}

// Ref renders "owner/name#N".
func (p PlanItem) Ref() string { return p.Repo + "#" + itoa(p.Number) }

// Footprint is a snapshot of what a developer did on GitHub in [From, To), in the client's
// repositories. It is stored in the entry at the first submission, so that the standup can be
// shown again as it was, and the next standup starts where it ended.
type Footprint struct {
	From  time.Time       `json:"from"`
	To    time.Time       `json:"to"`
	Items []activity.Item `json:"items,omitempty"`
	// Truncated says older items of the interval were left out: a footprint keeps the newest
	// items up to maxSnapshotItems and maxSnapshotBytes, so the entry stays far below
	// DynamoDB's item size and the modal's read stays bounded.
	Truncated bool `json:"truncated,omitempty"`
	// Dropped counts items left out, in entries stored before Truncated existed.
	Dropped int `json:"dropped,omitempty"`
}

// PlanCheck is the previous standup's plan checked against this standup's footprint.
type PlanCheck struct {
	// Previous is the standup whose plan was checked.
	Previous string `json:"previous"`
	// Expected are the items expected done; Done those the footprint shows done.
	Expected []PlanItem `json:"expected,omitempty"`
	Done     []PlanItem `json:"done,omitempty"`
}

// Summary renders "2 of 3 planned items done", or "" when nothing was expected.
func (c *PlanCheck) Summary() string {
	if c == nil || len(c.Expected) == 0 {
		return ""
	}
	return itoa(len(c.Done)) + " of " + itoa(len(c.Expected)) + " items expected done were done"
}

// Entry is what the developer submitted. It never holds reviewer-only fields.
type Entry struct {
	// Submitted is the first submission; Edited the latest; Revision counts submissions.
	Submitted time.Time `json:"submitted"`
	Edited    time.Time `json:"edited"`
	Revision  int       `json:"revision"`
	// Reviewed is when the standup was marked reviewed (zero until then). Only the fact and
	// the time are here; what the reviewer wrote stays in the review item.
	Reviewed time.Time `json:"reviewed,omitzero"`

	Footprint    Footprint         `json:"footprint"`
	RepoComments map[string]string `json:"repo_comments,omitempty"`
	Plan         []PlanItem        `json:"plan,omitempty"`
	Availability Availability      `json:"availability"`
	Comment      string            `json:"comment"`
	Blockers     string            `json:"blockers,omitempty"`
	PlanCheck    *PlanCheck        `json:"plan_check,omitempty"`
}

// Standup is a slot with its entry (nil until submitted): everything the developer and the
// team may see.
type Standup struct {
	Slot  Slot
	Entry *Entry
}

// Submitted reports whether the developer has submitted it.
func (s Standup) Submitted() bool { return s.Entry != nil && !s.Entry.Submitted.IsZero() }

// Flag is a reviewer-only mark on a standup.
type Flag string

// The flags a reviewer may set.
const (
	FlagFollowUp    Flag = "follow_up"
	FlagVague       Flag = "vague"
	FlagPlanMissed  Flag = "plan_missed"
	FlagExcellent   Flag = "excellent"
	FlagHoursIssues Flag = "availability_concern"
)

// Flags lists the flags in the order the review modal offers them.
var Flags = []Flag{FlagFollowUp, FlagVague, FlagPlanMissed, FlagHoursIssues, FlagExcellent}

// Label renders the flag for the reviewer.
func (f Flag) Label() string {
	switch f {
	case FlagFollowUp:
		return "Needs a follow-up"
	case FlagVague:
		return "Too vague"
	case FlagPlanMissed:
		return "Plan missed"
	case FlagHoursIssues:
		return "Availability concern"
	case FlagExcellent:
		return "Excellent"
	}
	return string(f)
}

// Review is the reviewer-only part of a standup: read only by the review modal and the
// reviewer's own paths, never by anything the developer or the team sees.
type Review struct {
	Notes      string    `json:"notes,omitempty"`
	Flags      []Flag    `json:"flags,omitempty"`
	Reviewer   string    `json:"reviewer,omitempty"`
	ReviewedAt time.Time `json:"reviewed_at,omitzero"`
}

// Last points at a person's last submitted standup for a client: where the next footprint
// starts, what they said, their open blockers and the plan to check.
type Last struct {
	ID           string       `json:"id"`
	Date         string       `json:"date"`
	FootprintTo  time.Time    `json:"footprint_to"`
	Comment      string       `json:"comment,omitempty"`
	Plan         []PlanItem   `json:"plan,omitempty"`
	Availability Availability `json:"availability,omitempty"`
	Blockers     string       `json:"blockers,omitempty"`
}
