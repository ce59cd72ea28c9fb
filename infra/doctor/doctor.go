// Package doctor is `rituals doctor`: it checks a deployed stack (or the local one) in the
// order a setup goes — the stack and its functions, the SSM parameters, GitHub (the app or
// token, its installations, the webhook's last delivery), Slack (the bot token, its channels),
// Conduit, the team config, the alarms and dead letters — and prints one line per check, with
// the exact command or page that fixes each failure.
package doctor

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/infra/deployment"
	"github.com/rituals-dev/rituals/shared/config"
)

// Status is a check's outcome.
type Status string

// The outcomes: Skip is a check that does not apply (no Phabricator) or cannot run because an
// earlier one failed.
const (
	OK   Status = "ok"
	Fail Status = "FAIL"
	Skip Status = "skip"
)

// Result is one line of the report.
type Result struct {
	Check   string
	Status  Status
	Message string
	// Fix is the command or page that fixes a failure.
	Fix string
}

func (r Result) String() string {
	line := fmt.Sprintf("%-4s  %-11s %s", r.Status, r.Check, r.Message)
	if r.Fix != "" {
		line += " → " + r.Fix
	}
	return line
}

// Doctor checks one stack.
type Doctor struct {
	Target *deployment.Target
	// Template is template.yaml (its routes are probed, its functions' secrets named);
	// "template.yaml" when empty.
	Template string
	// Manifest is the Slack app manifest (the bot's scopes); infra/slack/manifest.yaml when
	// empty.
	Manifest string
	// ConfigFile, when set, must be the config version stored in the stack.
	ConfigFile string
	// PhabricatorProjects lists the Phabricator projects (slugs or PHIDs) a config names,
	// each of which must resolve; nil when the config names none.
	PhabricatorProjects func(*config.Config) []string
	// Alarms and DeadLetters default to the stack's CloudWatch alarms and SQS queue in AWS,
	// and to the local stack's dead letters locally.
	Alarms      AlarmSource
	DeadLetters DeadLetterSource
	// Now is the wall clock (deadlines of probes); time.Now when nil.
	Now func() time.Time
}

// state is what earlier checks found and later ones use.
type state struct {
	stack   deployment.Stack
	stackOK bool
	params  map[string]string // SSM parameter name → value, for those that exist
	cfg     *config.Config
	cfgErr  error
	github  *githubCreds
}

// Run runs every check in order, writing each line to w as it is known, and returns the
// results.
func (d *Doctor) Run(ctx context.Context, w io.Writer) []Result {
	if d.Template == "" {
		d.Template = "template.yaml"
	}
	if d.Manifest == "" {
		d.Manifest = "infra/slack/manifest.yaml"
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	where := d.Target.Region
	if d.Target.Local != nil {
		where = "local, " + d.Target.Local.URL
	}
	fmt.Fprintf(w, "rituals doctor: stack %s (%s)\n", d.Target.StackName, where)
	s := &state{params: map[string]string{}}
	var all []Result
	for _, check := range []func(context.Context, *state) []Result{
		d.checkStack, d.checkSecrets, d.checkGitHub, d.checkWebhooks, d.checkSlack, d.checkPhabricator, d.checkConfig, d.checkAlarms,
	} {
		for _, r := range check(ctx, s) {
			fmt.Fprintln(w, r)
			all = append(all, r)
		}
	}
	failed := 0
	for _, r := range all {
		if r.Status == Fail {
			failed++
		}
	}
	if failed == 0 {
		fmt.Fprintln(w, "rituals doctor: all good")
	} else {
		fmt.Fprintf(w, "rituals doctor: %d %s to fix\n", failed, plural(failed, "problem", "problems"))
	}
	return all
}

// Failed counts the failures among results.
func Failed(results []Result) int {
	n := 0
	for _, r := range results {
		if r.Status == Fail {
			n++
		}
	}
	return n
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// rituals is the command line for a rituals subcommand against this target.
func (d *Doctor) rituals(args string) string {
	cmd := "rituals " + args
	if d.Target.Local != nil {
		cmd += " --local " + d.Target.Local.URL
	} else if d.Target.StackName != "" {
		cmd += " --stack " + d.Target.StackName
	}
	return cmd
}

// putParam is the command that stores a parameter by hand.
func (d *Doctor) putParam(name, value string) string {
	if d.Target.Local != nil {
		return fmt.Sprintf("AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s aws --region %s --endpoint-url %s ssm put-parameter --type SecureString --overwrite --name %s --value %s",
			d.Target.Local.AccessKeyID, d.Target.Local.SecretAccessKey, d.Target.Region, d.Target.Local.SSM, name, value)
	}
	return fmt.Sprintf("aws ssm put-parameter --type SecureString --overwrite --name %s --value %s", name, value)
}

// logs says where a function's logs are.
func (d *Doctor) logs(function string) string {
	if d.Target.Local != nil {
		return "see " + function + "'s lines in make run's output"
	}
	return fmt.Sprintf("sam logs --stack-name %s -n %s", d.Target.StackName, function)
}

// httpClient bounds each probe.
func (d *Doctor) httpClient() *http.Client {
	if d.Target.HTTP != nil {
		return d.Target.HTTP
	}
	return &http.Client{Timeout: 10 * time.Second}
}

func join(l []string) string { return strings.Join(l, ", ") }
