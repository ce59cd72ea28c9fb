package activity

import "time"

// Kind says what a footprint Item records.
type Kind string

// The kinds of footprint items.
const (
	KindIssueOpened   Kind = "issue_opened"
	KindIssueClosed   Kind = "issue_closed"
	KindIssueReopened Kind = "issue_reopened"
	KindIssueComment  Kind = "issue_comment"
	KindPROpened      Kind = "pr_opened"
	KindPRMerged      Kind = "pr_merged"
	KindPRClosed      Kind = "pr_closed"
	KindCommit        Kind = "commit"
	KindReview        Kind = "review"
)

// Item is one thing a person did on GitHub.
type Item struct {
	Kind Kind
	// Repo is owner/name as GitHub spells it.
	Repo string
	// Number is the issue or pull request number (0 for commits; see PR).
	Number int
	// Title is the issue or pull request title, or a commit's first message line.
	Title string
	// URL links to the issue, comment, pull request, review or commit.
	URL string
	// At is when it happened (UTC, second precision), from the payload.
	At time.Time
	// Actor is the GitHub login that did it, as GitHub spells it.
	Actor string

	// Commits are, for pull request items, the latest commits (at most MaxPRCommits, oldest
	// first) pushed to the PR's head branch when the item was recorded.
	Commits []Commit

	// Branch is the branch a commit was pushed to, or a pull request's head branch.
	Branch string
	// SHA is a commit's id.
	SHA string
	// Message is a commit's message (at most MaxMessageBytes).
	Message string
	// PR is, for a commit, the number of an open pull request whose head is the branch the
	// commit was pushed to (0 when there was none when the push was recorded).
	PR int

	// ReviewState is a review's state: approved, changes_requested, commented, dismissed.
	ReviewState string
}

// Commit is a commit listed on a pull request item.
type Commit struct {
	SHA string
	// Message is the commit message's first line (at most MaxLineBytes).
	Message string
}

// Assignment is an open issue assigned to someone.
type Assignment struct {
	// Login is the assignee as GitHub spells it.
	Login string
	// Repo is owner/name as GitHub spells it.
	Repo   string
	Number int
	Title  string
	URL    string
	// UpdatedAt is the issue's updated_at in the delivery that last changed the assignment (UTC).
	UpdatedAt time.Time
}

// Bounds that keep every item far below DynamoDB's 400 KB item limit.
const (
	// MaxPRCommits bounds the commits listed on a pull request item.
	MaxPRCommits = 50
	// MaxMessageBytes bounds a commit item's message.
	MaxMessageBytes = 4096
	// MaxLineBytes bounds a commit line on a pull request item.
	MaxLineBytes = 200
	// MaxTitleBytes bounds titles.
	MaxTitleBytes = 512
)

// DefaultRetention is how long footprint items, branch commits and tombstones are kept (the
// `expires` TTL attribute) when a Recorder does not say otherwise. Open assignments and open
// pull requests do not expire while they are open.
const DefaultRetention = 120 * 24 * time.Hour
