package clinic

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// State is where a sign-up stands.
type State string

// Sign-up states. A deferred request stays Pending (at the back of the queue).
const (
	Pending   State = "pending"
	Accepted  State = "accepted"
	Declined  State = "declined"
	Withdrawn State = "withdrawn"
)

// Signup is a visiting engineer's request to join the team's Clinic Duty for a while.
type Signup struct {
	Team string `json:"team"`
	// N numbers the team's sign-ups from 1.
	N int `json:"n"`
	// Requester is the Slack user id of whoever asked; Person their config id ("" when the
	// config does not know them) and Name how they are shown.
	Requester string `json:"requester"`
	Person    string `json:"person,omitempty"`
	Name      string `json:"name"`
	// From are the ids of the requester's own teams (from the config).
	From []string `json:"from,omitempty"`
	// Weeks asked for, and the sprints (duty periods) that makes.
	Weeks   int `json:"weeks"`
	Sprints int `json:"sprints"`
	// Goals are the tasks or links the visitor brings.
	Goals string `json:"goals,omitempty"`
	// Asked is when the request was made; Queued orders the queue (a deferral moves it back).
	Asked  time.Time `json:"asked"`
	Queued time.Time `json:"queued"`
	State  State     `json:"state"`
	// Deferrals counts the approvers' deferrals; each asks the approvers again at the next
	// handover (round Deferrals of the approval request).
	Deferrals  int       `json:"deferrals,omitempty"`
	DeferredAt time.Time `json:"deferred_at"`
	// DecidedAt and DecidedBy (a person id) record the last decision (accept, defer, decline).
	DecidedAt time.Time `json:"decided_at"`
	DecidedBy string    `json:"decided_by,omitempty"`
	// Sprint is the first duty period of an accepted visit (Sprints of them); Placed is true
	// once it was accepted (and stays true when the visit is withdrawn).
	Sprint      int       `json:"sprint,omitempty"`
	Placed      bool      `json:"placed,omitempty"`
	WithdrawnAt time.Time `json:"withdrawn_at"`
	Rev         int       `json:"rev"`
}

// Ref is the sign-up's button value: team and number.
func (s *Signup) Ref() string { return s.Team + "|" + strconv.Itoa(s.N) }

// ParseRef splits a button value into team and sign-up number.
func ParseRef(v string) (team string, n int, err error) {
	team, num, ok := strings.Cut(v, "|")
	if n, err = strconv.Atoi(num); !ok || err != nil || team == "" || n < 1 {
		return "", 0, fmt.Errorf("not a sign-up reference: %q", v)
	}
	return team, n, nil
}

// Patch is an outside contribution waiting for (or having had) its first response: a GitHub
// pull request by someone outside the organisation, or a Differential revision by someone
// outside the team.
type Patch struct {
	Team string `json:"team"`
	// ID is "github#<owner/repo>#<number>" (repository lowercased) or "phab#D<id>".
	ID     string `json:"id"`
	Source string `json:"source"` // "github" or "phabricator"
	Repo   string `json:"repo,omitempty"`
	Number int    `json:"number"`
	// PHID is the revision's (Differential only).
	PHID   string `json:"phid,omitempty"`
	Title  string `json:"title"`
	URL    string `json:"url"`
	Author string `json:"author"`
	// Association is GitHub's author_association (NONE, FIRST_TIMER...).
	Association string    `json:"association,omitempty"`
	Opened      time.Time `json:"opened"`
	// Reviewer is the person id the patch was routed to; Routing how ("duty", "round_robin").
	Reviewer string `json:"reviewer,omitempty"`
	Routing  string `json:"routing"`
	// Due is the first-response target; Escalate a second target after it (the EM is told).
	Due      time.Time `json:"due"`
	Escalate time.Time `json:"escalate"`
	// CommentedAt is when the author was told who will look and by when (once ever).
	CommentedAt time.Time `json:"commented_at"`
	// RespondedAt is the first review or comment by a team member (RespondedBy, a person id).
	RespondedAt  time.Time `json:"responded_at"`
	RespondedBy  string    `json:"responded_by,omitempty"`
	RespondedHow string    `json:"responded_how,omitempty"`
	NaggedAt     time.Time `json:"nagged_at"`
	EscalatedAt  time.Time `json:"escalated_at"`
	// ClosedAt ends the wait: merged, closed, published or abandoned (ClosedHow).
	ClosedAt  time.Time `json:"closed_at"`
	ClosedHow string    `json:"closed_how,omitempty"`
	Rev       int       `json:"rev"`
}

// Waiting reports whether the patch still waits for its first response.
func (p *Patch) Waiting() bool { return p.ClosedAt.IsZero() && p.RespondedAt.IsZero() }

// GitHubPatchID is the id of a pull request's patch.
func GitHubPatchID(repo string, number int) string {
	return "github#" + strings.ToLower(repo) + "#" + strconv.Itoa(number)
}

// RevisionPatchID is the id of a Differential revision's patch.
func RevisionPatchID(id int) string { return "phab#D" + strconv.Itoa(id) }

// Done is a task completed while someone was on Clinic Duty (the ledger behind "tasks
// completed by the duty engineers").
type Done struct {
	Task  string    `json:"task"`
	ID    int       `json:"id"`
	Title string    `json:"title"`
	At    time.Time `json:"at"`
	// By closed it, Owner owned it then, Duty was on Clinic Duty then (person ids, "" when
	// unknown).
	By    string `json:"by,omitempty"`
	Owner string `json:"owner,omitempty"`
	Duty  string `json:"duty,omitempty"`
}

// ByDuty reports whether the engineer on duty closed or owned the task.
func (d Done) ByDuty() bool { return d.Duty != "" && (d.By == d.Duty || d.Owner == d.Duty) }

// Untriaged is one stay of a task in the team's triage column: In when it entered, Out when it
// left (moved on, or closed; zero while it is still there).
type Untriaged struct {
	Task  string    `json:"task"`
	ID    int       `json:"id"`
	Title string    `json:"title"`
	In    time.Time `json:"in"`
	Out   time.Time `json:"out"`
}

// At reports whether the task was untriaged at t.
func (u Untriaged) At(t time.Time) bool {
	return !u.In.After(t) && (u.Out.IsZero() || u.Out.After(t))
}
