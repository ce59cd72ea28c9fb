package runtimeenv

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/rituals-dev/rituals/shared/logs"
)

// Boot is the first thing every function's main does: it loads the function's Spec from the
// process environment (creating an SSM client only when a secret must come from SSM) and the
// JSON logger at Lambda's configured level. An unknown function is a programming error.
func Boot(ctx context.Context, function string) (Env, *slog.Logger, error) {
	log := logs.New(os.Stdout, os.Getenv("AWS_LAMBDA_LOG_LEVEL")).With("function", function)
	spec, ok := Specs[function]
	if !ok {
		return Env{}, log, fmt.Errorf("no runtimeenv.Specs entry for %s", function)
	}
	var params ParamReader
	if NeedsParams(spec, os.Getenv) {
		ssm, err := NewSSM(ctx)
		if err != nil {
			return Env{}, log, fmt.Errorf("create SSM client: %w", err)
		}
		params = ssm
	}
	env, err := Load(ctx, spec, os.Getenv, params)
	return env, log, err
}

// Exit logs an initialisation error and ends the process; only main calls it.
func Exit(log *slog.Logger, err error) {
	log.Error("init failed", logs.Err, err.Error())
	os.Exit(1)
}
