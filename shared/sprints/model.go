package sprints

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
)

// Where a milestone lives.
const (
	SourcePhabricator = "phabricator"
	SourceGitHub      = "github"
)

// Milestone is a milestone a team's sprint may be on, as Rituals has seen it: a Phabricator
// milestone of the team's project, or a GitHub milestone of one of its sprint repositories.
type Milestone struct {
	// Key identifies it: the milestone's PHID, or "owner/name#<number>" (lowercased).
	Key    string `json:"key"`
	Source string `json:"source"`
	Name   string `json:"name"`
	URL    string `json:"url,omitempty"`
	// Due is a GitHub milestone's due date (zero when it has none, and on Phabricator).
	Due    config.Date `json:"due"`
	Closed bool        `json:"closed,omitempty"`
}

// GitHubKey is the key of milestone number of repo.
func GitHubKey(repo string, number int) string {
	return strings.ToLower(repo) + "#" + strconv.Itoa(number)
}

// How a sprint got its dates.
const (
	FromConfig  = "config"
	FromDueDate = "due date"
	FromCommand = "command"
)

// Sprint is one sprint of a team: a milestone and its dates (both inclusive, in the team's time
// zone), and what happened to it.
type Sprint struct {
	Team      string      `json:"team"`
	Milestone Milestone   `json:"milestone"`
	From      config.Date `json:"from"`
	To        config.Date `json:"to"`
	How       string      `json:"how"`
	// By is the person who set it with /sprint start.
	By      string    `json:"by,omitempty"`
	Created time.Time `json:"created"`
	// Captured is when the planned scope was captured (zero before the sprint starts).
	Captured time.Time `json:"captured"`
	// Goals are the team's goals for its next planning (/sprint goals), at most MaxGoals.
	Goals []string `json:"goals,omitempty"`
	// Notes are the wins, learnings and road-bumps the team added (/sprint note).
	Notes []Note `json:"notes,omitempty"`
	// Reported is when the end report was posted; ReportTS is that message's ts and
	// ReportChannel its channel, for the chart link.
	Reported      time.Time `json:"reported"`
	ReportTS      string    `json:"report_ts,omitempty"`
	ReportChannel string    `json:"report_channel,omitempty"`

	rev int64
}

// MaxGoals is what the planning template asks for: "ideally no more than 3".
const MaxGoals = 3

// Kinds of Note, in the order the planning document lists them.
const (
	NoteWin      = "win"
	NoteLearning = "learning"
	NoteRoadbump = "roadbump"
)

// Note is something the team wants in the next planning document's review.
type Note struct {
	Kind string    `json:"kind"`
	Text string    `json:"text"`
	By   string    `json:"by,omitempty"`
	At   time.Time `json:"at"`
}

// Start is when the sprint starts: its first day at the team's start_at.
func (s *Sprint) Start(team *config.Team) time.Time {
	return settings(team).StartAt.On(s.From, team.Location())
}

// End is when the sprint ends: midnight after its last day.
func (s *Sprint) End(team *config.Team) time.Time {
	return s.To.AddDays(1).In(team.Location())
}

// ReportTime is when the end report is due: the last day at the team's report_at.
func (s *Sprint) ReportTime(team *config.Team) time.Time {
	return settings(team).ReportAt.On(s.To, team.Location())
}

// Overlaps reports whether the sprint shares a day with from..to.
func (s *Sprint) Overlaps(from, to config.Date) bool {
	return s.From.Compare(to) <= 0 && from.Compare(s.To) <= 0
}

// Dates renders the sprint's dates as people read them ("Wed 4 Nov – Tue 17 Nov 2026").
func (s *Sprint) Dates() string { return dateRange(s.From, s.To) }

func dateRange(from, to config.Date) string {
	f, t := from.In(time.UTC), to.In(time.UTC)
	if f.Year() == t.Year() {
		return f.Format("Mon 2 Jan") + " – " + t.Format("Mon 2 Jan 2006")
	}
	return f.Format("Mon 2 Jan 2006") + " – " + t.Format("Mon 2 Jan 2006")
}

