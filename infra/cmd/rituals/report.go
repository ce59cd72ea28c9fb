package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/clinic"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/rotation"
	"github.com/rituals-dev/rituals/shared/standup"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/workboard"
)

const reportUsage = `usage:
  rituals report clinic [-format csv|json] [-team ID] [-weeks N] [-at TIME] [-table NAME] [-endpoint URL]

clinic exports Clinic Duty's metrics per duty period (sprint) and per calendar week of the last
N weeks (default 4) up to now (or -at, RFC 3339), for every team with Clinic Duty or only -team:
tasks completed by the engineers on duty, outside patches received and reviewed with the median
and 90th percentile time to first response, untriaged tasks and their average time open, and
Unbreak Now! incidents with their response times. Durations are in seconds, times in UTC; a
window not over yet has partial=true. It reads the config and the metrics from the state table
($STATE_TABLE or -table; $DYNAMODB_ENDPOINT or -endpoint for DynamoDB Local).
`

func reportCommand(args []string) error {
	return runReport(context.Background(), args, os.Stdout, os.Stderr, os.Getenv, time.Now())
}

// runReport is reportCommand with its surroundings passed in, for tests.
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, now time.Time) error {
	if len(args) == 0 || args[0] != "clinic" {
		fmt.Fprint(stderr, reportUsage)
		if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return errors.New("report: the subcommand is clinic")
	}
	fs := flag.NewFlagSet("rituals report clinic", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "csv", "csv or json")
	team := fs.String("team", "", "one team's id (default: every team with Clinic Duty)")
	weeks := fs.Int("weeks", clinic.DefaultStatsWeeks, "how many weeks back, 1 to 52")
	atFlag := fs.String("at", "", "report as of this time (RFC 3339; default now)")
	table := fs.String("table", getenv("STATE_TABLE"), "the stack's state table")
	endpoint := fs.String("endpoint", getenv("DYNAMODB_ENDPOINT"), "DynamoDB endpoint (DynamoDB Local); empty means AWS")
	fs.Usage = func() { fmt.Fprint(stderr, reportUsage) }
	rest, err := parseInterleaved(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case len(rest) > 0:
		return fmt.Errorf("report clinic: unexpected %q (options are flags, e.g. -team %s)", rest[0], rest[0])
	case *format != "csv" && *format != "json":
		return fmt.Errorf("report clinic: -format %q: write csv or json", *format)
	case *weeks < 1 || *weeks > 52:
		return fmt.Errorf("report clinic: -weeks %d: give 1 to 52", *weeks)
	case *table == "":
		return errors.New("report clinic: no table: set STATE_TABLE to the stack's state table (or pass -table)")
	}
	if *atFlag != "" {
		if now, err = time.Parse(time.RFC3339, *atFlag); err != nil {
			return fmt.Errorf("report clinic: -at %q is not an RFC 3339 time (e.g. 2026-12-07T09:00:00Z)", *atFlag)
		}
	}
	client, err := store.NewClient(ctx, *endpoint)
	if err != nil {
		return fmt.Errorf("report clinic: %w", err)
	}
	cfg, err := config.NewSource(client, *table, config.DefaultTTL).Current(ctx, now)
	if err != nil {
		return fmt.Errorf("report clinic: config: %w", err)
	}
	x := clinic.Exporter{
		Store: clinic.Store{API: client, Table: *table},
		Rotations: rotation.Engine{Store: rotation.Store{API: client, Table: *table}, Calendar: calendar.NewCalendar(nil),
			Away: standup.Store{API: client, Table: *table}},
		Incidents: workboard.Store{API: client, Table: *table},
	}
	rows, err := x.Rows(ctx, cfg, *team, *weeks, now)
	if err != nil {
		return fmt.Errorf("report clinic: %w", err)
	}
	if *format == "json" {
		return clinic.WriteJSON(stdout, rows)
	}
	return clinic.WriteCSV(stdout, rows)
}
