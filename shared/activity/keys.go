package activity

import (
	"fmt"
	"strings"
	"time"
)

const (
	activityPrefix   = "ACT#"
	assignmentPrefix = "ASG#"
	branchPrefix     = "BR#"
	prSKPrefix       = "PR#"
	commitSKPrefix   = "C#"
)

// keyTime is fixed-width UTC with second precision so that sort keys order by time as strings.
const keyTime = "2006-01-02T15:04:05Z"

// versionTime is fixed-width UTC with nanoseconds so that versions compare as strings.
const versionTime = "2006-01-02T15:04:05.000000000Z"

func lower(s string) string { return strings.ToLower(s) }

func keyTS(t time.Time) string { return t.UTC().Format(keyTime) }

func activityPK(login string) string { return activityPrefix + strings.ToLower(login) }

func activitySK(it Item, id string) string {
	return keyTS(it.At) + "#" + strings.ToLower(it.Repo) + "#" + string(it.Kind) + "#" + id
}

func assignmentPK(login string) string { return assignmentPrefix + strings.ToLower(login) }

func assignmentSK(repo string, number int) string {
	return fmt.Sprintf("%s#%010d", strings.ToLower(repo), number)
}

func branchPK(repo, branch string) string {
	return branchPrefix + strings.ToLower(repo) + "#" + branch
}

func prSK(repo string, number int) string {
	return fmt.Sprintf("%s%s#%010d", prSKPrefix, strings.ToLower(repo), number)
}

func commitSK(at time.Time, sha string) string { return commitSKPrefix + keyTS(at) + "#" + sha }

// version orders states of one issue or pull request: its updated_at, then the delivery's
// receipt time, which breaks ties between changes made within the same second.
func version(updated, received time.Time) string {
	return updated.UTC().Format(versionTime) + "|" + received.UTC().Format(versionTime)
}

// ceilSecond rounds t up to a whole second: item times have second precision, so [from, to)
// on whole seconds selects exactly the items with from <= At < to.
func ceilSecond(t time.Time) time.Time {
	s := t.Truncate(time.Second)
	if s.Before(t) {
		s = s.Add(time.Second)
	}
	return s
}

// owner returns the owner part of owner/name.
func owner(repo string) string {
	o, _, _ := strings.Cut(repo, "/")
	return o
}

// firstLine is a commit message's subject line.
func firstLine(msg string) string {
	line, _, _ := strings.Cut(msg, "\n")
	return strings.TrimRight(line, "\r")
}
