package support

import (
	"context"
	"encoding/json"

	"github.com/rituals-dev/rituals/shared/streams"
)

// Invoke is the support-triage function's Lambda handler. The function has two triggers: the
// events table's stream (a batch of records, answered with ReportBatchItemFailures) and the
// schedule (an EventBridge Scheduled Event, whose time is the tick's now).
func (p *Processor) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	return streams.Invoke(ctx, raw, "support-triage", p.HandleStream, p.Tick)
}
