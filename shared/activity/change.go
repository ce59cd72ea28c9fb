package activity

import (
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-github/v60/github"
)

// change is what one delivery does to the mirror, computed from the payload alone; the
// Recorder completes it with what is already stored (open PRs, branch commits) and writes it.
type change struct {
	// items are footprint items to put.
	items []footprint
	// states are versioned writes (assignments, open-PR index), applied only when newer.
	states []state
	// prCommits, when set, is the head branch whose latest commits the PR items carry.
	prCommits *branchRef
	// push, when set, records commits pushed to a branch.
	push *branchPush
}

// footprint is an Item with the id that completes its sort key.
type footprint struct {
	item Item
	id   string
}

type branchRef struct{ repo, name string }

type branchPush struct {
	branchRef
	// created says the branch is new: commits stored under its name belong to a deleted branch.
	created bool
	commits []branchCommit
}

type branchCommit struct {
	sha, line string
	at        time.Time
}

// state is one versioned item: it replaces the stored one only when ver is newer. A state
// that is not live (an unassignment, a closed PR) is a tombstone that expires.
type state struct {
	what   string // for errors: "assignment of octocat to o/r#1"
	pk, sk string
	ver    string
	live   bool
	attrs  map[string]types.AttributeValue
}

func (c *change) add(it Item, id string) { c.items = append(c.items, footprint{it, id}) }

// at returns t in UTC, or fallback (the delivery's receipt time) when the payload had none.
func at(t *github.Timestamp, fallback time.Time) time.Time {
	if t == nil || t.IsZero() {
		return fallback.UTC().Truncate(time.Second)
	}
	return t.UTC().Truncate(time.Second)
}

func itoa(i int) string { return strconv.Itoa(i) }

func itoa64(i int64) string { return strconv.FormatInt(i, 10) }
