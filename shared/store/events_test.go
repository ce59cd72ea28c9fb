package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

func TestPutEventRoundTrip(t *testing.T) {
	t.Parallel()
	// Random hex compresses to half: 3 MB stays ~1.5 MB gzipped, so it must be split into parts.
	raw := make([]byte, 1_500_000)
	_, _ = rand.Read(raw)
	huge := []byte(`{"blob":"` + hex.EncodeToString(raw) + `"}`)
	cases := []struct {
		name    string
		payload []byte
	}{
		{"small", []byte(`{"action":"opened"}`)},
		{"empty", []byte{}},
		{"split into parts", huge},
	}
	at := time.Date(2026, 11, 21, 12, 0, 0, 123000000, time.UTC)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client, tables := dynamotest.New(t)
			ev := store.Events{API: client, Table: tables.Events}
			e := store.Event{Key: "github#" + tc.name, Source: "github", Type: "issues", Action: "opened", Repo: "o/r", ReceivedAt: at, Payload: tc.payload}
			if err := ev.PutEvent(context.Background(), e); err != nil {
				t.Fatal(err)
			}
			if err := ev.PutEvent(context.Background(), e); !errors.Is(err, store.ErrDuplicate) {
				t.Fatalf("second put: %v, want ErrDuplicate", err)
			}
			got, err := ev.GetEvent(context.Background(), e.Key)
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Payload) != string(tc.payload) || got.Type != "issues" || got.Action != "opened" || got.Repo != "o/r" || !got.ReceivedAt.Equal(at) {
				t.Fatalf("got %+v (payload %d bytes, want %d)", got.Key, len(got.Payload), len(tc.payload))
			}
		})
	}
}

func TestGetEventMissing(t *testing.T) {
	t.Parallel()
	client, tables := dynamotest.New(t)
	_, err := store.Events{API: client, Table: tables.Events}.GetEvent(context.Background(), "github#nope")
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}
