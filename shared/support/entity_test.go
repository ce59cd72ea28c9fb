package support

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rituals-dev/rituals/shared/store"
)

// forgetEffects deletes the request's effect records, as their TTL does after 400 days while
// the request itself is kept for two years.
func forgetEffects(t *testing.T, h *harness, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, err := h.st.API.(*dynamodb.Client).DeleteItem(context.Background(), &dynamodb.DeleteItemInput{
			TableName: aws.String(h.st.Table), Key: store.Key("EFFECT#"+k, "effect"),
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestOnceEverLivesOnTheRequest: when the announcement's and the sections comment's effect
// records have expired, a later change of an old request updates its message in place and asks
// for the sections no second time. Before, Sync claimed the announcement effect again (a second
// post) and a later sections change could comment again.
func TestOnceEverLivesOnTheRequest(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testConfig(t))
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if err := h.issue(t, payload(t, "issues.labeled.json"), t0); err != nil {
		t.Fatal(err)
	}
	if len(h.fakes.Calls("chat.postMessage")) != 1 || len(h.fakes.Calls("create-comment")) != 1 {
		t.Fatalf("first label: %v", apis(h.fakes.Calls("")))
	}
	r := h.request(t, hello1)
	if !r.SectionsAsked || r.TS == "" {
		t.Fatalf("request does not record its once-ever effects: %+v", r)
	}
	forgetEffects(t, h, effectKey(hello1, "post"), effectKey(hello1, "sections"))
	h.fakes.Reset()
	// Months later the body changes, still missing a section: a thread line and an update.
	later := t0.Add(200 * 24 * time.Hour)
	edited := payload(t, "issues.edited.json", withUpdated("2019-12-01T10:00:00Z"), withBody("## Description\nStill broken\n"))
	if err := h.issue(t, edited, later); err != nil {
		t.Fatal(err)
	}
	posts := h.fakes.Calls("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("thread_ts") != r.TS {
		t.Fatalf("posts after the effects expired: %+v (want one thread line in %s)", apis(posts), r.TS)
	}
	if c := h.fakes.Calls("create-comment"); len(c) != 0 {
		t.Fatalf("a second sections comment: %v", c)
	}
	if u := h.fakes.Calls("chat.update"); len(u) != 1 || u[0].Form.Get("ts") != r.TS {
		t.Fatalf("the announcement was not updated in place: %v", apis(h.fakes.Calls("")))
	}
}

// TestRequestItemStaysSmall: a request with a long history keeps a small item (done log entries
// move to items of their own) and its whole history reads back in order. Before, every change
// grew the one item towards DynamoDB's 400 KB limit.
func TestRequestItemStaysSmall(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testConfig(t))
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if err := h.issue(t, payload(t, "issues.labeled.json"), t0); err != nil {
		t.Fatal(err)
	}
	const changes = 300
	for i := 0; i < changes; i++ {
		at := t0.Add(time.Duration(i+1) * time.Minute)
		_, _, err := h.st.Update(ctx, hello1, func(r *Request, found bool) (bool, error) {
			r.add(Entry{Kind: KindETA, At: at, By: "cat", ETA: at.Add(time.Hour), Questions: "Which tenant? Which browser? Since when does it fail?"})
			r.Synced = r.LogLen() // its effects ran
			return true, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	out, err := h.st.API.(*dynamodb.Client).GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(h.st.Table), Key: store.Key(teamPK("triage"), reqSK(hello1))})
	if err != nil {
		t.Fatal(err)
	}
	if size := len(store.Str(out.Item, "data")); size > 8<<10 {
		t.Fatalf("request item holds %d bytes after %d changes; want it bounded", size, changes)
	}
	hist, err := h.st.History(ctx, hello1)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != changes+1 || hist[0].Kind != KindOpened || !hist[changes].At.Equal(t0.Add(changes*time.Minute)) {
		b, _ := json.Marshal(hist[len(hist)-1])
		t.Fatalf("history: %d entries, last %s", len(hist), b)
	}
	for i := 1; i < len(hist); i++ {
		if hist[i].At.Before(hist[i-1].At) {
			t.Fatalf("history out of order at %d", i)
		}
	}
}
