package standins

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestOutboxHTTP(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t)
	slackCall(t, srv.URL, "chat.postMessage", slackToken, url.Values{"channel": {"C1"}, "text": {"one"}})
	slackCall(t, srv.URL, "auth.test", slackToken, nil)
	conduitCall(t, srv.URL, "conduit.ping", url.Values{"api.token": {conduitToken}})

	get := func(query string) []Call {
		t.Helper()
		resp, err := http.Get(srv.URL + OutboxPath + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Calls []Call }
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out.Calls
	}
	all := get("")
	if len(all) != 3 || all[0].Seq != 1 || all[2].Seq != 3 || all[0].Time.IsZero() {
		t.Fatalf("calls %+v", all)
	}
	if got := get("?service=slack&api=chat.postMessage"); len(got) != 1 || got[0].API != "chat.postMessage" {
		t.Errorf("filtered %+v", got)
	}
	if got := get("?since=2"); len(got) != 1 || got[0].Service != "conduit" {
		t.Errorf("since %+v", got)
	}
	if s.Outbox().Last() != 3 {
		t.Errorf("Last = %d", s.Outbox().Last())
	}
	req, _ := http.NewRequest(http.MethodDelete, srv.URL+OutboxPath, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := get(""); len(got) != 0 || resp.StatusCode != http.StatusNoContent {
		t.Errorf("after DELETE: %d %+v", resp.StatusCode, got)
	}
	slackCall(t, srv.URL, "auth.test", slackToken, nil)
	if got := get(""); len(got) != 1 || got[0].Seq != 4 {
		t.Errorf("sequence numbers must keep increasing after a clear: %+v", got)
	}
	if resp, _ := http.Get(srv.URL + OutboxPath + "?since=x"); resp.StatusCode != 400 {
		t.Errorf("bad since: %d", resp.StatusCode)
	}
}

func TestOutboxWait(t *testing.T) {
	t.Parallel()
	o := NewOutbox(nil)
	go o.Record(Call{Service: "slack", API: "chat.postMessage"})
	done := make(chan struct{})
	timer := time.AfterFunc(10*time.Second, func() { close(done) })
	defer timer.Stop()
	if got := o.Wait(done, Filter{API: "chat.postMessage"}, 1); len(got) != 1 {
		t.Errorf("Wait returned %+v", got)
	}
}
