package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Sprints is how a team runs two-week ("Scrumban") sprints on milestones: where the milestones
// are, the team's estimate scale and definition of done, and when each sprint runs.
//
// A sprint is a Phabricator milestone of the team's project (teams[].phabricator.project) or a
// GitHub milestone of one of Repos, with a start and an end date: from List or Cadence, from a
// GitHub milestone's due date (DueDates), or set in Slack with `/sprint start`.
type Sprints struct {
	// Repos are the "owner/name" GitHub repositories whose milestones may be sprints; each
	// belongs to one of the team's clients. Empty when the team runs sprints on Phabricator only.
	Repos []string
	// PointsLabel is how a GitHub issue carries its estimate, which GitHub has no field for: a
	// label where {n} stands for the number ("points: {n}" by default, so "points: 3").
	PointsLabel string
	// DueDates makes every milestone of Repos with a due date a sprint ending that day,
	// starting the day after the team's previous sprint ended (or Length days before the due
	// date when none precedes it).
	DueDates bool
	// Length is a sprint's length in calendar days where nothing else says (default 14).
	Length int
	// Scale is the estimates the team uses, ascending (default Fibonacci 1, 2, 3, 5, 8, 13): a
	// task without points or with points off the scale is listed to its owner once.
	Scale []float64
	// SplitAbove is the estimate above which a task gets a "consider splitting it" note once
	// (default 8).
	SplitAbove float64
	// DoneStatuses are the Phabricator statuses that make a task done (default: every status
	// the server calls closed); DoneColumn is a column of the team's board that does too (for
	// teams whose "done" is "QA cleared and in sign-off"). On GitHub, done is closed as
	// completed.
	DoneStatuses []string
	DoneColumn   string
	// StartAt is when, in the team's time zone, a sprint starts on its first day: the planned
	// scope is captured then (default 00:00; teams that plan on the first morning set the end
	// of their planning meeting). A task added afterwards is walk-on work.
	StartAt Clock
	// ReportAt is when the report is posted on the sprint's last day (default 16:00).
	ReportAt Clock
	// List are sprints with fixed dates, in file order; Cadence is a repeating one. At most one
	// of the two is set.
	List    []SprintDates
	Cadence *SprintCadence

	path string
}

// SprintDates is one sprint of the config: a milestone and its dates (both inclusive, in the
// team's time zone).
type SprintDates struct {
	// Milestone is a Phabricator milestone's name or PHID, or a GitHub milestone as
	// "owner/name#<number>".
	Milestone string
	From, To  Date

	path string
}

// SprintCadence is a sprint every Length days from First, each on the milestone whose name is
// Milestone with {n} replaced by its number (Number for the first, then one more each time).
type SprintCadence struct {
	First     Date
	Length    int
	Milestone string
	Number    int
}

// Sprint defaults.
const (
	DefaultSprintLength = 14
	DefaultPointsLabel  = "points: {n}"
	DefaultSplitAbove   = 8
	MaxSprintLength     = 366
	pointsPlaceholder   = "{n}"
	cadencePlaceholder  = "{n}"
)

// DefaultScale is the Fibonacci scale most teams estimate with.
var DefaultScale = []float64{1, 2, 3, 5, 8, 13}

// Nth returns the cadence's k-th sprint (k = 0 is the first): its dates and milestone name.
func (c *SprintCadence) Nth(k int) SprintDates {
	from := c.First.AddDays(k * c.Length)
	return SprintDates{
		Milestone: strings.ReplaceAll(c.Milestone, cadencePlaceholder, strconv.Itoa(c.Number+k)),
		From:      from, To: from.AddDays(c.Length - 1),
	}
}

// At returns the cadence's sprint running on d, and whether there is one (none before First).
func (c *SprintCadence) At(d Date) (SprintDates, bool) {
	days := d.daysSince(c.First)
	if days < 0 || c.Length <= 0 {
		return SprintDates{}, false
	}
	return c.Nth(days / c.Length), true
}

// PointsFromLabel returns the estimate a GitHub label carries under the team's points label
// ("points: 3" → 3), and whether the label is a points label at all. A points label whose
// number does not parse is reported with ok true and err set.
func (s *Sprints) PointsFromLabel(label string) (points float64, ok bool, err error) {
	pattern := s.PointsLabel
	if pattern == "" {
		pattern = DefaultPointsLabel
	}
	before, after, _ := strings.Cut(pattern, pointsPlaceholder)
	l := strings.TrimSpace(label)
	if len(l) < len(before)+len(after) || !strings.EqualFold(l[:len(before)], before) || !strings.EqualFold(l[len(l)-len(after):], after) {
		return 0, false, nil
	}
	num := strings.TrimSpace(l[len(before) : len(l)-len(after)])
	if num == "" {
		return 0, false, nil
	}
	v, perr := strconv.ParseFloat(num, 64)
	if perr != nil || v < 0 {
		return 0, true, fmt.Errorf("label %q: %q is not a number of points", label, num)
	}
	return v, true, nil
}

// OnScale reports whether points is one of the team's estimates.
func (s *Sprints) OnScale(points float64) bool {
	for _, v := range s.scale() {
		if v == points {
			return true
		}
	}
	return false
}

func (s *Sprints) scale() []float64 {
	if len(s.Scale) == 0 {
		return DefaultScale
	}
	return s.Scale
}

// ScaleText renders the scale as people write it ("1, 2, 3, 5, 8, 13").
func (s *Sprints) ScaleText() string {
	var parts []string
	for _, v := range s.scale() {
		parts = append(parts, strconv.FormatFloat(v, 'f', -1, 64))
	}
	return strings.Join(parts, ", ")
}

// WatchesRepo reports whether repo ("owner/name", any case) is one of the sprints' repositories.
func (s *Sprints) WatchesRepo(repo string) bool {
	for _, r := range s.Repos {
		if strings.EqualFold(r, repo) {
			return true
		}
	}
	return false
}

// GitHubMilestone splits a GitHub milestone reference "owner/name#3" into the repository and
// the milestone's number; ok is false for anything else (a Phabricator milestone).
func GitHubMilestone(ref string) (repo string, number int, ok bool) {
	repo, num, found := strings.Cut(strings.TrimSpace(ref), "#")
	if !found || checkRepo(repo) != nil {
		return "", 0, false
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 {
		return "", 0, false
	}
	return repo, n, true
}
