// Command withdynamo runs a command with one DynamoDB Local started for it, exported to it as
// DYNAMODB_ENDPOINT, so that every test package of `make test` shares one server (each test
// creates its own tables) instead of starting one per package. When DYNAMODB_ENDPOINT is already
// set, it runs the command against that one.
//
//	go run ./infra/cmd/withdynamo -- go test ./...
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/rituals-dev/rituals/shared/store/dynamolocal"
)

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: withdynamo -- command [args...]")
		os.Exit(2)
	}
	os.Exit(run(args))
}

func run(args []string) int {
	if os.Getenv("DYNAMODB_ENDPOINT") == "" {
		srv, err := dynamolocal.Start(context.Background())
		if err != nil {
			fmt.Fprintln(os.Stderr, "withdynamo:", err)
			return 1
		}
		defer srv.Stop()
		os.Setenv("DYNAMODB_ENDPOINT", srv.Endpoint)
		fmt.Fprintln(os.Stderr, "withdynamo: DynamoDB Local at", srv.Endpoint)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "withdynamo:", err)
		return 1
	}
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "withdynamo:", err)
		return 1
	}
	return 0
}
