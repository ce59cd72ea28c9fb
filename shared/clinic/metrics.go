package clinic

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/rotation"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/workboard"
)

// Kinds of metrics window.
const (
	WindowPeriod = "period"
	WindowWeek   = "week"
)

// Window is a span of time the metrics are computed for: one duty period (a Clinic Duty
// sprint) or one calendar week (Monday 00:00 to Monday 00:00 in the team's time zone).
type Window struct {
	Kind     string         `json:"kind"`
	From     time.Time      `json:"from"`
	To       time.Time      `json:"to"`
	Period   int            `json:"period,omitempty"`
	Duty     []string       `json:"duty"`
	Location *time.Location `json:"-"`
}

// Metrics are one window's numbers. Durations are wall-clock time. Partial marks a window not
// over yet (the numbers so far; untriaged tasks as of now).
type Metrics struct {
	Window
	// TasksCompleted counts tasks closed in the window by the engineer then on Clinic Duty, or
	// owned by them.
	TasksCompleted int `json:"tasks_completed"`
	// PatchesReceived counts outside patches opened in the window; PatchesReviewed those that
	// had their first response in it, with the median and 90th percentile time from opening to
	// that response.
	PatchesReceived     int           `json:"patches_received"`
	PatchesReviewed     int           `json:"patches_reviewed"`
	FirstResponseMedian time.Duration `json:"first_response_median"`
	FirstResponseP90    time.Duration `json:"first_response_p90"`
	// Untriaged counts the tasks in the team's triage column at the window's end (or now), and
	// UntriagedAvgOpen is how long, on average, they had been there.
	Untriaged        int           `json:"untriaged"`
	UntriagedAvgOpen time.Duration `json:"untriaged_avg_open"`
	// UBNRaised counts Unbreak Now! incidents raised in the window, UBNResponded those a team
	// member responded to, with the median and 90th percentile response time.
	UBNRaised         int           `json:"ubn_raised"`
	UBNResponded      int           `json:"ubn_responded"`
	UBNResponseMedian time.Duration `json:"ubn_response_median"`
	UBNResponseP90    time.Duration `json:"ubn_response_p90"`
	Partial           bool          `json:"partial"`
}

// Data is what metrics are computed from, read once for many windows.
type Data struct {
	Done      []Done
	Patches   []*Patch
	Triage    []Untriaged
	Incidents []*workboard.Incident
}

// Median is the middle of ds (the mean of the two middle ones for an even count); 0 for none.
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := sorted(ds)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Percentile is the nearest-rank p-th percentile of ds: the smallest value at least p% of them
// do not exceed; 0 for none.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := sorted(ds)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	return s[min(max(rank, 1), len(s))-1]
}

func sorted(ds []time.Duration) []time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s
}

func in(t time.Time, w Window) bool { return !t.IsZero() && !t.Before(w.From) && t.Before(w.To) }

// Compute works out w's metrics from d as of now.
func Compute(w Window, d Data, now time.Time) Metrics {
	m := Metrics{Window: w, Partial: now.Before(w.To)}
	for _, x := range d.Done {
		if in(x.At, w) && x.ByDuty() {
			m.TasksCompleted++
		}
	}
	var firsts []time.Duration
	for _, p := range d.Patches {
		if in(p.Opened, w) {
			m.PatchesReceived++
		}
		if in(p.RespondedAt, w) {
			m.PatchesReviewed++
			firsts = append(firsts, p.RespondedAt.Sub(p.Opened))
		}
	}
	m.FirstResponseMedian, m.FirstResponseP90 = Median(firsts), Percentile(firsts, 90)
	at := w.To
	if now.Before(at) {
		at = now
	}
	var open time.Duration
	for _, u := range d.Triage {
		if u.At(at) {
			m.Untriaged++
			open += at.Sub(u.In)
		}
	}
	if m.Untriaged > 0 {
		m.UntriagedAvgOpen = open / time.Duration(m.Untriaged)
	}
	var ubn []time.Duration
	for _, i := range d.Incidents {
		if !in(i.RaisedAt, w) {
			continue
		}
		m.UBNRaised++
		if !i.RespondedAt.IsZero() {
			m.UBNResponded++
			ubn = append(ubn, i.RespondedAt.Sub(i.RaisedAt))
		}
	}
	m.UBNResponseMedian, m.UBNResponseP90 = Median(ubn), Percentile(ubn, 90)
	return m
}

// weekStart is the Monday 00:00 (team's zone) of t's week.
func weekStart(t time.Time, loc *time.Location) time.Time {
	d := config.DateOf(t.In(loc))
	back := (int(d.Weekday()) + 6) % 7
	return d.AddDays(-back).In(loc)
}

// Windows are the duty periods and the calendar weeks overlapping the weeks weeks up to now
// (the current, unfinished ones included), oldest first, periods before weeks.
func Windows(turns []rotation.Turn, r *rotation.Rotation, weeks int, now time.Time) []Window {
	loc := r.Location()
	var out []Window
	for _, t := range turns {
		out = append(out, Window{Kind: WindowPeriod, From: t.Start, To: t.End, Period: t.Period, Duty: dutyOf(t), Location: loc})
	}
	first := weekStart(now, loc)
	for i := weeks - 1; i >= 0; i-- {
		from := config.DateOf(first).AddDays(-7 * i)
		w := Window{Kind: WindowWeek, From: from.In(loc), To: from.AddDays(7).In(loc), Location: loc}
		for _, t := range turns {
			if t.Start.Before(w.To) && t.End.After(w.From) {
				w.Duty = appendNew(w.Duty, dutyOf(t)...)
			}
		}
		out = append(out, w)
	}
	return out
}

