// Package httpapi is the edge between API Gateway HTTP API (payload format 2.0) and the
// handlers: it reads a request's raw body exactly as sent (signatures are over those bytes),
// enforces the size limit, and builds the few responses the handlers give.
package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// MaxBody is the largest body accepted: Lambda's 6 MB synchronous invocation payload limit.
const MaxBody = 6 * 1024 * 1024

// Request is the API Gateway HTTP API request type the HTTP functions take.
type Request = events.APIGatewayV2HTTPRequest

// Response is what the HTTP functions answer.
type Response = events.APIGatewayV2HTTPResponse

// Header returns a request header; HTTP API lower-cases header names, but a caller may not.
func Header(r Request, name string) string {
	if v, ok := r.Headers[strings.ToLower(name)]; ok {
		return v
	}
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// Headers returns a header lookup for r, the form the verifiers take.
func Headers(r Request) func(name string) string {
	return func(name string) string { return Header(r, name) }
}

// Method returns the request's HTTP method.
func Method(r Request) string { return r.RequestContext.HTTP.Method }

// PostBody returns the raw body of a POST, or the answer for anything else: 405 for another
// method, 413 for a body over MaxBody, 400 for undecodable base64. Every inbound route takes
// only POST, so this is the first step of each.
func PostBody(r Request) ([]byte, *Response) {
	if Method(r) != http.MethodPost {
		return nil, MethodNotAllowed(http.MethodPost)
	}
	return Body(r)
}

// Body returns the raw body bytes (decoding base64 when API Gateway encoded them) or a 413/400
// response when it is too large or undecodable.
func Body(r Request) ([]byte, *Response) {
	if len(r.Body) > MaxBody*4/3+4 {
		return nil, Text(http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", MaxBody))
	}
	body := []byte(r.Body)
	if r.IsBase64Encoded {
		var err error
		body, err = base64.StdEncoding.DecodeString(r.Body)
		if err != nil {
			return nil, Text(http.StatusBadRequest, "body is not valid base64")
		}
	}
	if len(body) > MaxBody {
		return nil, Text(http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", MaxBody))
	}
	return body, nil
}

// Text is a plain-text response with a one-line message.
func Text(status int, msg string) *Response {
	return &Response{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "text/plain; charset=utf-8"},
		Body:       msg + "\n",
	}
}

// JSON is a JSON response; v must be marshalable (a failure is a programming error, answered 500).
func JSON(status int, v any) *Response {
	b, err := json.Marshal(v)
	if err != nil {
		return Text(http.StatusInternalServerError, "internal error")
	}
	return &Response{StatusCode: status, Headers: map[string]string{"Content-Type": "application/json"}, Body: string(b)}
}

// MethodNotAllowed answers 405 naming the allowed method.
func MethodNotAllowed(allowed string) *Response {
	r := Text(http.StatusMethodNotAllowed, "method not allowed: use "+allowed)
	r.Headers["Allow"] = allowed
	return r
}

// ReceivedAt is the request's receipt time as stamped by API Gateway (so handlers never read the
// clock themselves); fallback serves callers that do not set it.
func ReceivedAt(r Request, fallback func() time.Time) time.Time {
	if ms := r.RequestContext.TimeEpoch; ms > 0 {
		return time.UnixMilli(ms).UTC()
	}
	return fallback().UTC()
}
