package support

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rituals-dev/rituals/shared/streams"
)

// Invoke is the support-triage function's Lambda handler: stream batches go to HandleStream,
// the schedule's Scheduled Events (whose time is the tick's now) to Tick.
func (p *Processor) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	return streams.Triggers{Name: "support-triage", Stream: p.HandleStream, Schedule: func(ctx context.Context, now time.Time) (any, error) {
		if err := p.Tick(ctx, now); err != nil {
			return nil, err
		}
		return map[string]string{"status": "ok"}, nil
	}}.Invoke(ctx, raw)
}
