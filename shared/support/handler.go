package support

import (
	"context"
	"encoding/json"

	"github.com/rituals-dev/rituals/shared/streams"
)

// Invoke is the support-triage function's Lambda handler: stream batches go to HandleStream,
// the schedule's Scheduled Events (whose time is the tick's now) to Tick.
func (p *Processor) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	return streams.Triggers{Name: "support-triage", Stream: p.HandleStream, Schedule: streams.Ticked(p.Tick)}.Invoke(ctx, raw)
}