// settings are the team's sprint settings (the defaults when it has none: a /sprint start
// sprint on a team without a sprints section).
func settings(team *config.Team) *config.Sprints {
	if team.Sprints != nil {
		return team.Sprints
	}
	return &config.Sprints{Length: config.DefaultSprintLength, Scale: config.DefaultScale, SplitAbove: config.DefaultSplitAbove,
		PointsLabel: config.DefaultPointsLabel, ReportAt: config.Clock{Hour: 16}}
}

// Task is a task (a Phabricator task or a GitHub issue) of a milestone as last seen.
type Task struct {
	// Key is "T123" or "owner/name#45".
	Key   string `json:"key"`
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
	// Owner is the config person it is assigned to ("" when unassigned or not a config
	// person); OwnerName shows an owner outside the config (a login, a username).
	Owner     string `json:"owner,omitempty"`
	OwnerName string `json:"owner_name,omitempty"`
	// Points is its estimate (nil: none); PointsNote says why a GitHub issue's labels give no
	// usable estimate ("two points labels").
	Points     *float64 `json:"points"`
	PointsNote string   `json:"points_note,omitempty"`
	In         bool     `json:"in"`
	Done       bool     `json:"done"`
	// Version orders observations of the task: an older one is not applied.
	Version string `json:"version"`
}

// Kinds of Change.
const (
	ChangeAdd    = "add"
	ChangeRemove = "remove"
	ChangePoints = "points"
	ChangeDone   = "done"
	ChangeUndone = "undone"
)

// Change is one thing that happened to a milestone's scope, recorded once and never
// recomputed: a task added or removed, its points changed, done or undone.
type Change struct {
	At   time.Time `json:"at"`
	Task string    `json:"task"`
	Kind string    `json:"kind"`
	// Points is the task's estimate after the change (for add and points).
	Points *float64 `json:"points"`
	// ID names what caused it (a transaction PHID, a delivery), so that it is recorded once.
	ID string `json:"id"`
}

// Plan is the planned scope, captured when the sprint started.
type Plan struct {
	Captured time.Time     `json:"captured"`
	Tasks    []PlannedTask `json:"tasks"`
}

// PlannedTask is a task as it was planned.
type PlannedTask struct {
	Key    string   `json:"key"`
	Title  string   `json:"title"`
	Points *float64 `json:"points"`
	Owner  string   `json:"owner,omitempty"`
}

// Has reports whether the task was planned.
func (p *Plan) Has(key string) bool {
	if p == nil {
		return false
	}
	return slices.ContainsFunc(p.Tasks, func(t PlannedTask) bool { return t.Key == key })
}

// Get returns the planned task.
func (p *Plan) Get(key string) (PlannedTask, bool) {
	if p != nil {
		for _, t := range p.Tasks {
			if t.Key == key {
				return t, true
			}
		}
	}
	return PlannedTask{}, false
}

// Point is the scope and done of a sprint at one moment: the end of a day, the start, now.
type Point struct {
	// Day is the business day it closes (zero for the start point).
	Day         config.Date `json:"day"`
	At          time.Time   `json:"at"`
	ScopeTasks  int         `json:"scope_tasks"`
	DoneTasks   int         `json:"done_tasks"`
	ScopePoints float64     `json:"scope_points"`
	DonePoints  float64     `json:"done_points"`
}

// RemainingTasks is how many tasks are in scope and not done.
func (p Point) RemainingTasks() int { return p.ScopeTasks - p.DoneTasks }

// RemainingPoints is how many points are in scope and not done.
func (p Point) RemainingPoints() float64 { return p.ScopePoints - p.DonePoints }

// pts is an estimate's points, 0 for none.
func pts(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// FormatPoints renders points as people write them ("3", "0.5").
func FormatPoints(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func samePoints(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
