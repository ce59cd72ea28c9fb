package streams_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rituals-dev/rituals/shared/streams"
)

func TestInvokeDispatches(t *testing.T) {
	t.Parallel()
	var got []string
	stream := func(_ context.Context, ev events.DynamoDBEvent) events.DynamoDBEventResponse {
		got = append(got, "stream:"+ev.Records[0].EventID)
		return events.DynamoDBEventResponse{}
	}
	tick := func(_ context.Context, now time.Time) error {
		got = append(got, "tick:"+now.UTC().Format(time.RFC3339))
		if now.Year() == 2001 {
			return errors.New("tick failed")
		}
		return nil
	}
	cases := []struct {
		raw, want, err string
	}{
		{`{"Records":[{"eventID":"e1","eventName":"INSERT"}]}`, "stream:e1", ""},
		{`{"detail-type":"Scheduled Event","source":"aws.events","time":"2026-11-23T10:00:00Z"}`, "tick:2026-11-23T10:00:00Z", ""},
		{`{"detail-type":"Scheduled Event","time":"2001-01-01T00:00:00Z"}`, "tick:2001-01-01T00:00:00Z", "tick failed"},
		{`{"detail-type":"Other"}`, "", "fn: neither a stream batch nor a Scheduled Event"},
		{`[]`, "", "fn: event is not a JSON object"},
	}
	for _, tc := range cases {
		got = nil
		_, err := streams.Invoke(context.Background(), []byte(tc.raw), "fn", stream, tick)
		if (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: err %v, want %q", tc.raw, err, tc.err)
		}
		if tc.want != "" && (len(got) != 1 || got[0] != tc.want) {
			t.Errorf("%s: called %v, want %s", tc.raw, got, tc.want)
		}
	}
}
