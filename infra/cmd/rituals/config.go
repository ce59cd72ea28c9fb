package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/store"
)

const configUsage = `usage:
  rituals config validate FILE...          check config files; every problem is printed as
                                           FILE:LINE:COL: path: message
  rituals config push FILE [-by NAME]      validate FILE, then store it as the next version in
                                           the state table ($STATE_TABLE, at $DYNAMODB_ENDPOINT
                                           or in AWS when that is unset)

Start from infra/config/example.yaml; infra/config/rituals.schema.json gives editors completion.
`

// errInvalid is returned after the problems were printed, so main only adds a one-line summary.
var errInvalid = errors.New("config is not valid")

// configCommand runs `rituals config ...`.
func configCommand(args []string) error {
	return runConfig(context.Background(), args, os.Stdout, os.Stderr, os.Getenv, time.Now())
}

// runConfig is configCommand with its surroundings passed in, for tests.
func runConfig(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, now time.Time) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, configUsage)
		return errors.New("config: missing subcommand (validate or push)")
	}
	switch args[0] {
	case "validate":
		return configValidate(args[1:], stdout, stderr)
	case "push":
		return configPush(ctx, args[1:], stdout, stderr, getenv, now)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, configUsage)
		return nil
	default:
		fmt.Fprint(stderr, configUsage)
		return fmt.Errorf("config: unknown subcommand %q (validate or push)", args[0])
	}
}

func configValidate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rituals config validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, configUsage) }
	files, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return errors.New("config validate: name a file to check")
	}
	bad := 0
	for _, file := range files {
		if _, ok := readAndCheck(file, stdout, stderr); !ok {
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d files invalid: %w", bad, len(files), errInvalid)
	}
	return nil
}

// readAndCheck parses file, printing "FILE: ok (...)" or every problem, one per line.
func readAndCheck(file string, stdout, stderr io.Writer) ([]byte, bool) {
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", file, err)
		return nil, false
	}
	cfg, err := config.ParseFile(file, data)
	var verr *config.ValidationError
	if errors.As(err, &verr) {
		for _, p := range verr.Problems {
			fmt.Fprintln(stderr, p)
		}
		fmt.Fprintf(stderr, "%s: %d %s\n", file, len(verr.Problems), plural(len(verr.Problems), "problem", "problems"))
		return nil, false
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", file, err)
		return nil, false
	}
	fmt.Fprintf(stdout, "%s: ok (%d %s, %d %s, %d %s)\n", file,
		len(cfg.People), plural(len(cfg.People), "person", "people"),
		len(cfg.Clients), plural(len(cfg.Clients), "client", "clients"),
		len(cfg.Teams), plural(len(cfg.Teams), "team", "teams"))
	return data, true
}

func configPush(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, now time.Time) error {
	fs := flag.NewFlagSet("rituals config push", flag.ContinueOnError)
	fs.SetOutput(stderr)
	by := fs.String("by", defaultPusher(getenv), "who is pushing, recorded with the version")
	table := fs.String("table", getenv("STATE_TABLE"), "state table to store the config in")
	endpoint := fs.String("endpoint", getenv("DYNAMODB_ENDPOINT"), "DynamoDB endpoint (DynamoDB Local); empty means AWS")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: rituals config push FILE [-by NAME] [-table NAME] [-endpoint URL]\n")
		fs.PrintDefaults()
	}
	files, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(files) != 1 {
		fs.Usage()
		return errors.New("config push: name exactly one file")
	}
	if *table == "" {
		return errors.New("config push: no table: set STATE_TABLE to the stack's state table (or pass -table)")
	}
	file := files[0]
	data, ok := readAndCheck(file, io.Discard, stderr)
	if !ok {
		return fmt.Errorf("%s not pushed: %w", file, errInvalid)
	}
	client, err := store.NewClient(ctx, *endpoint)
	if err != nil {
		return fmt.Errorf("config push: %w", err)
	}
	before, err := config.StoredVersion(ctx, client, *table)
	if err != nil {
		return fmt.Errorf("config push: %w", err)
	}
	version, err := config.Push(ctx, client, *table, data, *by, now)
	if err != nil {
		return fmt.Errorf("config push %s: %w", file, err)
	}
	if version == before {
		fmt.Fprintf(stdout, "%s: unchanged, version %d is current in %s\n", file, version, *table)
		return nil
	}
	fmt.Fprintf(stdout, "%s: pushed version %d to %s\n", file, version, *table)
	return nil
}

// parseInterleaved parses flags wherever they appear among the positional arguments, so that
// both `push FILE -by x` and `push -by x FILE` work (flag stops at the first non-flag).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func defaultPusher(getenv func(string) string) string {
	for _, v := range []string{"RITUALS_USER", "USER", "USERNAME"} {
		if s := getenv(v); s != "" {
			return s
		}
	}
	return "unknown"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
