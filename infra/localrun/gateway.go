package localrun

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rituals-dev/rituals/infra/samtemplate"
)

// maxRequestBytes is API Gateway's payload limit (10 MB).
const maxRequestBytes = 10 << 20

// gatewayRoute is an HttpApi route bound to its function.
type gatewayRoute struct {
	samtemplate.HTTPRoute
	segments []string
	fn       *function
}

// gateway is a local API Gateway HTTP API: it turns requests into payload format 2.0 events,
// invokes the route's function and turns its response back into HTTP.
type gateway struct {
	routes []gatewayRoute
	now    func() time.Time
	log    io.Writer
}

func newGateway(routes []samtemplate.HTTPRoute, fns map[string]*function, now func() time.Time, log io.Writer) *gateway {
	g := &gateway{now: now, log: log}
	for _, r := range routes {
		fn, ok := fns[r.Function]
		if !ok {
			continue
		}
		g.routes = append(g.routes, gatewayRoute{HTTPRoute: r, segments: splitPath(r.Path), fn: fn})
	}
	// API Gateway picks the most specific route: exact paths before {param} before {proxy+},
	// an explicit method before ANY, $default last.
	sort.SliceStable(g.routes, func(i, j int) bool { return routeRank(g.routes[i]) < routeRank(g.routes[j]) })
	return g
}

func splitPath(p string) []string {
	if p == "" {
		return nil
	}
	return strings.Split(strings.Trim(p, "/"), "/")
}

func routeRank(r gatewayRoute) int {
	if r.Path == "" {
		return 100
	}
	rank := 0
	for _, s := range r.segments {
		if strings.HasSuffix(s, "+}") {
			rank += 20
		} else if strings.HasPrefix(s, "{") {
			rank += 2
		}
	}
	if r.Method == "ANY" {
		rank++
	}
	return rank
}

// match finds the route for method and path, with its path parameters.
func (g *gateway) match(method, path string) (*gatewayRoute, map[string]string) {
	segs := splitPath(path)
	for i := range g.routes {
		r := &g.routes[i]
		if r.Method != "ANY" && r.Method != method && r.Path != "" {
			continue
		}
		if r.Path == "" {
			return r, nil
		}
		if params, ok := matchSegments(r.segments, segs); ok {
			return r, params
		}
	}
	return nil, nil
}

func matchSegments(route, path []string) (map[string]string, bool) {
	var params map[string]string
	for i, s := range route {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "+}") {
			if i >= len(path) {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[s[1:len(s)-2]] = strings.Join(path[i:], "/")
			return params, true
		}
		if i >= len(path) {
			return nil, false
		}
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			if params == nil {
				params = map[string]string{}
			}
			params[s[1:len(s)-1]] = path[i]
			continue
		}
		if s != path[i] {
			return nil, false
		}
	}
	return params, len(route) == len(path)
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route, params := g.match(r.Method, r.URL.Path)
	if route == nil {
		writeMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
	if err != nil {
		writeMessage(w, http.StatusBadRequest, "Bad Request")
		return
	}
	if len(body) > maxRequestBytes {
		writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	}
	event := g.event(r, route, params, body)
	payload, err := json.Marshal(event)
	if err != nil {
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	out, err := route.fn.invoke(r.Context(), payload)
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			fmt.Fprintf(g.log, "rituals: %s %s → %s failed: %v\n", r.Method, r.URL.Path, route.Function, err)
		}
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	if err := writeLambdaResponse(w, out); err != nil {
		fmt.Fprintf(g.log, "rituals: %s %s → %s: malformed response: %v\n", r.Method, r.URL.Path, route.Function, err)
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
	}
}

// event builds the payload format 2.0 request the way API Gateway does: lower-cased headers
// with repeated values joined by commas, cookies moved out of the headers, repeated query
// parameters joined by commas, and a base64 body unless the content type is text.
func (g *gateway) event(r *http.Request, route *gatewayRoute, params map[string]string, body []byte) events.APIGatewayV2HTTPRequest {
	now := g.now()
	headers := map[string]string{}
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if lk == "cookie" {
			continue
		}
		headers[lk] = strings.Join(vs, ",")
	}
	headers["host"] = r.Host
	if len(body) > 0 || r.ContentLength >= 0 {
		headers["content-length"] = fmt.Sprint(len(body))
	}
	sourceIP, port, _ := net.SplitHostPort(r.RemoteAddr)
	_, localPort, _ := net.SplitHostPort(r.Host)
	if localPort == "" {
		localPort = port
	}
	headers["x-forwarded-for"] = sourceIP
	headers["x-forwarded-proto"] = "http"
	headers["x-forwarded-port"] = localPort
	headers["x-amzn-trace-id"] = strings.SplitN(traceID(now), ";", 2)[0]

	var cookies []string
	for _, c := range r.Header.Values("Cookie") {
		for _, part := range strings.Split(c, ";") {
			if part = strings.TrimSpace(part); part != "" {
				cookies = append(cookies, part)
			}
		}
	}
	var query map[string]string
	if q := r.URL.Query(); len(q) > 0 {
		query = make(map[string]string, len(q))
		for k, vs := range q {
			query[k] = strings.Join(vs, ",")
		}
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              route.RouteKey(),
		RawPath:               r.URL.EscapedPath(),
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		PathParameters:        params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     route.RouteKey(),
			AccountID:    "000000000000",
			Stage:        "$default",
			RequestID:    base64.RawStdEncoding.EncodeToString([]byte(randomHex(5))) + "=",
			APIID:        "local",
			DomainName:   r.Host,
			DomainPrefix: strings.Split(r.Host, ".")[0],
			Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if len(body) > 0 {
		if isTextContent(r.Header.Get("Content-Type")) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

// isTextContent reports whether API Gateway passes a body of this type as text.
func isTextContent(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		mt == "application/x-www-form-urlencoded",
		mt == "application/json", strings.HasSuffix(mt, "+json"),
		mt == "application/xml", strings.HasSuffix(mt, "+xml"),
		mt == "application/javascript":
		return true
	}
	return false
}

// writeLambdaResponse maps a function's response to HTTP. A JSON object with statusCode is a
// structured response; anything else is, as API Gateway infers it, a 200 application/json body.
func writeLambdaResponse(w http.ResponseWriter, out []byte) error {
	var probe map[string]json.RawMessage
	if json.Unmarshal(out, &probe) != nil || probe["statusCode"] == nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(out)
		return nil
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		return err
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return fmt.Errorf("statusCode %d", resp.StatusCode)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			return fmt.Errorf("body is not base64: %w", err)
		}
		body = b
	}
	h := w.Header()
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
	return nil
}

func writeMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
