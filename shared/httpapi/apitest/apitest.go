// Package apitest builds API Gateway HTTP API requests for handler tests.
package apitest

import (
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Req is the request type Request builds.
type Req = events.APIGatewayV2HTTPRequest

// Request returns a payload-format-2.0 request as API Gateway would pass it, received at at.
func Request(method, path string, headers map[string]string, body []byte, at time.Time) events.APIGatewayV2HTTPRequest {
	h := make(map[string]string, len(headers))
	for k, v := range headers {
		h[strings.ToLower(k)] = v
	}
	return events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: "ANY " + path,
		RawPath:  path,
		Headers:  h,
		Body:     string(body),
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP:      events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path},
			TimeEpoch: at.UnixMilli(),
			RequestID: "test-request",
		},
	}
}
