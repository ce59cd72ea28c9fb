package clinic

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/workboard"
)

func at(day, hour, minute int) time.Time {
	return time.Date(2026, 11, day, hour, minute, 0, 0, time.UTC)
}

func dec(day, hour, minute int) time.Time {
	return time.Date(2026, 12, day, hour, minute, 0, 0, time.UTC)
}

func TestPercentiles(t *testing.T) {
	t.Parallel()
	h := time.Hour
	cases := []struct {
		in          []time.Duration
		median, p90 time.Duration
	}{
		{nil, 0, 0},
		{[]time.Duration{5 * h}, 5 * h, 5 * h},
		{[]time.Duration{96 * h, 5 * h, 48 * h, 96 * h}, 72 * h, 96 * h},
		{[]time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5, 9},
		{[]time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 6, 10},
	}
	for _, tc := range cases {
		if m, p := Median(tc.in), Percentile(tc.in, 90); m != tc.median || p != tc.p90 {
			t.Errorf("%v: median %v p90 %v, want %v %v", tc.in, m, p, tc.median, tc.p90)
		}
	}
}

// TestMetricsOfASeededPeriod: the numbers of a seeded stretch (Clinic Duty turn 23, Cat's,
// 23 November 09:00 – 7 December 09:00 London, seen on Sunday 6 December at noon) and of its
// weeks match the ones worked out by hand in the comments.
func TestMetricsOfASeededPeriod(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := e.ctx
	st := e.p.Store
	// Tasks closed, with who closed and owned them and who was on Clinic Duty then.
	for i, d := range []Done{
		{Task: "T1", At: at(24, 10, 0), By: "cat", Owner: "cat", Duty: "cat"}, // counts
		{Task: "T2", At: at(25, 11, 0), By: "bob", Owner: "cat", Duty: "cat"}, // counts: owned by the engineer on duty
		{Task: "T3", At: at(26, 12, 0), By: "bob", Owner: "bob", Duty: "cat"}, // not the engineer on duty
		{Task: "T4", At: dec(1, 9, 0), By: "cat", Duty: "cat"},                // counts
		{Task: "T5", At: at(20, 10, 0), By: "alice", Duty: "alice"},           // turn 22, Alice's
	} {
		if err := st.RecordDone(ctx, "rocket", "X"+itoa(i), d); err != nil {
			t.Fatal(err)
		}
	}
	// Outside patches: opened, first response.
	for _, p := range []Patch{
		{ID: "github#a#1", Opened: at(23, 10, 0), RespondedAt: at(23, 15, 0)}, // 5h
		{ID: "github#a#2", Opened: at(24, 9, 0), RespondedAt: at(26, 9, 0)},   // 48h
		{ID: "github#a#3", Opened: at(27, 12, 0), RespondedAt: dec(1, 12, 0)}, // 96h
		{ID: "github#a#4", Opened: dec(2, 10, 0)},                             // waiting
		{ID: "github#a#5", Opened: at(20, 10, 0), RespondedAt: at(24, 10, 0)}, // opened in turn 22, answered in 23: 96h
	} {
		p.Team, p.Source, p.Due = "rocket", "github", p.Opened.Add(48*time.Hour)
		if _, err := st.CreatePatch(ctx, &p, p.Opened); err != nil {
			t.Fatal(err)
		}
	}
	// Stays in the triage column.
	for _, u := range []Untriaged{
		{Task: "U1", In: at(20, 10, 0), Out: at(25, 10, 0)},
		{Task: "U2", In: at(24, 12, 0)},
		{Task: "U3", In: at(28, 9, 0), Out: dec(2, 9, 0)},
		{Task: "U4", In: dec(3, 12, 0)},
	} {
		if err := st.RecordTriage(ctx, "rocket", u, u.In); err != nil {
			t.Fatal(err)
		}
	}
	// Unbreak Now! incidents: raised, first response by a team member.
	wb := workboard.Store{API: e.ddb, Table: e.tables.State}
	for i, inc := range []workboard.Incident{
		{RaisedAt: at(23, 11, 0), RespondedAt: at(23, 11, 20)}, // 20m
		{RaisedAt: at(25, 14, 0), RespondedAt: at(25, 15, 0)},  // 60m
		{RaisedAt: dec(2, 8, 0), RespondedAt: dec(2, 8, 10)},   // 10m
		{RaisedAt: dec(4, 10, 0)},                              // not answered
	} {
		inc.Team, inc.Task = "rocket", "PHID-TASK-"+itoa(i)
		inc.ID = workboard.IncidentID(inc.RaisedAt, inc.Task, "PHID-XACT-"+itoa(i))
		if _, err := wb.Create(ctx, &inc); err != nil {
			t.Fatal(err)
		}
	}
	now := dec(6, 12, 0)
	ms, err := e.p.Report(ctx, e.cfg.Team("rocket"), 2, now)
	if err != nil {
		t.Fatal(err)
	}
	h, m := time.Hour, time.Minute
	want := []Metrics{
		// Turn 22 (9-23 Nov, Alice): T5; patch 5 opened; U1 untriaged at its end (71h).
		{Window: Window{Kind: WindowPeriod, From: at(9, 9, 0), To: at(23, 9, 0), Period: 22, Duty: []string{"alice"}},
			TasksCompleted: 1, PatchesReceived: 1, Untriaged: 1, UntriagedAvgOpen: 71 * h},
		// Turn 23 (Cat), so far: T1, T2, T4; patches 1-4 opened, 1, 2, 3 and 5 answered (5h, 48h,
		// 96h, 96h: median 72h, p90 96h); U2 and U4 untriaged now (288h, 72h: 180h); four UBNs,
		// three answered (10m, 20m, 60m: median 20m, p90 60m).
		{Window: Window{Kind: WindowPeriod, From: at(23, 9, 0), To: dec(7, 9, 0), Period: 23, Duty: []string{"cat"}},
			TasksCompleted: 3, PatchesReceived: 4, PatchesReviewed: 4, FirstResponseMedian: 72 * h, FirstResponseP90: 96 * h,
			Untriaged: 2, UntriagedAvgOpen: 180 * h, UBNRaised: 4, UBNResponded: 3, UBNResponseMedian: 20 * m, UBNResponseP90: 60 * m, Partial: true},
		// Week of 23 Nov: T1, T2; patches 1-3 opened, 1, 2 and 5 answered (5h, 48h, 96h); at its
		// end U2 (132h) and U3 (39h): 85h30m; two UBNs answered in 20m and 60m.
		{Window: Window{Kind: WindowWeek, From: at(23, 0, 0), To: at(30, 0, 0), Duty: []string{"alice", "cat"}},
			TasksCompleted: 2, PatchesReceived: 3, PatchesReviewed: 3, FirstResponseMedian: 48 * h, FirstResponseP90: 96 * h,
			Untriaged: 2, UntriagedAvgOpen: 85*h + 30*m, UBNRaised: 2, UBNResponded: 2, UBNResponseMedian: 40 * m, UBNResponseP90: 60 * m},
		// Week of 30 Nov, so far: T4; patch 4 opened, 3 answered (96h); U2 and U4 now; two UBNs,
		// one answered in 10m.
		{Window: Window{Kind: WindowWeek, From: at(30, 0, 0), To: dec(7, 0, 0), Duty: []string{"cat"}},
			TasksCompleted: 1, PatchesReceived: 1, PatchesReviewed: 1, FirstResponseMedian: 96 * h, FirstResponseP90: 96 * h,
			Untriaged: 2, UntriagedAvgOpen: 180 * h, UBNRaised: 2, UBNResponded: 1, UBNResponseMedian: 10 * m, UBNResponseP90: 10 * m, Partial: true},
	}
	if len(ms) != len(want) {
		t.Fatalf("%d windows, want %d: %+v", len(ms), len(want), ms)
	}
	for i := range want {
		got, w := ms[i], want[i]
		got.Location = nil
		if !got.From.Equal(w.From) || !got.To.Equal(w.To) {
			t.Errorf("window %d: %v – %v, want %v – %v", i, got.From, got.To, w.From, w.To)
		}
		got.From, got.To = w.From, w.To
		if gj, wj := mustJSON(t, got), mustJSON(t, w); gj != wj {
			t.Errorf("window %d:\n got %s\nwant %s", i, gj, wj)
		}
	}
	// The export: CSV and JSON rows of the same numbers.
	rows, err := Exporter{Store: st, Rotations: e.p.Rotations, Incidents: wb}.Rows(ctx, e.cfg, "rocket", 2, now)
	if err != nil || len(rows) != 4 {
		t.Fatalf("rows %+v %v", rows, err)
	}
	var csvOut, jsonOut bytes.Buffer
	if err := WriteCSV(&csvOut, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csvOut.String()), "\n")
	if len(lines) != 5 || lines[0] != strings.Join(CSVHeader, ",") ||
		lines[2] != "rocket,period,2026-11-23T09:00:00Z,2026-12-07T09:00:00Z,cat,3,4,4,259200,345600,2,648000,4,3,1200,3600,true" ||
		lines[3] != "rocket,week,2026-11-23T00:00:00Z,2026-11-30T00:00:00Z,alice;cat,2,3,3,172800,345600,2,307800,2,2,2400,3600,false" {
		t.Fatalf("CSV:\n%s", csvOut.String())
	}
	if err := WriteJSON(&jsonOut, rows); err != nil {
		t.Fatal(err)
	}
	var back []Row
	if err := json.Unmarshal(jsonOut.Bytes(), &back); err != nil || len(back) != 4 || back[1].FirstResponseMedianSecs != 259200 || back[1].UBNResponseP90Secs != 3600 {
		t.Fatalf("JSON %s (%v)", jsonOut.String(), err)
	}
	if _, err := (Exporter{Store: st, Rotations: e.p.Rotations}).Rows(ctx, e.cfg, "payments", 2, now); err == nil || !strings.Contains(err.Error(), `team "payments" does not run Clinic Duty (teams that do: rocket)`) {
		t.Fatalf("a team without Clinic Duty: %v", err)
	}
	// /clinic stats says the same in Slack.
	out := e.say(alice, "C0ROCKET01", "stats 2", now)
	for _, w := range []string{"*Clinic Duty of Rocket, the last 2 week(s)*", "*Sprint Mon 23 Nov – Mon 7 Dec (on duty: Cat Ruiz)*: 3 task(s) completed by the duty engineers so far · 4 outside patch(es) received, 4 reviewed (first response median 3d, p90 4d) · 2 untriaged (avg open 7d 12h) · 4 Unbreak Now!, 3 answered (median 20m, p90 1h)"} {
		if !strings.Contains(out, w) {
			t.Errorf("stats lack %q:\n%s", w, out)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
