package retro

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ID names one retro: the team's id and the retro's number in the team (1, 2, ...).
type ID struct {
	Team string
	N    int
}

// String is "team/n", the form carried in Slack button values and event payloads.
func (id ID) String() string { return id.Team + "/" + strconv.Itoa(id.N) }

// ParseID reads String's form.
func ParseID(s string) (ID, error) {
	team, n, ok := strings.Cut(s, "/")
	num, err := strconv.Atoi(n)
	if !ok || team == "" || err != nil || num < 1 {
		return ID{}, fmt.Errorf("retro id %q is not team/number", s)
	}
	return ID{Team: team, N: num}, nil
}

// Phase is where a retro is: items are added while it collects, dots placed while it votes.
type Phase string

// The phases, in order. A cancelled retro ends without results.
const (
	Collecting Phase = "collecting"
	Voting     Phase = "voting"
	Closed     Phase = "closed"
	Cancelled  Phase = "cancelled"
)

// Open reports whether the retro has not ended.
func (p Phase) Open() bool { return p == Collecting || p == Voting }

// Retro is one retro's settings and state (the META item).
type Retro struct {
	ID    ID
	Title string
	Phase Phase
	// Fields, Dots, Anonymous, HideVotes and Actions are copied from the team's config when the
	// retro starts (Dots may be changed for this retro), so that a config push mid-retro
	// cannot change the rules of one in progress.
	Fields    []string
	Dots      int
	Anonymous bool
	HideVotes bool
	Actions   int
	// Facilitator is the Slack user who started it; they (and the team's EM) move it on.
	Facilitator string
	// Channel is the team channel it was started in; Board is the board message's ts there,
	// once the processor posted it.
	Channel, Board string
	// Items is how many items it has (they are numbered 1..Items).
	Items int
	// Rev counts changes the board shows; Rendered is the last Rev the board was updated to.
	Rev, Rendered int
	Created       time.Time
	Ended         time.Time
}

// Item is one thing said on the board.
type Item struct {
	N     int
	Field int // index into Retro.Fields
	Text  string
	// Author is the Slack user who added it; always empty in an anonymous retro.
	Author string
}

// Ballot is one voter's dots in a retro.
type Ballot struct {
	Voter string
	Used  int
	// Dots are the voter's dots per item number.
	Dots map[int]int
}

// Placed counts the dots on the ballot's items (always Used, which the vote's condition reads).
func (b Ballot) Placed() int {
	n := 0
	for _, d := range b.Dots {
		n += d
	}
	return n
}

// Left is how many dots the voter may still place.
func (b Ballot) Left(r *Retro) int { return max(0, r.Dots-b.Used) }

// MaxItemText is the longest item, in characters: a sentence or two, as on a sticky note.
const MaxItemText = 500

// Action is an action item: a top-voted item of a closed retro, with its ticket and owner.
type Action struct {
	Retro ID
	// RetroTitle is the retro's title, for listings long after it ended.
	RetroTitle string
	Item       int
	Field      string
	Text       string
	Dots       int
	// Ticket is where it is tracked; zero until opened (or when the team has no tracker).
	Ticket Ticket
	// Owner is the Slack user chosen in the actions message; OwnerRev counts the choices.
	Owner    string
	OwnerRev int
	// State is the ticket's state as last mirrored: "open" or "closed" ("open" without one).
	State   string
	StateAt time.Time
	Created time.Time
}

// Ticket is an action item in a tracker.
type Ticket struct {
	// Tracker is "github" (or "phabricator" when that tracker is added).
	Tracker string
	// Ref is the tracker's reference: "owner/repo#12".
	Ref string
	URL string
}

// IsZero reports whether no ticket was opened.
func (t Ticket) IsZero() bool { return t.Ref == "" }

// Key is the ticket's key in the lookup from tracker events to action items.
func (t Ticket) Key() string { return t.Tracker + ":" + strings.ToLower(t.Ref) }

// encode and decodeTicket carry a ticket as an Effects.Once result.
func (t Ticket) encode() string { return t.Tracker + "|" + t.Ref + "|" + t.URL }

func decodeTicket(s string) Ticket {
	parts := strings.SplitN(s, "|", 3)
	if len(parts) != 3 {
		return Ticket{}
	}
	return Ticket{Tracker: parts[0], Ref: parts[1], URL: parts[2]}
}
