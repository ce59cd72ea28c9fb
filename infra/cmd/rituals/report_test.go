package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/clinic"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

// TestReportClinic: `rituals report clinic` exports the periods and weeks of the stored
// metrics as CSV or JSON, and says what to type instead of a bad flag.
func TestReportClinic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, tables := dynamotest.New(t)
	raw, err := os.ReadFile("../../../shared/clinic/testdata/rituals.yaml")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	if _, err := config.Push(ctx, client, tables.State, raw, "test", now); err != nil {
		t.Fatal(err)
	}
	st := clinic.Store{API: client, Table: tables.State}
	p := &clinic.Patch{Team: "rocket", ID: "github#codertocat/hello-world#2", Source: "github", Opened: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC),
		RespondedAt: time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC), Due: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
	if _, err := st.CreatePatch(ctx, p, p.Opened); err != nil {
		t.Fatal(err)
	}
	env := envOf(map[string]string{"STATE_TABLE": tables.State, "DYNAMODB_ENDPOINT": dynamotest.Endpoint(t)})
	var out, errOut bytes.Buffer
	if err := runReport(ctx, []string{"clinic", "-weeks", "2"}, &out, &errOut, env, now); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "team,kind,from,to,duty,tasks_completed,patches_received,patches_reviewed,first_response_median_seconds") ||
		lines[2] != "rocket,period,2026-11-23T09:00:00Z,2026-12-07T09:00:00Z,cat,0,1,1,21600,21600,0,0,0,0,0,0,true" {
		t.Fatalf("CSV:\n%s", out.String())
	}
	out.Reset()
	if err := runReport(ctx, []string{"clinic", "-format", "json", "-team", "rocket", "-at", "2026-12-06T12:00:00Z"}, &out, &errOut, env, time.Now()); err != nil {
		t.Fatal(err)
	}
	var rows []clinic.Row
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) < 4 || rows[0].Team != "rocket" {
		t.Fatalf("JSON %s (%v)", out.String(), err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"clinic", "-format", "xml"}, `-format "xml": write csv or json`},
		{[]string{"clinic", "-weeks", "0"}, "-weeks 0: give 1 to 52"},
		{[]string{"clinic", "-team", "payments"}, `team "payments" does not run Clinic Duty (teams that do: rocket)`},
		{[]string{"clinic", "-at", "yesterday"}, `-at "yesterday" is not an RFC 3339 time`},
		{[]string{"clinic", "rocket"}, `unexpected "rocket" (options are flags, e.g. -team rocket)`},
		{[]string{"sprints"}, "the subcommand is clinic"},
	} {
		if err := runReport(ctx, tc.args, &out, &errOut, env, now); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
}
