package activity

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-github/v60/github"

	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/store"
)

// mapPullRequest records PRs opened, merged and closed (carrying their head branch's
// commits) and keeps the open-PR index: every pull_request event carries the PR as it is
// after the change, so each one refreshes the index.
func mapPullRequest(e *github.PullRequestEvent, received time.Time) (change, error) {
	repo := e.GetRepo().GetFullName()
	pr := e.GetPullRequest()
	if repo == "" || pr == nil {
		return change{}, fmt.Errorf("pull_request event: %w: no repository or pull request", errIncomplete)
	}
	var c change
	if st, ok := openPRState(repo, pr, received); ok {
		c.states = append(c.states, st)
	}
	it := Item{Repo: repo, Number: pr.GetNumber(), Title: clip.Prefix(pr.GetTitle(), MaxTitleBytes), URL: pr.GetHTMLURL(),
		Actor: e.GetSender().GetLogin(), Branch: pr.GetHead().GetRef()}
	switch {
	case e.GetAction() == "opened":
		it.Kind, it.At = KindPROpened, at(pr.CreatedAt, received)
	case e.GetAction() == "closed" && (pr.GetMerged() || pr.MergedAt != nil):
		it.Kind, it.At = KindPRMerged, at(pr.MergedAt, received)
		if l := pr.GetMergedBy().GetLogin(); l != "" {
			it.Actor = l
		}
	case e.GetAction() == "closed":
		it.Kind, it.At = KindPRClosed, at(pr.ClosedAt, received)
	default:
		return c, nil
	}
	c.add(it, itoa(pr.GetNumber()))
	if head := headBranch(pr); head != nil {
		c.prCommits = head
	}
	return c, nil
}

// mapReview records submitted reviews and, like every PR payload, refreshes the open-PR index.
func mapReview(e *github.PullRequestReviewEvent, received time.Time) (change, error) {
	repo := e.GetRepo().GetFullName()
	pr, rv := e.GetPullRequest(), e.GetReview()
	if repo == "" || pr == nil || rv == nil {
		return change{}, fmt.Errorf("pull_request_review event: %w: no repository, pull request or review", errIncomplete)
	}
	var c change
	if st, ok := openPRState(repo, pr, received); ok {
		c.states = append(c.states, st)
	}
	if e.GetAction() == "submitted" {
		actor := e.GetSender().GetLogin()
		if actor == "" {
			actor = rv.GetUser().GetLogin()
		}
		c.add(Item{Kind: KindReview, Repo: repo, Number: pr.GetNumber(), Title: clip.Prefix(pr.GetTitle(), MaxTitleBytes),
			URL: rv.GetHTMLURL(), At: at(rv.SubmittedAt, received), Actor: actor,
			ReviewState: strings.ToLower(rv.GetState())}, itoa64(rv.GetID()))
	}
	return c, nil
}

// headBranch is where a PR's commits are pushed (a fork's branch for a PR from a fork), or nil
// when the head repository is gone.
func headBranch(pr *github.PullRequest) *branchRef {
	repo, ref := pr.GetHead().GetRepo().GetFullName(), pr.GetHead().GetRef()
	if repo == "" || ref == "" {
		return nil
	}
	return &branchRef{repo: repo, name: ref}
}

// openPRState indexes a PR under its head branch while it is open, so that a push to that
// branch can name it; a closed PR leaves a tombstone. A payload without a state says nothing.
func openPRState(repo string, pr *github.PullRequest, received time.Time) (state, bool) {
	head := headBranch(pr)
	if head == nil || (pr.GetState() != "open" && pr.GetState() != "closed") {
		return state{}, false
	}
	attrs := map[string]types.AttributeValue{
		attrRepo:   store.S(repo),
		attrNumber: store.N(int64(pr.GetNumber())),
	}
	setNonEmpty(attrs, attrTitle, clip.Prefix(pr.GetTitle(), MaxTitleBytes), attrURL, pr.GetHTMLURL())
	return state{
		what:  fmt.Sprintf("open PR %s#%d on %s:%s", repo, pr.GetNumber(), head.repo, head.name),
		pk:    branchPK(head.repo, head.name),
		sk:    prSK(repo, pr.GetNumber()),
		ver:   version(at(pr.UpdatedAt, received), received),
		live:  pr.GetState() == "open",
		attrs: attrs,
	}, true
}
