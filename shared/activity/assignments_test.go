package activity

import (
	"slices"
	"testing"
	"time"
)

// step is one delivery of a scenario.
type step struct {
	fixture string
	edits   []edit
	at      time.Duration // receipt time, after received
}

// TestAssignmentOrdering applies deliveries in the order given (which may differ from the order
// the changes happened on GitHub) and checks the final open assignments.
func TestAssignmentOrdering(t *testing.T) {
	t.Parallel()
	const hello = "Codertocat/Hello-World#1"
	octo := inRepo("octo-org/octo-repo")
	tests := []struct {
		name  string
		steps []step
		want  []string
	}{
		{name: "assigned then unassigned", want: nil, steps: []step{
			{fixture: "issues.assigned"}, {fixture: "issues.unassigned", at: time.Second}}},
		{name: "unassigned delivered before assigned", want: nil, steps: []step{
			{fixture: "issues.unassigned"}, {fixture: "issues.assigned", at: time.Second}}},
		{name: "closed removes the assignment", want: nil, steps: []step{
			{fixture: "issues.assigned"}, {fixture: "issues.reopened", edits: closedIssue, at: time.Second}}},
		{name: "reopened restores it", want: []string{hello}, steps: []step{
			{fixture: "issues.assigned"}, {fixture: "issues.reopened", edits: closedIssue, at: time.Second},
			{fixture: "issues.reopened", at: 2 * time.Second}}},
		{name: "close delivered after the reopen", want: []string{hello}, steps: []step{
			{fixture: "issues.reopened"}, {fixture: "issues.reopened", edits: closedIssue, at: time.Second}}},
		{name: "an older snapshot does not resurrect", want: nil, steps: []step{
			{fixture: "issues.unassigned"}, {fixture: "issues.labeled", at: time.Second}}},
		{name: "same second: the later receipt wins", want: nil, steps: []step{
			{fixture: "issues.assigned", edits: []edit{set("issue.updated_at", "2019-05-15T15:20:25Z")}},
			{fixture: "issues.unassigned", at: time.Second}}},
		{name: "same second: an earlier receipt loses", want: []string{hello}, steps: []step{
			{fixture: "issues.unassigned", at: -time.Second},
			{fixture: "issues.assigned", edits: []edit{set("issue.updated_at", "2019-05-15T15:20:25Z")}}}},
		{name: "redelivery of the same record", want: []string{hello}, steps: []step{
			{fixture: "issues.assigned"}, {fixture: "issues.assigned"}}},
		{name: "transferred moves the assignment", want: []string{hello}, steps: []step{
			{fixture: "issues.assigned", edits: octo}, {fixture: "issues.transferred", at: time.Second}}},
		{name: "deleted removes it", want: nil, steps: []step{
			{fixture: "issues.assigned"}, {fixture: "issues.deleted", at: time.Second}}},
		{name: "comment on an open issue keeps it", want: []string{hello}, steps: []step{
			{fixture: "issues.assigned"}, {fixture: "issue_comment.created", at: time.Second}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := newMirror(t)
			for _, s := range tc.steps {
				m.record(t, s.fixture, received.Add(s.at), s.edits...)
			}
			if got := m.assignments(t, "codertocat"); !slices.Equal(got, tc.want) {
				t.Errorf("open assignments = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestRedeliveryWritesOnce records the same delivery twice: one footprint item, and the second
// state write is recognised as already applied.
func TestRedeliveryWritesOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fixture string
		edits   []edit
		items   int
	}{
		{name: "issue opened", fixture: "issues.opened", items: 1},
		{name: "comment", fixture: "issue_comment.created", items: 1},
		{name: "pr merged", fixture: "pull_request.closed", edits: mergedPR, items: 1},
		{name: "review", fixture: "pull_request_review.submitted", items: 1},
		{name: "push", fixture: "push", items: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := newMirror(t)
			first := m.record(t, tc.fixture, received, tc.edits...)
			again := m.record(t, tc.fixture, received, tc.edits...)
			if got := len(m.footprint(t, "Codertocat")); got != tc.items {
				t.Errorf("%d footprint items after a redelivery, want %d", got, tc.items)
			}
			if again.States != 0 || again.Stale != first.States {
				t.Errorf("redelivery applied %d states (stale %d), want 0 (stale %d)", again.States, again.Stale, first.States)
			}
		})
	}
}