func dutyOf(t rotation.Turn) []string {
	out := []string{t.Member}
	for _, c := range t.Covers {
		out = appendNew(out, c.Member)
	}
	return out
}

func appendNew(list []string, xs ...string) []string {
	for _, x := range xs {
		found := false
		for _, y := range list {
			found = found || y == x
		}
		if !found && x != "" {
			list = append(list, x)
		}
	}
	return list
}

// Report computes the team's metrics for the duty periods and calendar weeks of the last
// weeks weeks up to now (see Windows), from DynamoDB only: the rotation, completed tasks,
// patches, triage stays and incidents (a handful of queries).
func (p *Processor) Report(ctx context.Context, team *config.Team, weeks int, now time.Time) ([]Metrics, error) {
	return report(ctx, p.Store, p.Rotations, p.Incidents, team, weeks, now)
}

func report(ctx context.Context, st Store, rot rotation.Engine, incidents Incidents, team *config.Team, weeks int, now time.Time) ([]Metrics, error) {
	r := clinicRotation(team)
	if r == nil {
		return nil, fmt.Errorf("team %s has no Clinic Duty rotation", team.ID)
	}
	from := weekStart(now, r.Location()).AddDate(0, 0, -7*(weeks-1))
	first := r.Period(from)
	turns, _, err := rot.Turns(ctx, r, first, r.Period(now)-first+1)
	if err != nil {
		return nil, err
	}
	windows := Windows(turns, r, weeks, now)
	start := windows[0].From
	for _, w := range windows {
		if w.From.Before(start) {
			start = w.From
		}
	}
	d, err := loadData(ctx, st, incidents, team, start, now)
	if err != nil {
		return nil, err
	}
	out := make([]Metrics, 0, len(windows))
	for _, w := range windows {
		out = append(out, Compute(w, d, now))
	}
	return out, nil
}

// loadData reads what metrics of [from, now] need.
func loadData(ctx context.Context, st Store, incidents Incidents, team *config.Team, from, now time.Time) (Data, error) {
	var d Data
	var err error
	if d.Done, err = st.DoneBetween(ctx, team.ID, from, now.Add(time.Second)); err != nil {
		return d, err
	}
	if d.Patches, err = st.Patches(ctx, team.ID); err != nil {
		return d, err
	}
	if d.Triage, err = st.Triage(ctx, team.ID); err != nil {
		return d, err
	}
	if incidents != nil && team.Phabricator != nil {
		if d.Incidents, err = incidents.Since(ctx, team.ID, from); err != nil {
			return d, err
		}
	}
	return d, nil
}

// WindowTitle names a window for people: "Sprint Mon 1 Jun – Mon 15 Jun (alice)".
func WindowTitle(cfg *config.Config, w Window, mentions bool) string {
	loc := w.Location
	if loc == nil {
		loc = time.UTC
	}
	var names []string
	for _, id := range w.Duty {
		if mentions {
			names = append(names, mention(cfg, id))
		} else if p := cfg.PersonByID(id); p != nil {
			names = append(names, p.Name)
		} else {
			names = append(names, id)
		}
	}
	kind := "Sprint"
	if w.Kind == WindowWeek {
		kind = "Week"
	}
	return fmt.Sprintf("%s %s – %s (on duty: %s)", kind, day(w.From, loc), day(w.To, loc), strings.Join(names, ", "))
}

// MetricsLine renders a window's numbers in one line of mrkdwn.
func MetricsLine(m Metrics) string {
	so := ""
	if m.Partial {
		so = " so far"
	}
	resp := "no first responses"
	if m.PatchesReviewed > 0 {
		resp = fmt.Sprintf("first response median %s, p90 %s", slackapp.Duration(m.FirstResponseMedian), slackapp.Duration(m.FirstResponseP90))
	}
	untriaged := fmt.Sprintf("%d untriaged", m.Untriaged)
	if m.Untriaged > 0 {
		untriaged += fmt.Sprintf(" (avg open %s)", slackapp.Duration(m.UntriagedAvgOpen))
	}
	ubn := fmt.Sprintf("%d Unbreak Now!", m.UBNRaised)
	if m.UBNResponded > 0 {
		ubn += fmt.Sprintf(", %d answered (median %s, p90 %s)", m.UBNResponded, slackapp.Duration(m.UBNResponseMedian), slackapp.Duration(m.UBNResponseP90))
	} else if m.UBNRaised > 0 {
		ubn += ", none answered"
	}
	return fmt.Sprintf("%d task(s) completed by the duty engineers%s · %d outside patch(es) received, %d reviewed (%s) · %s · %s",
		m.TasksCompleted, so, m.PatchesReceived, m.PatchesReviewed, resp, untriaged, ubn)
}
