package support

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/rituals-dev/rituals/shared/config"
)

// Snapshot is what one issues delivery says about the issue, after the change it reports.
type Snapshot struct {
	Action    string
	Repo      string
	Number    int
	Title     string
	Body      string
	URL       string
	NodeID    string
	Requester string
	// Labels are the issue's labels after the change.
	Labels []string
	// Label is the label a labeled/unlabeled delivery added or removed.
	Label string
	// Open is false for a closed issue; Gone for a deleted or transferred one.
	Open, Gone bool
	Version    Version
}

// DecodeIssue reads an issues webhook payload (go-github's IssuesEvent) received at received.
func DecodeIssue(payload []byte, received time.Time) (Snapshot, error) {
	var ev github.IssuesEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return Snapshot{}, fmt.Errorf("decode issues payload: %w", err)
	}
	is := ev.GetIssue()
	if is == nil || ev.GetRepo().GetFullName() == "" || is.GetNumber() == 0 {
		return Snapshot{}, fmt.Errorf("issues payload without issue or repository")
	}
	sn := Snapshot{
		Action: ev.GetAction(), Repo: ev.GetRepo().GetFullName(), Number: is.GetNumber(),
		Title: is.GetTitle(), Body: is.GetBody(), URL: is.GetHTMLURL(), NodeID: is.GetNodeID(),
		Requester: is.GetUser().GetLogin(), Label: ev.GetLabel().GetName(),
		Open:    is.GetState() != "closed",
		Gone:    ev.GetAction() == "deleted" || ev.GetAction() == "transferred",
		Version: Version{Updated: is.GetUpdatedAt().Time, Received: received},
	}
	for _, l := range is.Labels {
		sn.Labels = append(sn.Labels, l.GetName())
	}
	return sn, nil
}

// relevant reports whether the snapshot concerns team's support at all: the issue carries one
// of its labels, or the delivery added or removed one.
func (sn Snapshot) relevant(team *config.Team) bool {
	return sn.hasLabel(team) || (sn.Label != "" && team.Support.HasLabel(sn.Label))
}

func (sn Snapshot) hasLabel(team *config.Team) bool {
	for _, l := range sn.Labels {
		if team.Support.HasLabel(l) {
			return true
		}
	}
	return false
}

// Apply reconciles team's request r (found false: none stored yet) with the snapshot: it
// opens, reopens, resolves or closes the request, follows the priority and the missing
// sections, and appends a log entry for each change. Snapshots older than the last one applied
// are ignored, and so is the same one twice; a snapshot that closes a request never seen open
// leaves a tombstone so that an older, late delivery cannot open it. engineer is called only
// when the request opens for the first time, for who is on rotation. Apply returns whether r
// changed.
func Apply(team *config.Team, r *Request, found bool, sn Snapshot, engineer func() (string, error)) (bool, error) {
	if found && !r.Version.Before(sn.Version) {
		return false, nil
	}
	if !found && !sn.relevant(team) {
		return false, nil
	}
	wantOpen := sn.Open && !sn.Gone && sn.hasLabel(team)
	if !found && !wantOpen {
		// A tombstone: the request was closed before its opening delivery was seen.
		r.State, r.Reason = closedState(sn), closedReason(sn)
		r.Closed = closedAt(sn)
	}
	if r.announced() && (r.Title != sn.Title || r.URL != sn.URL) {
		r.Content++ // the message shows them
	}
	r.Title, r.URL, r.NodeID, r.Requester, r.Version = sn.Title, sn.URL, sn.NodeID, sn.Requester, sn.Version
	prio := team.Support.PriorityFor(sn.Labels).Name
	missing := MissingSections(sn.Body, team.Support.RequiredSections)
	at := sn.Version.Received
	switch {
	case wantOpen && !r.IsOpen():
		r.State, r.Reason, r.Closed = Open, "", time.Time{}
		r.Priority, r.Missing = prio, missing
		if r.announced() {
			r.add(Entry{Kind: KindReopened, At: at})
			break
		}
		who, err := engineer()
		if err != nil {
			return false, err
		}
		r.Created, r.Engineer = at, who
		r.add(Entry{Kind: KindOpened, At: at, Priority: prio, Missing: missing})
	case wantOpen:
		if prio != r.Priority {
			r.Priority = prio
			r.add(Entry{Kind: KindPriority, At: at, Priority: prio})
		}
		if !slices.Equal(missing, r.Missing) {
			r.Missing = missing
			r.add(Entry{Kind: KindSections, At: at, Missing: missing})
		}
	case r.IsOpen():
		r.State, r.Reason, r.Closed = closedState(sn), closedReason(sn), closedAt(sn)
		kind := KindRelabelled
		if r.State == Resolved {
			kind = KindResolved
		}
		r.Priority, r.Missing = prio, missing
		r.add(Entry{Kind: kind, At: r.Closed, Reason: r.Reason})
	default:
		r.Priority, r.Missing = prio, missing
	}
	return true, nil
}

// closedState is what a request becomes when the snapshot no longer wants it open: a closed
// issue resolves it, whatever its labels; a removed label, deletion or transfer closes it.
func closedState(sn Snapshot) State {
	if !sn.Open && !sn.Gone {
		return Resolved
	}
	return Relabelled
}

func closedReason(sn Snapshot) string {
	switch {
	case sn.Action == "deleted":
		return "the issue was deleted"
	case sn.Action == "transferred":
		return "the issue was transferred to another repository"
	case !sn.Open:
		return "the issue was closed"
	}
	return "the support label was removed"
}

// closedAt is when a request closed: the delivery's receipt time, the same clock as Created
// (the payload's closed_at would mix GitHub's clock, and a replayed delivery's old date, in).
func closedAt(sn Snapshot) time.Time { return sn.Version.Received }
