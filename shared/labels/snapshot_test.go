package labels

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// TestDecodeSnapshot reads the real payloads (events/github) the function receives.
func TestDecodeSnapshot(t *testing.T) {
	t.Parallel()
	received := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		file, event string
		pr          bool
		label       string
		labels      string
		comment     string
		open        bool
	}{
		{file: "issues.labeled.json", event: "issues", label: "bug", labels: "bug", open: true},
		// The recorded unlabeled payload still lists the removed label: it is taken off.
		{file: "issues.unlabeled.json", event: "issues", label: "bug", labels: "", open: true},
		{file: "pull_request.labeled.json", event: "pull_request", pr: true, label: "bug", labels: "bug", open: true},
		{file: "pull_request.unlabeled.json", event: "pull_request", pr: true, label: "bug", labels: "", open: true},
		{file: "issue_comment.created.json", event: "issue_comment", labels: "bug", comment: "Codertocat", open: true},
		{file: "pull_request.closed.json", event: "pull_request", pr: true, labels: "bug", open: false},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile("../../events/github/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			s, err := DecodeSnapshot(tc.event, body, received)
			if err != nil {
				t.Fatal(err)
			}
			if s.Repo != "Codertocat/Hello-World" || s.Number == 0 || s.PR != tc.pr || s.Label != tc.label || strings.Join(s.Labels, ",") != tc.labels ||
				s.Open != tc.open || s.Author != "Codertocat" || s.AuthorAssoc != "OWNER" || s.Updated.IsZero() || !s.Received.Equal(received) || s.NodeID == "" {
				t.Fatalf("snapshot = %+v", s)
			}
			if got := ""; s.Comment != nil {
				got = s.Comment.Author
				if got != tc.comment || s.Comment.Created.IsZero() {
					t.Fatalf("comment = %+v", s.Comment)
				}
			} else if tc.comment != "" {
				t.Fatal("no comment")
			}
		})
	}
	if _, err := DecodeSnapshot("issues", []byte(`{"action":"opened","repository":{"full_name":"a/b"}}`), received); !errors.Is(err, ErrNotAnIssueEvent) {
		t.Errorf("payload without an issue: %v", err)
	}
	if _, err := DecodeSnapshot("issues", []byte(`[1]`), received); err == nil {
		t.Error("a JSON list decoded")
	}
}

// TestMirrorKeepsTheNewestSnapshot: deliveries out of order never take the mirror back; a
// comment counts whenever it arrives.
func TestMirrorKeepsTheNewestSnapshot(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	newer := Snapshot{Repo: "o/r", Number: 1, Labels: []string{"a"}, Open: true, Updated: t0.Add(time.Minute), Received: t0.Add(time.Minute)}
	older := Snapshot{Repo: "o/r", Number: 1, Labels: []string{"b"}, Open: true, Updated: t0, Received: t0.Add(2 * time.Minute),
		Comment: &Comment{Author: "Alice", Created: t0}}
	is := &Issue{}
	if !is.apply(newer) || !is.apply(older) {
		t.Fatal("want both to change the mirror")
	}
	if !is.HasLabel("A") || is.HasLabel("b") || !is.CommentedAfter("alice", t0.Add(-time.Second)) || is.CommentedAfter("alice", t0) {
		t.Fatalf("mirror = %+v", is)
	}
	if is.apply(older) {
		t.Error("the same delivery again changed the mirror")
	}
}
