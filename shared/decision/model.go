package decision

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ID names a decision: the team and its number in the team (shown as D12).
type ID struct {
	Team string
	N    int
}

// String is "team/n", the form in button values and event payloads.
func (id ID) String() string { return id.Team + "/" + strconv.Itoa(id.N) }

// Label is how people refer to it: "D12".
func (id ID) Label() string { return "D" + strconv.Itoa(id.N) }

// ParseID reads String's form.
func ParseID(s string) (ID, error) {
	team, n, ok := strings.Cut(s, "/")
	num, err := strconv.Atoi(n)
	if !ok || team == "" || err != nil || num < 1 {
		return ID{}, fmt.Errorf("decision id %q is not team/number", s)
	}
	return ID{Team: team, N: num}, nil
}

// ParseLabel reads what people type for a decision: "D12", "d12", "#12" or "12".
func ParseLabel(s string) (int, bool) {
	s = strings.TrimPrefix(strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "#"), "D")
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}

// State is where a decision is.
type State string

// States. A decision is open until every approver approved it (Approved) or one rejected it
// (Rejected).
const (
	Open     State = "open"
	Approved State = "approved"
	Rejected State = "rejected"
)

// Verdict is one approver's answer.
type Verdict struct {
	Person   string    `json:"person"`
	Approved bool      `json:"approved"`
	At       time.Time `json:"at"`
}

// Decision is one decision record. The people are person ids, resolved from the team's roles
// when it was opened, so that later changes of roles do not change who decided.
type Decision struct {
	ID       ID     `json:"-"`
	Kind     string `json:"kind"`
	KindName string `json:"kind_name"`
	Title    string `json:"title"`
	// OpenedBy is the Slack user who opened it.
	OpenedBy  string   `json:"opened_by"`
	Drivers   []string `json:"drivers,omitempty"`
	Approvers []string `json:"approvers"`
	Consulted []string `json:"consulted,omitempty"`
	Informed  []string `json:"informed,omitempty"`
	State     State    `json:"state"`
	// Verdicts are the approvers' answers, in the order given.
	Verdicts []Verdict `json:"verdicts,omitempty"`
	// Channel is where the record is posted.
	Channel string    `json:"channel"`
	Created time.Time `json:"created"`
	Decided time.Time `json:"decided,omitempty"`
	// Rev counts changes; each has its own decision.changed event.
	Rev int `json:"rev"`
}

// IsApprover reports whether person approves this decision.
func (d *Decision) IsApprover(person string) bool {
	for _, a := range d.Approvers {
		if a == person {
			return true
		}
	}
	return false
}

// VerdictOf returns person's verdict, if they gave one.
func (d *Decision) VerdictOf(person string) (Verdict, bool) {
	for _, v := range d.Verdicts {
		if v.Person == person {
			return v, true
		}
	}
	return Verdict{}, false
}

// Decide records person's verdict at at and settles the state: rejected by any rejection,
// approved once every approver approved. It reports false (and changes nothing) when the
// decision is no longer open or person already answered.
func (d *Decision) Decide(person string, approve bool, at time.Time) bool {
	if d.State != Open {
		return false
	}
	if _, done := d.VerdictOf(person); done {
		return false
	}
	d.Verdicts = append(d.Verdicts, Verdict{Person: person, Approved: approve, At: at})
	switch {
	case !approve:
		d.State, d.Decided = Rejected, at
	case len(d.approvedBy()) == len(d.Approvers):
		d.State, d.Decided = Approved, at
	}
	d.Rev++
	return true
}

func (d *Decision) approvedBy() []string {
	var out []string
	for _, v := range d.Verdicts {
		if v.Approved && d.IsApprover(v.Person) {
			out = append(out, v.Person)
		}
	}
	return out
}
