package support

import (
	"time"
)

// State is where a request is in its life.
type State string

const (
	// Open requests are listed, nagged and shown with buttons.
	Open State = "open"
	// Resolved requests' issue was closed.
	Resolved State = "resolved"
	// Relabelled requests lost the team's support label (or the issue was deleted or
	// transferred away).
	Relabelled State = "relabelled"
)

// Request is one support request: the record in the state table. Its Log is append-only;
// entries at index >= Synced still have effects to run (see Processor.Sync).
type Request struct {
	ID ID `json:"id"`
	// Title, URL (the html_url), NodeID (for GraphQL) and Requester (the author's
	// GitHub login) mirror the latest applied issue snapshot.
	Title     string `json:"title"`
	URL       string `json:"url"`
	NodeID    string `json:"node_id"`
	Requester string `json:"requester"`
	// Priority is the name of the config priority the labels mean.
	Priority string `json:"priority"`
	// Missing are the titles of required sections the body lacks.
	Missing []string `json:"missing,omitempty"`
	State   State    `json:"state"`
	// Reason says why a request that is not open was closed (e.g. "label removed").
	Reason string `json:"reason,omitempty"`

	// Created is when the request opened (the receipt time of the delivery that opened it):
	// time to acknowledge and resolve, nags and ages count from it.
	Created time.Time `json:"created"`
	// Closed is when the request stopped being open.
	Closed time.Time `json:"closed"`
	// Engineer is the person on rotation when the request opened.
	Engineer string `json:"engineer,omitempty"`

	// Version orders the issue snapshots applied: the updated_at, then the delivery's
	// receipt time.
	Version Version `json:"version"`

	Acked     time.Time `json:"acked"`
	AckedBy   string    `json:"acked_by,omitempty"`
	ETA       time.Time `json:"eta"`
	Questions string    `json:"questions,omitempty"`
	Owner     string    `json:"owner,omitempty"`
	Looped    time.Time `json:"looped"`
	LoopedBy  string    `json:"looped_by,omitempty"`

	// Channel and TS locate the announcement once it is posted. They, not an effect record
	// (which expires), are what makes the announcement once-ever: a request lives two years.
	Channel string `json:"channel,omitempty"`
	TS      string `json:"ts,omitempty"`
	// SectionsAsked records that the one missing-sections comment was posted (or refused).
	SectionsAsked bool `json:"sections_asked,omitempty"`

	// Log holds the entries from index LogBase on: those whose effects are not all done, and
	// those done since the last write. The store moves done entries to items of their own
	// (see Store.History), so the request item does not grow with its history.
	Log     []Entry `json:"log,omitempty"`
	LogBase int     `json:"log_base,omitempty"`
	// Synced counts the entries (by index, from 0) whose effects are all done.
	Synced int `json:"synced"`
	// Content counts changes of what the Slack message shows; Rendered is the Content the
	// message last showed.
	Content  int `json:"content"`
	Rendered int `json:"rendered"`
	// Rev counts writes; every write is conditional on the Rev read.
	Rev int `json:"rev"`
}

// Version orders issue snapshots: the updated_at, then the delivery's receipt time.
type Version struct {
	Updated  time.Time `json:"updated"`
	Received time.Time `json:"received"`
}

// Before reports whether v is older than o.
func (v Version) Before(o Version) bool {
	if !v.Updated.Equal(o.Updated) {
		return v.Updated.Before(o.Updated)
	}
	return v.Received.Before(o.Received)
}

// Kind is what a log entry records.
type Kind string

// Log entry kinds.
const (
	KindOpened     Kind = "opened"
	KindReopened   Kind = "reopened"
	KindSections   Kind = "sections"
	KindPriority   Kind = "priority"
	KindAck        Kind = "ack"
	KindETA        Kind = "eta"
	KindLoop       Kind = "loop"
	KindOwner      Kind = "owner"
	KindResolved   Kind = "resolved"
	KindRelabelled Kind = "relabelled"
)

// Entry is one change to a request, in order. Its index in the log keys its effects.
type Entry struct {
	Kind Kind      `json:"kind"`
	At   time.Time `json:"at"`
	// By is the person id who made the change; empty for changes that came from GitHub.
	By        string    `json:"by,omitempty"`
	ETA       time.Time `json:"eta"`
	Questions string    `json:"questions,omitempty"`
	Owner     string    `json:"owner,omitempty"`
	PrevOwner string    `json:"prev_owner,omitempty"`
	Missing   []string  `json:"missing,omitempty"`
	Priority  string    `json:"priority,omitempty"`
	Reason    string    `json:"reason,omitempty"`
}

// IsOpen reports whether the request is open.
func (r *Request) IsOpen() bool { return r.State == Open }

// LogLen is the number of entries the request ever had.
func (r *Request) LogLen() int { return r.LogBase + len(r.Log) }

// Entry is entry i of the log; i must be LogBase or later (entries before are in History).
func (r *Request) Entry(i int) Entry { return r.Log[i-r.LogBase] }

// Last is the latest entry.
func (r *Request) Last() Entry { return r.Log[len(r.Log)-1] }

// announced reports whether the request ever opened (a tombstone never did).
func (r *Request) announced() bool { return r.LogLen() > 0 }

// add appends an entry (which always changes what the message shows).
func (r *Request) add(e Entry) {
	r.Log = append(r.Log, e)
	r.Content++
}

// behind reports whether the request has effects or a message update still to do.
func (r *Request) behind() bool {
	return r.announced() && (r.Synced < r.LogLen() || r.Rendered < r.Content)
}

// clone returns a deep enough copy for a read-modify-write retry.
func (r *Request) clone() *Request {
	c := *r
	c.Missing = append([]string(nil), r.Missing...)
	c.Log = append([]Entry(nil), r.Log...) // LogBase is copied with the struct
	return &c
}
