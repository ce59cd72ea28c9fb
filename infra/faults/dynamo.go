package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"
)

// Proxy sits between the functions and DynamoDB Local and injects the armed DynamoDB faults.
// With nothing armed it forwards each request as it is (one atomic load on top of a reverse
// proxy over kept-alive loopback connections), so it can stay in front of every request of
// `make run`.
type Proxy struct {
	// URL is the proxy's endpoint, to give functions as DYNAMODB_ENDPOINT.
	URL string

	faults *Injector
	rp     *httputil.ReverseProxy
	srv    *http.Server
}

// StartProxy listens on addr ("127.0.0.1:0" for a free port) and forwards to target.
func StartProxy(addr, target string, faults *Injector) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("DynamoDB endpoint %q: %w", target, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for the DynamoDB fault proxy: %w", err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.Transport = &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     90 * time.Second,
	}
	// DynamoDB Local's answers are small and complete; nothing to stream.
	rp.ErrorLog = nil
	p := &Proxy{URL: "http://" + ln.Addr().String(), faults: faults, rp: rp}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// Close stops the proxy.
func (p *Proxy) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := p.srv.Shutdown(ctx); err != nil {
		return p.srv.Close()
	}
	return nil
}

// ServeHTTP injects the fault chosen for the request's operation, if any, and otherwise
// forwards it.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f := p.faults.DynamoFor(r.Header.Get("X-Amz-Target"))
	if f == nil {
		p.rp.ServeHTTP(w, r)
		return
	}
	if f.Fault == Latency {
		t := time.NewTimer(time.Duration(f.Delay))
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
		p.rp.ServeHTTP(w, r)
		return
	}
	WriteDynamoError(w, f.Fault)
}

// dynamoErrors are DynamoDB's answers for each fault: status, the __type namespace and message.
var dynamoErrors = map[string]struct {
	status    int
	namespace string
	message   string
}{
	ProvisionedThroughputExceeded: {http.StatusBadRequest, "com.amazonaws.dynamodb.v20120810", "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."},
	Throttling:                    {http.StatusBadRequest, "com.amazon.coral.availability", "Rate of requests exceeds the allowed throughput."},
	InternalServerError:           {http.StatusInternalServerError, "com.amazonaws.dynamodb.v20120810", "Internal server error"},
}

// WriteDynamoError answers as DynamoDB does with the named error: the JSON 1.0 error document
// ({"__type": "<namespace>#<code>", "message": ...}) with x-amzn-ErrorType and a request id, so
// that the SDK classifies it (throttles and 500s are retried) exactly as it would in AWS.
func WriteDynamoError(w http.ResponseWriter, code string) {
	e := dynamoErrors[code]
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("x-amzn-ErrorType", code)
	h.Set("x-amzn-RequestId", fmt.Sprintf("LOCALFAULT%022d", time.Now().UnixNano()))
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.namespace + "#" + code, "message": e.message})
}
