package labels

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rituals-dev/rituals/shared/streams"
)

// Invoke is LabelRulesFunction's Lambda handler: stream batches go to HandleStream, the
// schedule's Scheduled Events (whose time is the sweep's now) to Sweep.
func (p *Processor) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	return streams.Triggers{Name: "label-rules", Stream: p.HandleStream, Schedule: func(ctx context.Context, now time.Time) (any, error) {
		st, err := p.Sweep(ctx, now)
		if err != nil {
			return nil, err
		}
		return map[string]any{"status": "ok", "queries": st.Queries, "due": st.Read, "fired": st.Fired, "cancelled": st.Cancelled}, nil
	}}.Invoke(ctx, raw)
}
