package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rituals-dev/rituals/infra/faults"
	"github.com/rituals-dev/rituals/infra/localrun"
	"github.com/rituals-dev/rituals/shared/config"
)

// defaultConfigPath is the team configuration `rituals run` loads when RITUALS_CONFIG is unset.
const defaultConfigPath = "infra/config/example.yaml"

// runCommand runs `rituals run`: the whole stack locally until SIGINT or SIGTERM.
func runCommand(args []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runStack(ctx, args, os.Stdout, os.Stderr, os.Getenv)
}

// runOptions parses `rituals run` flags into localrun options.
func runOptions(args []string, stderr io.Writer, getenv func(string) string) (localrun.Options, error) {
	fl := flag.NewFlagSet("run", flag.ContinueOnError)
	fl.SetOutput(stderr)
	defPort := 3000
	if p := getenv("PORT"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 65535 {
			return localrun.Options{}, fmt.Errorf("run: PORT=%q is not a port number", p)
		}
		defPort = n
	}
	port := fl.Int("port", defPort, "port of the local API Gateway, stand-ins and admin routes (default $PORT or 3000)")
	tmpl := fl.String("template", "template.yaml", "SAM template to run")
	buildDir := fl.String("build-dir", "build", "directory holding <LogicalId>/bootstrap (relative to the template's directory)")
	schedules := fl.Bool("schedules", true, "fire the template's schedules on the real clock (POST /_local/schedules/<LogicalId> always works)")
	maxInstances := fl.Int("max-instances", 8, "most instances of one function running at once")
	faultSpec := fl.String("faults", getenv("FAULTS"), "fault injection spec to arm at start: JSON, or @file (default $FAULTS; see README, \"Fault injection\")")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: rituals run [flags]\n\nStarts DynamoDB Local (unless DYNAMODB_ENDPOINT is set), the template's tables and functions,\nits routes, schedules and stream mappings, and the Slack/GitHub/Conduit stand-ins.\nThe team config in $RITUALS_CONFIG (default "+defaultConfigPath+") is loaded into the state table.\n\nflags:")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return localrun.Options{}, err
	}
	if fl.NArg() > 0 {
		return localrun.Options{}, fmt.Errorf("run: unexpected arguments %v", fl.Args())
	}
	if *maxInstances < 1 {
		return localrun.Options{}, errors.New("run: -max-instances must be at least 1")
	}
	spec, err := readFaultSpec(*faultSpec)
	if err != nil {
		return localrun.Options{}, fmt.Errorf("run: -faults: %w", err)
	}
	return localrun.Options{
		Faults:       spec,
		Template:     *tmpl,
		BuildDir:     *buildDir,
		Addr:         "127.0.0.1:" + strconv.Itoa(*port),
		Schedules:    *schedules,
		MaxInstances: *maxInstances,
		Secrets:      localrun.Secrets(getenv),
		Log:          stderr,
	}, nil
}

// runStack starts the stack, prints the ready line on stdout and runs until ctx ends.
func runStack(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	opts, err := runOptions(args, stderr, getenv)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	cfgPath, explicit := getenv("RITUALS_CONFIG"), true
	if cfgPath == "" {
		cfgPath, explicit = defaultConfigPath, false
	}
	opts.AfterTables = func(ctx context.Context, db *dynamodb.Client, tables map[string]string) error {
		return loadTeamConfig(ctx, db, tables["StateTable"], cfgPath, explicit, time.Now(), stderr)
	}
	stack, err := localrun.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer stack.Close()
	if data, err := os.ReadFile(cfgPath); err == nil {
		if cfg, err := config.Parse(data); err == nil {
			stack.SeedSignIn(cfg) // the web pages' sign-in offers the config's people
		}
	}
	fmt.Fprintln(stdout, stack.ReadyLine())
	<-ctx.Done()
	fmt.Fprintln(stderr, "rituals: stopping")
	return nil
}

// loadTeamConfig pushes the config file into the state table, so that the functions find it
// as they would in AWS. A missing default file is only a warning (the stack still runs); a
// missing or invalid file named by RITUALS_CONFIG is an error.
func loadTeamConfig(ctx context.Context, db config.Writer, table, path string, explicit bool, now time.Time, stderr io.Writer) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		fmt.Fprintf(stderr, "rituals: no team config at %s (set RITUALS_CONFIG); functions that need one will say so\n", path)
		return nil
	}
	if err != nil {
		return fmt.Errorf("team config: %w", err)
	}
	if table == "" {
		return errors.New("team config: the template has no StateTable")
	}
	version, err := config.Push(ctx, db, table, data, "rituals run", now)
	if err != nil {
		return fmt.Errorf("team config %s: %w", path, err)
	}
	fmt.Fprintf(stderr, "rituals: loaded team config %s as version %d\n", path, version)
	return nil
}

// readFaultSpec reads -faults: empty for none, @path for a file, else the JSON itself.
func readFaultSpec(v string) (faults.Spec, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return faults.Spec{}, nil
	}
	data := []byte(v)
	if path, ok := strings.CutPrefix(v, "@"); ok {
		b, err := os.ReadFile(path)
		if err != nil {
			return faults.Spec{}, err
		}
		data = b
	}
	return faults.Parse(data)
}
