// Command rituals is the local and admin CLI: run the whole stack locally, send signed sample
// deliveries to it, and validate or push the team configuration.
package main

import (
	"errors"
	"fmt"
	"os"
)

// errSilent ends a command that already said why (rituals doctor's report) with status 1.
var errSilent = errors.New("failed")

const usage = `usage: rituals <command> [arguments]

commands:
  run                              start the whole stack locally (what ` + "`make run`" + ` does)
  send github <event> <file>       sign a GitHub payload and POST it to the local stack
  send phabricator <file>          sign a Herald webhook body and POST it
  send slack <command|interaction|event> <file-or-text>
                                   sign a Slack request and POST it
  config validate <file>           check a config file; every error is reported with its line
  config push <file>               validate and store a config file in DynamoDB
  phab check <file>                resolve the config's Phabricator projects, columns and users
  report clinic [-format csv|json] Clinic Duty's metrics per duty period and week
  bench                            measure bootstrap sizes, cold starts and latencies (make bench)
  deadletters list | replay [id]   what the stream mappings gave up on, locally or in AWS (-stack)
  setup github [--org ORG]         create the GitHub App from its manifest; secrets into SSM
  setup slack --config-token T     create (or update) the Slack app from its manifest; install it
  doctor [--config FILE]           check the deployed (or --local) stack, one line per check

run 'rituals <command> -h' for the options of a command.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = runCommand(os.Args[2:])
	case "send":
		err = sendCommand(os.Args[2:])
	case "config":
		err = configCommand(os.Args[2:])
	case "bench":
		err = benchCommand(os.Args[2:])
	case "deadletters":
		err = deadlettersCommand(os.Args[2:])
	case "setup":
		err = setupCommand(os.Args[2:])
	case "doctor":
		err = doctorCommand(os.Args[2:])
	case "phab":
		err = phabCommand(os.Args[2:])
	case "report":
		err = reportCommand(os.Args[2:])
	case "help", "-h", "--help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "rituals: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if errors.Is(err, errSilent) {
		os.Exit(1)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "rituals:", err)
		os.Exit(1)
	}
}
