package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rituals-dev/rituals/shared/httpapi"
)

type receivedKey struct{}

// receivedAt is the request's receipt time as API Gateway stamped it (set by Lambda), or
// fallback's time for requests that did not come through API Gateway (tests).
func receivedAt(r *http.Request, fallback func() time.Time) time.Time {
	if t, ok := r.Context().Value(receivedKey{}).(time.Time); ok {
		return t
	}
	return fallback().UTC()
}

// Lambda adapts h to API Gateway HTTP API (payload format 2.0): the request becomes an
// *http.Request (headers, cookies, query, body as sent; Host is API Gateway's domain name)
// and the response is collected and returned whole. The request time API Gateway stamped is
// in the request's context, for receivedAt.
func Lambda(h http.Handler, fallback func() time.Time) func(context.Context, httpapi.Request) (httpapi.Response, error) {
	return func(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
		r, answer := toHTTP(ctx, req, fallback)
		if answer != nil {
			return *answer, nil
		}
		w := &responseWriter{header: http.Header{}}
		h.ServeHTTP(w, r)
		return w.response(), nil
	}
}

func toHTTP(ctx context.Context, req httpapi.Request, fallback func() time.Time) (*http.Request, *httpapi.Response) {
	body, answer := httpapi.Body(req)
	if answer != nil {
		return nil, answer
	}
	target := req.RawPath
	if target == "" {
		target = req.RequestContext.HTTP.Path
	}
	u, err := url.Parse(target)
	if err != nil || !strings.HasPrefix(u.Path, "/") {
		return nil, httpapi.Text(http.StatusBadRequest, "malformed path")
	}
	u.RawQuery = req.RawQueryString
	ctx = context.WithValue(ctx, receivedKey{}, httpapi.ReceivedAt(req, fallback))
	r, err := http.NewRequestWithContext(ctx, httpapi.Method(req), u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, httpapi.Text(http.StatusBadRequest, "malformed request")
	}
	for k, v := range req.Headers {
		r.Header.Set(k, v)
	}
	if len(req.Cookies) > 0 {
		r.Header.Set("Cookie", strings.Join(req.Cookies, "; "))
	}
	r.Host = req.RequestContext.DomainName
	if r.Host == "" {
		r.Host = httpapi.Header(req, "Host")
	}
	r.RemoteAddr = req.RequestContext.HTTP.SourceIP
	r.RequestURI = u.RequestURI()
	return r, nil
}

// responseWriter collects a response for API Gateway.
type responseWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *responseWriter) Header() http.Header { return w.header }

func (w *responseWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *responseWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(p)
}

func (w *responseWriter) response() httpapi.Response {
	w.WriteHeader(http.StatusOK)
	out := httpapi.Response{StatusCode: w.status, Headers: map[string]string{}}
	for k, vs := range w.header {
		if k == "Set-Cookie" {
			out.Cookies = append(out.Cookies, vs...)
			continue
		}
		out.Headers[k] = strings.Join(vs, ", ")
	}
	if utf8.Valid(w.body.Bytes()) {
		out.Body = w.body.String()
	} else {
		out.Body, out.IsBase64Encoded = base64.StdEncoding.EncodeToString(w.body.Bytes()), true
	}
	return out
}
