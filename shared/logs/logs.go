// Package logs sets up structured JSON logging (log/slog) the same way in every function, with
// fixed field names so that CloudWatch Logs Insights queries work across functions.
package logs

import (
	"context"
	"io"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Field names. Values logged under them must never be secrets or tokens.
const (
	RequestID = "request_id"
	Delivery  = "delivery_id"
	Event     = "event"
	Action    = "action"
	Repo      = "repo"
	User      = "user"
	Team      = "team"
	Key       = "key"
	Status    = "status"
	Err       = "error"
)

// New returns a JSON logger writing to w at the level named by level (DEBUG, INFO, WARN,
// ERROR; INFO when empty or unknown). Lambda sets AWS_LAMBDA_LOG_LEVEL from template.yaml.
func New(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	switch strings.ToUpper(level) {
	case "DEBUG":
		l = slog.LevelDebug
	case "WARN":
		l = slog.LevelWarn
	case "ERROR":
		l = slog.LevelError
	default:
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// For returns base (slog.Default() when nil) with the Lambda request id of ctx attached,
// when there is one.
func For(ctx context.Context, base *slog.Logger) *slog.Logger {
	if base == nil {
		base = slog.Default()
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return base.With(RequestID, lc.AwsRequestID)
	}
	return base
}
