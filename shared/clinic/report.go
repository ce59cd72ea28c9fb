package clinic

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/rotation"
)

// Row is one window's metrics as exported (`rituals report clinic`): times in RFC 3339 UTC,
// durations in whole seconds.
type Row struct {
	Team                    string   `json:"team"`
	Kind                    string   `json:"kind"`
	From                    string   `json:"from"`
	To                      string   `json:"to"`
	Duty                    []string `json:"duty"`
	TasksCompleted          int      `json:"tasks_completed"`
	PatchesReceived         int      `json:"patches_received"`
	PatchesReviewed         int      `json:"patches_reviewed"`
	FirstResponseMedianSecs int64    `json:"first_response_median_seconds"`
	FirstResponseP90Secs    int64    `json:"first_response_p90_seconds"`
	Untriaged               int      `json:"untriaged"`
	UntriagedAvgOpenSecs    int64    `json:"untriaged_avg_open_seconds"`
	UBNRaised               int      `json:"ubn_raised"`
	UBNResponded            int      `json:"ubn_responded"`
	UBNResponseMedianSecs   int64    `json:"ubn_response_median_seconds"`
	UBNResponseP90Secs      int64    `json:"ubn_response_p90_seconds"`
	Partial                 bool     `json:"partial"`
}

// RowOf is m as exported for team.
func RowOf(team string, m Metrics) Row {
	secs := func(d time.Duration) int64 { return int64(d / time.Second) }
	duty := m.Duty
	if duty == nil {
		duty = []string{}
	}
	return Row{
		Team: team, Kind: m.Kind, From: m.From.UTC().Format(time.RFC3339), To: m.To.UTC().Format(time.RFC3339), Duty: duty,
		TasksCompleted: m.TasksCompleted, PatchesReceived: m.PatchesReceived, PatchesReviewed: m.PatchesReviewed,
		FirstResponseMedianSecs: secs(m.FirstResponseMedian), FirstResponseP90Secs: secs(m.FirstResponseP90),
		Untriaged: m.Untriaged, UntriagedAvgOpenSecs: secs(m.UntriagedAvgOpen),
		UBNRaised: m.UBNRaised, UBNResponded: m.UBNResponded, UBNResponseMedianSecs: secs(m.UBNResponseMedian), UBNResponseP90Secs: secs(m.UBNResponseP90),
		Partial: m.Partial,
	}
}

// CSVHeader names the CSV columns, in order.
var CSVHeader = []string{"team", "kind", "from", "to", "duty", "tasks_completed", "patches_received", "patches_reviewed",
	"first_response_median_seconds", "first_response_p90_seconds", "untriaged", "untriaged_avg_open_seconds",
	"ubn_raised", "ubn_responded", "ubn_response_median_seconds", "ubn_response_p90_seconds", "partial"}

// WriteCSV writes rows as CSV with a header line (duty engineers joined with ";").
func WriteCSV(w io.Writer, rows []Row) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	i := strconv.Itoa
	i64 := func(n int64) string { return strconv.FormatInt(n, 10) }
	for _, r := range rows {
		if err := cw.Write([]string{r.Team, r.Kind, r.From, r.To, strings.Join(r.Duty, ";"), i(r.TasksCompleted), i(r.PatchesReceived), i(r.PatchesReviewed),
			i64(r.FirstResponseMedianSecs), i64(r.FirstResponseP90Secs), i(r.Untriaged), i64(r.UntriagedAvgOpenSecs),
			i(r.UBNRaised), i(r.UBNResponded), i64(r.UBNResponseMedianSecs), i64(r.UBNResponseP90Secs), strconv.FormatBool(r.Partial)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes rows as one indented JSON array.
func WriteJSON(w io.Writer, rows []Row) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if rows == nil {
		rows = []Row{}
	}
	return enc.Encode(rows)
}

// Exporter computes the rows of `rituals report clinic` from DynamoDB.
type Exporter struct {
	Store     Store
	Rotations rotation.Engine
	Incidents Incidents
}

// Rows returns the metrics of every team with Clinic Duty (or only of team, when not empty)
// for the duty periods and calendar weeks of the last weeks weeks up to now.
func (x Exporter) Rows(ctx context.Context, cfg *config.Config, team string, weeks int, now time.Time) ([]Row, error) {
	var out []Row
	found := false
	for _, t := range cfg.Teams {
		if !hasClinic(t) || team != "" && t.ID != team {
			continue
		}
		found = true
		ms, err := report(ctx, x.Store, x.Rotations, x.Incidents, t, weeks, now)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			out = append(out, RowOf(t.ID, m))
		}
	}
	if !found {
		if team != "" {
			return nil, fmt.Errorf("team %q does not run Clinic Duty (teams that do: %s)", team, strings.Join(clinicTeams(cfg), ", "))
		}
		return nil, fmt.Errorf("no team in the config runs Clinic Duty")
	}
	return out, nil
}
