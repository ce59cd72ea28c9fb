package support

import (
	"io"
	"log/slog"
	"time"

	"github.com/rituals-dev/rituals/shared/store"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func storeEvent(typ string, payload []byte) store.Event {
	return store.Event{Key: "rituals#test", Source: EventSource, Type: typ, ReceivedAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), Payload: payload}
}
