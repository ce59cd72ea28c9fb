package activity

import (
	"context"
	"reflect"
	"slices"
	"testing"
)

// TestRecordFixtures runs each real fixture (and the few derived variants) through the mapping
// and DynamoDB Local, and checks the footprint, assignments and open-PR index it leaves.
func TestRecordFixtures(t *testing.T) {
	t.Parallel()
	const (
		repo     = "Codertocat/Hello-World"
		issueURL = "https://github.com/Codertocat/Hello-World/issues/1"
		issue    = "Spelling error in the README file"
		prURL    = "https://github.com/Codertocat/Hello-World/pull/2"
		prTitle  = "Update the README with new information."
		initial  = "6113728f27ae82c7b1a177c8d03f9e96e0adf246"
	)
	tests := []struct {
		name    string
		fixture string
		edits   []edit
		ignored bool
		items   []Item
		assign  []string // Codertocat's open assignments after
		openPR  int      // open PR indexed on Codertocat/Hello-World:changes after
	}{
		{name: "issue opened", fixture: "issues.opened",
			items: []Item{{Kind: KindIssueOpened, Repo: repo, Number: 1, Title: issue, URL: issueURL,
				At: ts(t, "2019-05-15T15:20:18Z"), Actor: "Codertocat"}},
			assign: []string{repo + "#1"}},
		{name: "issue closed (derived from reopened)", fixture: "issues.reopened", edits: closedIssue,
			items: []Item{{Kind: KindIssueClosed, Repo: repo, Number: 1, Title: issue, URL: issueURL,
				At: ts(t, "2021-10-11T16:40:00Z"), Actor: "Codertocat"}}},
		{name: "issue reopened", fixture: "issues.reopened",
			items: []Item{{Kind: KindIssueReopened, Repo: repo, Number: 1, Title: issue, URL: issueURL,
				At: ts(t, "2021-10-11T16:40:56Z"), Actor: "Codertocat"}},
			assign: []string{repo + "#1"}},
		{name: "issue assigned", fixture: "issues.assigned", assign: []string{repo + "#1"}},
		{name: "issue unassigned", fixture: "issues.unassigned"},
		{name: "issue edited refreshes assignments", fixture: "issues.edited", assign: []string{repo + "#1"}},
		{name: "issue labeled refreshes assignments", fixture: "issues.labeled", assign: []string{repo + "#1"}},
		{name: "issue deleted", fixture: "issues.deleted"},
		{name: "issue transferred in", fixture: "issues.transferred", assign: []string{repo + "#1"}},
		{name: "issue comment", fixture: "issue_comment.created",
			items: []Item{{Kind: KindIssueComment, Repo: repo, Number: 1, Title: issue,
				URL: issueURL + "#issuecomment-492700400", At: ts(t, "2019-05-15T15:20:21Z"), Actor: "Codertocat"}},
			assign: []string{repo + "#1"}},
		{name: "pr opened", fixture: "pull_request.opened",
			items: []Item{{Kind: KindPROpened, Repo: repo, Number: 2, Title: prTitle, URL: prURL,
				At: ts(t, "2019-05-15T15:20:33Z"), Actor: "Codertocat", Branch: "changes", Commits: []Commit{}}},
			openPR: 2},
		{name: "pr closed", fixture: "pull_request.closed",
			items: []Item{{Kind: KindPRClosed, Repo: repo, Number: 2, Title: prTitle, URL: prURL,
				At: ts(t, "2019-05-15T15:21:18Z"), Actor: "Codertocat", Branch: "changes", Commits: []Commit{}}}},
		{name: "pr merged (derived from closed)", fixture: "pull_request.closed", edits: mergedPR,
			items: []Item{{Kind: KindPRMerged, Repo: repo, Number: 2, Title: prTitle, URL: prURL,
				At: ts(t, "2019-05-15T15:21:18Z"), Actor: "Codertocat", Branch: "changes", Commits: []Commit{}}}},
		{name: "pr reopened", fixture: "pull_request.reopened", openPR: 2},
		{name: "pr synchronize", fixture: "pull_request.synchronize", openPR: 2},
		{name: "review submitted", fixture: "pull_request_review.submitted",
			items: []Item{{Kind: KindReview, Repo: repo, Number: 2, Title: prTitle,
				URL: prURL + "#pullrequestreview-237895671", At: ts(t, "2019-05-15T15:20:38Z"), Actor: "Codertocat",
				ReviewState: "commented"}},
			openPR: 2},
		{name: "push", fixture: "push",
			items: []Item{{Kind: KindCommit, Repo: repo, Title: "Initial commit",
				URL: "https://github.com/Codertocat/Hello-World/commit/" + initial, At: ts(t, "2019-05-15T15:19:25Z"),
				Actor: "Codertocat", Branch: "master", SHA: initial, Message: "Initial commit"}}},
		{name: "push of a tag", fixture: "push", edits: []edit{set("ref", "refs/tags/v1")}, ignored: true},
		{name: "push deleting a branch", fixture: "push", edits: []edit{set("deleted", true), set("commits", []any{})}, ignored: true},
		{name: "ping", fixture: "ping", ignored: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := newMirror(t)
			res := m.record(t, tc.fixture, received, tc.edits...)
			if res.Ignored != tc.ignored {
				t.Errorf("Ignored = %v, want %v", res.Ignored, tc.ignored)
			}
			if got := m.footprint(t, "Codertocat"); !reflect.DeepEqual(got, tc.items) {
				t.Errorf("footprint:\n got %+v\nwant %+v", got, tc.items)
			}
			if got := m.assignments(t, "Codertocat"); !slices.Equal(got, tc.assign) {
				t.Errorf("open assignments = %v, want %v", got, tc.assign)
			}
			pr, err := m.rec.openPR(context.Background(), branchRef{repo: repo, name: "changes"})
			if err != nil {
				t.Fatal(err)
			}
			if pr != tc.openPR {
				t.Errorf("open PR on changes = %d, want %d", pr, tc.openPR)
			}
		})
	}
}

// TestRecordPushBranchCommits checks that push.json's commit is recorded on its branch.
func TestRecordPushBranchCommits(t *testing.T) {
	t.Parallel()
	m := newMirror(t)
	m.record(t, "push", received)
	got, err := m.rec.branchCommits(context.Background(), branchRef{repo: "codertocat/hello-world", name: "master"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Commit{{SHA: "6113728f27ae82c7b1a177c8d03f9e96e0adf246", Message: "Initial commit"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("branch commits = %+v, want %+v", got, want)
	}
}
