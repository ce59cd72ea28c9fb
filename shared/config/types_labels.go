package config

// Label rules: a team's declarative reactions to issue and pull-request labels (package
// labels runs them). Everything here is validated by Parse: every label, repository, channel,
// person, role and rotation a rule names is one the config knows, every timer has a condition,
// templates use only known placeholders, and no rule (or chain of rules) triggers itself.

// LabelRule is one "when this label is added (or removed), do that" rule of a team.
type LabelRule struct {
	// ID is a lowercase slug, unique in the team. It keys the rule's effects and timers in
	// DynamoDB, so keep it stable.
	ID string
	// Name is the display name; defaults to ID.
	Name string
	When LabelTrigger
	// Do runs at once, in order, when the rule triggers.
	Do []LabelAction
	// Timers run later, while their conditions hold.
	Timers []LabelTimer
	// CancelOn lists what cancels the rule's pending timers on an issue (Cancel* constants).
	// Defaults to the label going back (label_removed, or label_added for a rule on a removal)
	// and closed.
	CancelOn []string

	path string
}

// LabelTrigger says which label events trigger a rule.
type LabelTrigger struct {
	// Label is the label's name (matched case-insensitively, as GitHub does).
	Label string
	// Removed makes the rule trigger when the label is taken off rather than put on.
	Removed bool
	// Issues and PullRequests say where the rule applies; after Parse at least one is true
	// (both by default).
	Issues, PullRequests bool
	// Repos are "owner/name" repositories; empty means every repository of the team's clients.
	Repos []string
	// Authors, when set, limits the rule to issues whose author has one of these
	// author_association values (upper case: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR,
	// FIRST_TIME_CONTRIBUTOR, FIRST_TIMER, MANNEQUIN, NONE).
	Authors []string
	// Priorities, when set, limits the rule to issues carrying a label of one of these support
	// priorities (names from the team's support.priorities).
	Priorities []string

	repos map[string]bool
}

// Action kinds.
const (
	ActionComment      = "comment"
	ActionPost         = "post"
	ActionDM           = "dm"
	ActionAssign       = "assign"
	ActionAddLabels    = "add_labels"
	ActionRemoveLabels = "remove_labels"
	ActionBoard        = "board"
	ActionClose        = "close"
	ActionLock         = "lock"
)

// ActionKinds lists every action kind, in the order the docs present them.
var ActionKinds = []string{ActionComment, ActionPost, ActionDM, ActionAssign, ActionAddLabels, ActionRemoveLabels, ActionBoard, ActionClose, ActionLock}

// LabelAction is one thing a rule does. Kind says which; the other fields are its arguments.
type LabelAction struct {
	Kind string
	// Text is the template of a comment, post or DM (see TemplatePlaceholders); empty for a
	// post or DM means the default text.
	Text string
	// Channel is the Slack channel id a post goes to; ChannelName is how the rule named it
	// (team, support, digest, a name from slack.channels, or the id itself).
	Channel, ChannelName string
	// Target is who a DM goes to or who is assigned.
	Target ActionTarget
	// Labels are added or removed.
	Labels []string
	// Board is where the issue is put, with a status.
	Board *Board
	// Reason is close's state reason (completed, not_planned) or lock's lock reason
	// (resolved, off-topic, too heated, spam).
	Reason string

	path string
}

// ActionTarget is the people an action is about: exactly one field is set.
type ActionTarget struct {
	// Person is a person id.
	Person string
	// Role is a team role (em, pm, qa, members, a custom role): everyone holding it.
	Role string
	// Rotation is the name of a rotation of the team ("support"): whoever is on it then.
	Rotation string
	// Assignees are the issue's assignees that the config knows (DMs only).
	Assignees bool
}

// RotationSupport is the team's support rotation (support.rotation).
const RotationSupport = "support"

// Close and lock reasons, as GitHub spells them.
const (
	CloseCompleted  = "completed"
	CloseNotPlanned = "not_planned"
)

// CloseReasons and LockReasons are the values close and lock accept.
var (
	CloseReasons = []string{CloseCompleted, CloseNotPlanned}
	LockReasons  = []string{"resolved", "off-topic", "too heated", "spam"}
)

// Timer conditions: what must still hold when a timer fires.
const (
	// CondStillLabeled: the rule's label is still on the issue (rules on an added label).
	CondStillLabeled = "still_labeled"
	// CondStillUnlabeled: the rule's label is still off the issue (rules on a removed label).
	CondStillUnlabeled = "still_unlabeled"
	// CondNoAuthorReply: the issue's author has not commented since the rule triggered.
	CondNoAuthorReply = "no_author_reply"
	// CondNoTeamReply: no member of the team (other than the author) has commented since.
	CondNoTeamReply = "no_team_reply"
	// CondStillOpen: the issue is still open.
	CondStillOpen = "still_open"
)

// Conditions lists the timer conditions.
var Conditions = []string{CondStillLabeled, CondStillUnlabeled, CondNoAuthorReply, CondNoTeamReply, CondStillOpen}

// Cancellations: events that cancel a rule's pending timers on an issue.
const (
	CancelAuthorReply  = "author_reply"
	CancelTeamReply    = "team_reply"
	CancelLabelRemoved = "label_removed"
	CancelLabelAdded   = "label_added"
	CancelClosed       = "closed"
)

// Cancellations lists the cancel_on values.
var Cancellations = []string{CancelAuthorReply, CancelTeamReply, CancelLabelRemoved, CancelLabelAdded, CancelClosed}

// LabelTimer is something a rule does later: After the trigger (business days count with the
// team's calendar), if every condition in If still holds, Do runs; with Every it runs again
// every interval while the conditions hold, Limit times in all.
type LabelTimer struct {
	After Span
	// If are conditions (Cond* constants); non-empty.
	If []string
	Do []LabelAction
	// Every is zero for a timer that fires once.
	Every Span
	// Limit is how many times the timer fires at most: 1 without Every, at least 2 with it.
	Limit int

	path string
}

// TemplatePlaceholders are the names a comment, post or DM template may use as {{name}}.
var TemplatePlaceholders = []string{"author", "assignee", "label", "team", "title", "url", "repo", "number", "rule"}

// AuthorAssociations are GitHub's author_association values.
var AuthorAssociations = []string{"OWNER", "MEMBER", "COLLABORATOR", "CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER", "MANNEQUIN", "NONE"}
