package activity

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/rituals-dev/rituals/shared/clip"
)

// mapPush records each commit pushed to a branch (tags are not footprint) under the branch,
// and each distinct commit as its author's footprint. Commits a push lists again (merged from
// another branch: distinct=false) are already someone's footprint and only join the branch.
func mapPush(e *github.PushEvent, received time.Time) (change, error) {
	repo := e.GetRepo().GetFullName()
	if repo == "" {
		return change{}, fmt.Errorf("push event: %w: no repository", errIncomplete)
	}
	branch, ok := strings.CutPrefix(e.GetRef(), "refs/heads/")
	if !ok || branch == "" || e.GetDeleted() {
		// Tag pushes are not footprint. A deleted branch's commits stay until they expire or
		// the name is reused, so that a merged PR whose branch is deleted at once still finds
		// them, in whatever order the two deliveries are processed.
		return change{}, nil
	}
	c := change{push: &branchPush{branchRef: branchRef{repo: repo, name: branch}, created: e.GetCreated()}}
	for _, hc := range e.Commits {
		sha := hc.GetID()
		if sha == "" {
			sha = hc.GetSHA()
		}
		if sha == "" {
			return change{}, fmt.Errorf("push event: %w: commit without id", errIncomplete)
		}
		when := at(hc.Timestamp, received)
		msg := hc.GetMessage()
		c.push.commits = append(c.push.commits, branchCommit{sha: sha, line: clip.Prefix(firstLine(msg), MaxLineBytes), at: when})
		if hc.Distinct != nil && !*hc.Distinct {
			continue
		}
		c.add(Item{Kind: KindCommit, Repo: repo, Title: clip.Prefix(firstLine(msg), MaxTitleBytes), URL: hc.GetURL(), At: when,
			Actor: commitActor(hc, e), Branch: branch, SHA: sha, Message: clip.Prefix(msg, MaxMessageBytes)}, sha)
	}
	return c, nil
}

// commitActor is the commit's author's login, else its committer's, else whoever pushed it
// (GitHub gives a username only when the commit's e-mail belongs to an account).
func commitActor(hc *github.HeadCommit, e *github.PushEvent) string {
	for _, l := range []string{hc.GetAuthor().GetLogin(), hc.GetCommitter().GetLogin(), e.GetSender().GetLogin(), e.GetPusher().GetName()} {
		if l != "" {
			return l
		}
	}
	return ""
}
