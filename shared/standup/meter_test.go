package standup

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// meter is an http.RoundTripper that counts DynamoDB requests by operation and estimates the
// capacity units they consume the way on-demand billing does: reads 1 RRU per 4 KB per item
// (strongly consistent; half for GSI queries, which are eventually consistent), writes 1 WRU
// per 1 KB per item (2x in transactions; a failed conditional write still costs 1). Sizes are
// taken from the DynamoDB JSON on the wire, a slight overestimate of the item sizes DynamoDB
// bills.
type meter struct {
	next http.RoundTripper
	mu   sync.Mutex
	ops  map[string]int
	rru  float64
	wru  float64
	dur  map[string]time.Duration
}

func newMeter(next http.RoundTripper) *meter {
	if next == nil {
		next = http.DefaultTransport
	}
	return &meter{next: next, ops: map[string]int{}}
}

type meterSnapshot struct {
	Requests int
	Ops      map[string]int
	RRU, WRU float64
}

func (m *meter) snapshot() meterSnapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := meterSnapshot{Ops: map[string]int{}, RRU: m.rru, WRU: m.wru}
	for k, v := range m.ops {
		s.Ops[k] = v
		s.Requests += v
	}
	return s
}

func (a meterSnapshot) minus(b meterSnapshot) meterSnapshot {
	out := meterSnapshot{Ops: map[string]int{}, RRU: a.RRU - b.RRU, WRU: a.WRU - b.WRU, Requests: a.Requests - b.Requests}
	for k, v := range a.Ops {
		if d := v - b.Ops[k]; d != 0 {
			out.Ops[k] = d
		}
	}
	return out
}

func units(size int, unit int) float64 {
	if size <= 0 {
		return 1
	}
	return float64((size + unit - 1) / unit)
}

func (m *meter) RoundTrip(r *http.Request) (*http.Response, error) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	var req map[string]json.RawMessage
	if r.Body != nil {
		body, _ := io.ReadAll(r.Body)
		_ = r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
		_ = json.Unmarshal(body, &req)
	}
	start := time.Now()
	resp, err := m.next.RoundTrip(r)
	m.mu.Lock()
	if m.dur == nil {
		m.dur = map[string]time.Duration{}
	}
	m.dur[op] += time.Since(start)
	m.mu.Unlock()
	if err != nil || op == "" {
		return resp, err
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var out map[string]json.RawMessage
	_ = json.Unmarshal(body, &out)
	var rru, wru float64
	switch op {
	case "GetItem":
		rru = units(len(out["Item"]), 4096)
	case "BatchGetItem":
		var res map[string][]json.RawMessage
		_ = json.Unmarshal(out["Responses"], &res)
		for _, items := range res {
			for _, it := range items {
				rru += units(len(it), 4096)
			}
		}
	case "Query":
		var items []json.RawMessage
		_ = json.Unmarshal(out["Items"], &items)
		size := 0
		for _, it := range items {
			size += len(it)
		}
		rru = units(size, 4096)
		if len(req["IndexName"]) > 0 {
			rru /= 2
		}
	case "PutItem":
		wru = units(len(req["Item"]), 1024)
	case "UpdateItem", "DeleteItem":
		wru = units(len(req["ExpressionAttributeValues"]), 1024)
	case "BatchWriteItem":
		var reqs map[string][]json.RawMessage
		_ = json.Unmarshal(req["RequestItems"], &reqs)
		for _, rs := range reqs {
			for _, w := range rs {
				wru += units(len(w), 1024)
			}
		}
	case "TransactWriteItems":
		var items []json.RawMessage
		_ = json.Unmarshal(req["TransactItems"], &items)
		for _, it := range items {
			wru += 2 * units(len(it), 1024)
		}
	}
	m.mu.Lock()
	m.ops[op]++
	m.rru += rru
	m.wru += wru
	m.mu.Unlock()
	return resp, nil
}
