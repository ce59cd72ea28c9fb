package activity

import (
	"reflect"
	"testing"
	"time"
)

// TestCommitsAndPRs follows a PR's life: commits pushed to its head branch are marked with it
// while it is open, and the PR's items carry the branch's commits as they were then.
func TestCommitsAndPRs(t *testing.T) {
	t.Parallel()
	m := newMirror(t)
	start := time.Date(2019, 5, 15, 15, 0, 0, 0, time.UTC)
	// Before the PR: one commit on the branch, not part of any PR yet.
	m.record(t, "push", received, pushToPRBranch(1, "aaaa", start)...)
	m.record(t, "pull_request.opened", received.Add(time.Second))
	// While it is open: two more commits, marked with PR #2.
	m.record(t, "push", received.Add(2*time.Second), pushToPRBranch(2, "bbbb", start.Add(time.Hour))...)
	m.record(t, "pull_request.closed", received.Add(3*time.Second), mergedPR...)
	// After the merge the branch has no open PR.
	m.record(t, "push", received.Add(4*time.Second), pushToPRBranch(1, "cccc", start.Add(2*time.Hour))...)

	a0, b0, b1, c0 := commitID("aaaa", 0), commitID("bbbb", 0), commitID("bbbb", 1), commitID("cccc", 0)
	prs := map[string]int{}
	var opened, merged []Commit
	for _, it := range m.footprint(t, "Codertocat") {
		switch it.Kind {
		case KindCommit:
			prs[it.SHA] = it.PR
		case KindPROpened:
			opened = it.Commits
		case KindPRMerged:
			merged = it.Commits
		}
	}
	if want := map[string]int{a0: 0, b0: 2, b1: 2, c0: 0}; !reflect.DeepEqual(prs, want) {
		t.Errorf("commit PRs = %v, want %v", prs, want)
	}
	if want := []Commit{{SHA: a0, Message: "aaaa change a"}}; !reflect.DeepEqual(opened, want) {
		t.Errorf("pr_opened commits = %+v, want %+v", opened, want)
	}
	want := []Commit{{SHA: a0, Message: "aaaa change a"}, {SHA: b0, Message: "bbbb change a"}, {SHA: b1, Message: "bbbb change b"}}
	if !reflect.DeepEqual(merged, want) {
		t.Errorf("pr_merged commits = %+v, want %+v", merged, want)
	}
}

// TestPRIndex checks that reopening a PR indexes it again and that an out-of-order delivery does
// not undo a later state.
func TestPRIndex(t *testing.T) {
	t.Parallel()
	reopenedLater := []edit{set("pull_request.updated_at", "2019-05-15T15:22:00Z")}
	tests := []struct {
		name  string
		steps []step
		want  int
	}{
		{name: "opened", want: 2, steps: []step{{fixture: "pull_request.opened"}}},
		{name: "closed", want: 0, steps: []step{{fixture: "pull_request.opened"}, {fixture: "pull_request.closed", at: time.Second}}},
		{name: "closed delivered before opened", want: 0, steps: []step{
			{fixture: "pull_request.closed"}, {fixture: "pull_request.opened", at: time.Second}}},
		{name: "reopened", want: 2, steps: []step{
			{fixture: "pull_request.opened"}, {fixture: "pull_request.closed", at: time.Second},
			{fixture: "pull_request.reopened", edits: reopenedLater, at: 2 * time.Second}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := newMirror(t)
			for _, s := range tc.steps {
				m.record(t, s.fixture, received.Add(s.at), s.edits...)
			}
			m.record(t, "push", received.Add(time.Minute), pushToPRBranch(1, "dddd", time.Date(2019, 5, 16, 0, 0, 0, 0, time.UTC))...)
			items := m.footprint(t, "Codertocat")
			var pr = -1
			for _, it := range items {
				if it.Kind == KindCommit {
					pr = it.PR
				}
			}
			if pr != tc.want {
				t.Errorf("pushed commit marked with PR %d, want %d", pr, tc.want)
			}
		})
	}
}

// TestBranchRecreated checks that commits of a deleted branch do not leak into a new branch of
// the same name, while commits pushed after the re-creation (even if processed first) stay.
func TestBranchRecreated(t *testing.T) {
	t.Parallel()
	m := newMirror(t)
	old := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	m.record(t, "push", received, pushToPRBranch(2, "0001", old)...)
	// A later push to the re-created branch is processed before the creating push.
	m.record(t, "push", received.Add(2*time.Hour), pushToPRBranch(1, "0003", old.Add(2*time.Hour))...)
	created := append(pushToPRBranch(1, "0002", old.Add(time.Hour)), set("created", true))
	m.record(t, "push", received.Add(time.Hour), created...)
	m.record(t, "push", received.Add(time.Hour), created...) // and retried
	got, err := m.rec.branchCommits(t.Context(), branchRef{repo: "Codertocat/Hello-World", name: "changes"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Commit{{SHA: commitID("0002", 0), Message: "0002 change a"}, {SHA: commitID("0003", 0), Message: "0003 change a"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("branch commits = %+v, want %+v", got, want)
	}
}

// TestPRCommitsBounded checks that a PR item lists only the latest MaxPRCommits commits.
func TestPRCommitsBounded(t *testing.T) {
	t.Parallel()
	m := newMirror(t)
	start := time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)
	for batch := range 3 { // 60 commits, 20 per push as GitHub sends them
		m.record(t, "push", received.Add(time.Duration(batch)*time.Second),
			pushToPRBranch(20, "e00"+itoa(batch), start.Add(time.Duration(batch)*time.Hour))...)
	}
	m.record(t, "pull_request.closed", received.Add(time.Minute), mergedPR...)
	for _, it := range m.footprint(t, "Codertocat") {
		if it.Kind != KindPRMerged {
			continue
		}
		if len(it.Commits) != MaxPRCommits {
			t.Fatalf("%d commits on the PR item, want %d", len(it.Commits), MaxPRCommits)
		}
		if first, last := it.Commits[0].SHA, it.Commits[MaxPRCommits-1].SHA; first != commitID("e000", 10) || last != commitID("e002", 19) {
			t.Errorf("commits run %s..%s, want the latest 50 oldest first", first, last)
		}
		return
	}
	t.Fatal("no pr_merged item")
}
