package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/phab"
)

const phabUsage = `usage:
  rituals phab check FILE [-url URL]    resolve the config's Phabricator names on the server

check reads FILE (a team config), then asks the server, with the bot's Conduit API token in
$CONDUIT_API_TOKEN, for the bot's account, the priorities, every person's username, each
team's project (slug or PHID), its milestones and its workboard columns, and matches the
triage column and the column rules. It prints one line per finding, "ok" or "PROBLEM" with
what to change, and fails when there is a problem. The server is phabricator.url from FILE,
or -url (or $CONDUIT_API_URL). config validate checks FILE without asking anyone.
`

// errPhabProblems is returned after check printed its problems.
var errPhabProblems = errors.New("the server does not match the config")

func phabCommand(args []string) error {
	return runPhab(context.Background(), args, os.Stdout, os.Stderr, os.Getenv)
}

// runPhab is phabCommand with its surroundings passed in, for tests.
func runPhab(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprint(stderr, phabUsage)
		if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return errors.New("phab: the subcommand is check")
	}
	fs := flag.NewFlagSet("rituals phab check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", getenv("CONDUIT_API_URL"), "the server's root (default: phabricator.url of FILE)")
	fs.Usage = func() { fmt.Fprint(stderr, phabUsage) }
	files, err := parseInterleaved(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(files) != 1 {
		fs.Usage()
		return errors.New("phab check: name one config file")
	}
	data, ok := readAndCheck(files[0], io.Discard, stderr)
	if !ok {
		return fmt.Errorf("%s: %w", files[0], errInvalid)
	}
	cfg, err := config.ParseFile(files[0], data)
	if err != nil {
		return err
	}
	url := *base
	if url == "" && cfg.Phabricator != nil {
		url = cfg.Phabricator.URL
	}
	if url == "" {
		return errors.New("phab check: the config has no phabricator.url (add `phabricator: {url: https://phabricator.example.org}`) and -url is not given")
	}
	token := getenv("CONDUIT_API_TOKEN")
	if token == "" {
		return errors.New("phab check: set CONDUIT_API_TOKEN to the bot's Conduit API token (Phabricator: the bot's profile → Manage → Edit Settings → Conduit API Tokens)")
	}
	client, err := conduit.New(conduit.Options{BaseURL: url, Token: token, Timeout: 20 * time.Second})
	if err != nil {
		return err
	}
	dir, err := phab.Resolve(ctx, client, cfg)
	if err != nil {
		var ce *conduit.Error
		if errors.As(err, &ce) && ce.Forbidden() {
			return fmt.Errorf("phab check: the server refused the token (%w): check CONDUIT_API_TOKEN and that the bot account is not disabled", err)
		}
		return fmt.Errorf("phab check: %w", err)
	}
	fmt.Fprintf(stdout, "server %s\n", url)
	for _, f := range dir.Findings {
		fmt.Fprintln(stdout, f)
	}
	if n := len(dir.Problems()); n > 0 {
		fmt.Fprintf(stdout, "%d %s\n", n, plural(n, "problem", "problems"))
		return errPhabProblems
	}
	fmt.Fprintln(stdout, "no problems")
	return nil
}
