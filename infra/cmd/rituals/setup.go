package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/rituals-dev/rituals/infra/deployment"
	"github.com/rituals-dev/rituals/infra/setup"
)

const setupUsage = `usage:
  rituals setup github [--org ORG] [--name NAME] [--public] [--replace] [target flags]
      create the Rituals GitHub App (GitHub's app-manifest flow, in your browser) with the
      stack's webhook URL, store its id, private key and webhook secret in SSM, and wait for
      it to be installed on the accounts the team config names
  rituals setup slack --config-token xoxe.xoxp-… [--bot-token xoxb-…] [target flags]
      create the Rituals Slack app from infra/slack/manifest.yaml with the stack's URLs (or
      update it when re-run), store its secrets in SSM, and have it installed
  rituals setup slack --print-manifest [target flags]
      print the manifest with the stack's URLs filled in, to paste at api.slack.com by hand

target flags (every admin command):
  --stack NAME     the stack (default: stack_name in samconfig.toml)
  --region REGION  its region (default: samconfig.toml, then the AWS configuration)
  --local URL      a local stack instead (make run; http://127.0.0.1:3000)
  --github-url URL GitHub Enterprise Server (default https://github.com)
`

// targetFlags are the flags every admin command takes to find the stack.
type targetFlags struct {
	stack, region, local, githubURL *string
}

func addTargetFlags(fs *flag.FlagSet, getenv func(string) string) targetFlags {
	return targetFlags{
		stack:     fs.String("stack", getenv("RITUALS_STACK"), "the stack's name (default: samconfig.toml)"),
		region:    fs.String("region", "", "the stack's region (default: samconfig.toml, then the AWS configuration)"),
		local:     fs.String("local", "", "URL of a local stack (make run) to act on instead of AWS"),
		githubURL: fs.String("github-url", "", "GitHub Enterprise Server's URL (default https://github.com)"),
	}
}

func (f targetFlags) open(ctx context.Context) (*deployment.Target, error) {
	return deployment.Open(ctx, deployment.Options{Stack: *f.stack, Region: *f.region, Local: *f.local, GitHubURL: *f.githubURL})
}

// tristate is a boolean flag that remembers whether it was given.
type tristate struct{ v *bool }

func (t *tristate) String() string {
	if t.v == nil {
		return ""
	}
	return strconv.FormatBool(*t.v)
}

func (t *tristate) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	t.v = &b
	return nil
}

func (t *tristate) IsBoolFlag() bool { return true }

// setupCommand runs `rituals setup ...`.
func setupCommand(args []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runSetup(ctx, args, os.Stdin, os.Stdout, os.Stderr, os.Getenv, openBrowser)
}

func runSetup(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string, browser func(string) error) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, setupUsage)
		return errors.New("setup: say what to set up (github or slack)")
	}
	switch args[0] {
	case "github":
		fs := flag.NewFlagSet("rituals setup github", flag.ContinueOnError)
		fs.SetOutput(stderr)
		tf := addTargetFlags(fs, getenv)
		o := setup.GitHubOptions{Out: stdout}
		fs.StringVar(&o.Org, "org", "", "organisation that owns the app (default: your account)")
		fs.StringVar(&o.Name, "name", "", "the app's name, unique on GitHub (default rituals-<org or stack>)")
		var public tristate
		fs.Var(&public, "public", "installable on other accounts too (default: when the config names other accounts)")
		fs.BoolVar(&o.Replace, "replace", false, "create a new app even if a working one is stored")
		fs.StringVar(&o.Template, "template", "template.yaml", "template.yaml (the webhook events to subscribe to)")
		fs.DurationVar(&o.InstallWait, "wait", 10*time.Minute, "how long to wait for the installations (0: do not wait)")
		noBrowser := fs.Bool("no-browser", false, "print the page's address without opening a browser")
		fs.Usage = func() { fmt.Fprint(stderr, setupUsage) }
		if err := fs.Parse(args[1:]); err != nil {
			return flagErr(err)
		}
		o.Public = public.v
		if !*noBrowser {
			o.Open = browser
		}
		t, err := tf.open(ctx)
		if err != nil {
			return err
		}
		return setup.GitHub(ctx, t, o)
	case "slack":
		fs := flag.NewFlagSet("rituals setup slack", flag.ContinueOnError)
		fs.SetOutput(stderr)
		tf := addTargetFlags(fs, getenv)
		o := setup.SlackOptions{Out: stdout, In: stdin}
		fs.StringVar(&o.ConfigToken, "config-token", getenv("SLACK_CONFIG_TOKEN"), "Slack app configuration token, xoxe.xoxp-… (or $SLACK_CONFIG_TOKEN)")
		fs.StringVar(&o.BotToken, "bot-token", "", "store this bot token (xoxb-…) instead of waiting for the install")
		fs.BoolVar(&o.PrintManifest, "print-manifest", false, "print the filled-in manifest and stop")
		fs.StringVar(&o.Manifest, "manifest", "infra/slack/manifest.yaml", "the Slack app manifest")
		fs.DurationVar(&o.Wait, "wait", 15*time.Minute, "how long to wait for the install")
		noBrowser := fs.Bool("no-browser", false, "print the install link without opening a browser")
		fs.Usage = func() { fmt.Fprint(stderr, setupUsage) }
		if err := fs.Parse(args[1:]); err != nil {
			return flagErr(err)
		}
		if !*noBrowser {
			o.Open = browser
		}
		t, err := tf.open(ctx)
		if err != nil {
			return err
		}
		return setup.Slack(ctx, t, o)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, setupUsage)
		return nil
	default:
		fmt.Fprint(stderr, setupUsage)
		return fmt.Errorf("setup: unknown %q (github or slack)", args[0])
	}
}

func flagErr(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// openBrowser opens url in the desktop's browser.
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
