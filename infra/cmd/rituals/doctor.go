package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/rituals-dev/rituals/infra/doctor"
)

const doctorUsage = `usage: rituals doctor [--config FILE] [target flags]

Checks, in order, one line each with the fix for every failure: the stack and its routes; the
SSM parameters; the GitHub App (or token) and its installations on every account the config
names; the webhook's last delivery; the Slack bot token and its channels; the Conduit token;
the team config in DynamoDB (and that it is FILE); alarms and dead letters.
Exits 1 when something needs fixing. Target flags: see rituals setup -h.
`

// doctorCommand runs `rituals doctor`.
func doctorCommand(args []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runDoctor(ctx, args, os.Stdout, os.Stderr, os.Getenv)
}

func runDoctor(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("rituals doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tf := addTargetFlags(fs, getenv)
	d := doctor.Doctor{}
	fs.StringVar(&d.ConfigFile, "config", "", "the config file the stack should be running (rituals config push FILE)")
	fs.StringVar(&d.Template, "template", "template.yaml", "template.yaml (its routes are probed)")
	fs.StringVar(&d.Manifest, "manifest", "infra/slack/manifest.yaml", "the Slack app manifest (the bot's scopes)")
	fs.Usage = func() { fmt.Fprint(stderr, doctorUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return flagErr(err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("doctor: unexpected arguments %v", fs.Args())
	}
	t, err := tf.open(ctx)
	if err != nil {
		return err
	}
	d.Target = t
	if n := doctor.Failed(d.Run(ctx, stdout)); n > 0 {
		return errSilent
	}
	return nil
}
