package samtemplate

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Event types the local runner drives.
const (
	EventHTTPAPI    = "HttpApi"
	EventSchedule   = "Schedule"
	EventScheduleV2 = "ScheduleV2"
	EventDynamoDB   = "DynamoDB"
)

// HTTPRoute is an HttpApi event: requests matching Method and Path invoke Function.
type HTTPRoute struct {
	Function string
	Event    string
	// Method is upper case; "ANY" matches every method.
	Method string
	// Path is the route path, which may hold {param} and {proxy+} segments; "" is the
	// $default route (an HttpApi event without Path and Method).
	Path string
}

// RouteKey is API Gateway's name for the route: "ANY /webhooks/github" or "$default".
func (r HTTPRoute) RouteKey() string {
	if r.Path == "" {
		return "$default"
	}
	return r.Method + " " + r.Path
}

// HTTPRoutes lists every HttpApi event, ordered by function logical id and then as written.
func (t *Template) HTTPRoutes() ([]HTTPRoute, error) {
	fns, err := t.Functions()
	if err != nil {
		return nil, err
	}
	var out []HTTPRoute
	seen := map[string]string{}
	for _, f := range fns {
		for _, e := range f.Events {
			if e.Type != EventHTTPAPI {
				continue
			}
			r := HTTPRoute{Function: f.LogicalID, Event: e.Name, Method: strings.ToUpper(t.scalarValue(Get(e.Properties, "Method"))), Path: t.scalarValue(Get(e.Properties, "Path"))}
			if (r.Method == "") != (r.Path == "") {
				return nil, fmt.Errorf("function %s event %s: HttpApi needs both Path and Method, or neither for $default", f.LogicalID, e.Name)
			}
			if r.Path != "" && !strings.HasPrefix(r.Path, "/") {
				return nil, fmt.Errorf("function %s event %s: Path %q must start with /", f.LogicalID, e.Name, r.Path)
			}
			if prev, dup := seen[r.RouteKey()]; dup {
				return nil, fmt.Errorf("function %s event %s: route %q is already taken by %s", f.LogicalID, e.Name, r.RouteKey(), prev)
			}
			seen[r.RouteKey()] = f.LogicalID + "." + e.Name
			out = append(out, r)
		}
	}
	return out, nil
}

// Schedule is a Schedule (EventBridge rule) or ScheduleV2 (EventBridge Scheduler) event.
type Schedule struct {
	Function string
	Event    string
	Type     string
	// Expression is rate(...), cron(...) or, for ScheduleV2, at(...).
	Expression string
	// Timezone is ScheduleV2's ScheduleExpressionTimezone; "" means UTC.
	Timezone string
	// Input is the constant JSON sent instead of the scheduled event, or "".
	Input string
	// Enabled is false for Enabled: false or State: DISABLED.
	Enabled bool
	// Retries is how often a failed invocation is retried. EventBridge invokes the function
	// asynchronously, and Lambda retries a failed asynchronous invocation (an error, a crash, a
	// timeout) EventInvokeConfig.MaximumRetryAttempts times, 2 when the function sets none; the
	// schedule's RetryPolicy.MaximumRetryAttempts covers EventBridge failing to hand the event
	// over, which does not happen locally.
	Retries int
	// MaxEventAge is how old an event may get and still be retried: the smallest of the
	// RetryPolicy's and EventInvokeConfig's MaximumEventAgeInSeconds, 6 hours when neither is set.
	MaxEventAge time.Duration
}

// asyncRetries reads a function's EventInvokeConfig (its own or Globals'): retries of a failed
// asynchronous invocation and the event age limit.
func (t *Template) asyncRetries(function string) (retries int, maxAge time.Duration, err error) {
	retries, maxAge = 2, 6*time.Hour
	cfg := Get(t.Resources[function].Properties, "EventInvokeConfig")
	if cfg == nil {
		cfg = Get(t.Globals, "Function", "EventInvokeConfig")
	}
	if n := Get(cfg, "MaximumRetryAttempts"); n != nil {
		if retries, err = t.intValue(n); err != nil || retries < 0 || retries > 2 {
			return 0, 0, fmt.Errorf("EventInvokeConfig.MaximumRetryAttempts: want 0, 1 or 2, got %q", n.Value)
		}
	}
	if n := Get(cfg, "MaximumEventAgeInSeconds"); n != nil {
		secs, err := t.intValue(n)
		if err != nil || secs < 60 || secs > 21600 {
			return 0, 0, fmt.Errorf("EventInvokeConfig.MaximumEventAgeInSeconds: want 60..21600, got %q", n.Value)
		}
		maxAge = time.Duration(secs) * time.Second
	}
	return retries, maxAge, nil
}

// Schedules lists every Schedule and ScheduleV2 event, ordered by function and then as written.
func (t *Template) Schedules() ([]Schedule, error) {
	fns, err := t.Functions()
	if err != nil {
		return nil, err
	}
	var out []Schedule
	for _, f := range fns {
		for _, e := range f.Events {
			if e.Type != EventSchedule && e.Type != EventScheduleV2 {
				continue
			}
			s := Schedule{Function: f.LogicalID, Event: e.Name, Type: e.Type, Enabled: true}
			p := e.Properties
			if e.Type == EventSchedule {
				s.Expression = t.scalarValue(Get(p, "Schedule"))
				if on, err := t.boolValue(Get(p, "Enabled"), true); err != nil {
					return nil, fmt.Errorf("function %s event %s: Enabled: %w", f.LogicalID, e.Name, err)
				} else if !on {
					s.Enabled = false
				}
			} else {
				s.Expression = t.scalarValue(Get(p, "ScheduleExpression"))
				s.Timezone = t.scalarValue(Get(p, "ScheduleExpressionTimezone"))
			}
			if strings.EqualFold(t.scalarValue(Get(p, "State")), "DISABLED") {
				s.Enabled = false
			}
			s.Input = t.scalarValue(Get(p, "Input"))
			if s.Expression == "" {
				return nil, fmt.Errorf("function %s event %s: %s has no schedule expression", f.LogicalID, e.Name, e.Type)
			}
			var err error
			if s.Retries, s.MaxEventAge, err = t.asyncRetries(f.LogicalID); err != nil {
				return nil, fmt.Errorf("function %s: %w", f.LogicalID, err)
			}
			if n := Get(p, "RetryPolicy", "MaximumEventAgeInSeconds"); n != nil {
				secs, err := t.intValue(n)
				if err != nil || secs < 60 || secs > 86400 {
					return nil, fmt.Errorf("function %s event %s: RetryPolicy.MaximumEventAgeInSeconds: want 60..86400, got %q", f.LogicalID, e.Name, n.Value)
				}
				s.MaxEventAge = min(s.MaxEventAge, time.Duration(secs)*time.Second)
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// StreamMapping is a DynamoDB event: an event source mapping from a table's stream.
type StreamMapping struct {
	Function string
	Event    string
	// Table is the logical id of the table whose stream is read (Stream: !GetAtt T.StreamArn).
	Table            string
	StartingPosition string
	// BatchSize defaults to 100, like Lambda.
	BatchSize             int
	MaximumBatchingWindow time.Duration
	BisectOnError         bool
	// MaximumRetryAttempts is -1 (Lambda's default) for "until the record expires".
	MaximumRetryAttempts int
	// MaximumRecordAge is 0 for "no limit" (Lambda's -1).
	MaximumRecordAge        time.Duration
	ReportBatchItemFailures bool
	// OnFailure is the logical id of DestinationConfig.OnFailure.Destination, or "".
	OnFailure string
	// Filters are FilterCriteria.Filters[].Pattern as written (JSON).
	Filters []string
	Enabled bool
}

// EventSourceMappingType is the CloudFormation resource of an explicit event source mapping.
// The template declares its stream mappings this way rather than as SAM DynamoDB events,
// because SAM gives a function with a DynamoDB event the AWSLambdaDynamoDBExecutionRole
// managed policy, whose stream actions are granted on every resource.
const EventSourceMappingType = "AWS::Lambda::EventSourceMapping"

// StreamMappings lists every DynamoDB stream mapping — SAM DynamoDB events, ordered by function
// and then as written, then AWS::Lambda::EventSourceMapping resources (Event is then the
// resource's logical id), ordered by logical id.
func (t *Template) StreamMappings() ([]StreamMapping, error) {
	fns, err := t.Functions()
	if err != nil {
		return nil, err
	}
	var out []StreamMapping
	for _, f := range fns {
		for _, e := range f.Events {
			if e.Type != EventDynamoDB {
				continue
			}
			m, err := t.streamMapping(f.LogicalID, e.Name, e.Properties, "Stream")
			if err != nil {
				return nil, fmt.Errorf("function %s event %s: %w", f.LogicalID, e.Name, err)
			}
			out = append(out, m)
		}
	}
	for _, r := range t.OfType(EventSourceMappingType) {
		fn := Get(r.Properties, "FunctionName")
		if fn == nil || fn.Tag != "!Ref" || t.Resources[fn.Value].Type != "AWS::Serverless::Function" {
			return nil, fmt.Errorf("%s: FunctionName must !Ref a function of this template", r.LogicalID)
		}
		m, err := t.streamMapping(fn.Value, r.LogicalID, r.Properties, "EventSourceArn")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.LogicalID, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// streamMapping reads a mapping's properties; streamKey names the property holding the
// stream's ARN (SAM's Stream, or CloudFormation's EventSourceArn).
func (t *Template) streamMapping(fn, name string, p *yaml.Node, streamKey string) (StreamMapping, error) {
	m := StreamMapping{Function: fn, Event: name, BatchSize: 100, MaximumRetryAttempts: -1, Enabled: true}
	table, attr, err := getAttTarget(Get(p, streamKey))
	if err != nil || attr != "StreamArn" {
		return m, fmt.Errorf("property %s: want !GetAtt <Table>.StreamArn", streamKey)
	}
	tab, ok := t.Resources[table]
	if !ok || tab.Type != "AWS::DynamoDB::Table" {
		return m, fmt.Errorf("property %s: %s is not a table of this template", streamKey, table)
	}
	if scalar(Get(tab.Properties, "StreamSpecification", "StreamViewType")) == "" {
		return m, fmt.Errorf("property %s: table %s has no StreamSpecification", streamKey, table)
	}
	m.Table = table
	m.StartingPosition = t.scalarValue(Get(p, "StartingPosition"))
	switch m.StartingPosition {
	case "TRIM_HORIZON", "LATEST":
	default:
		return m, fmt.Errorf("StartingPosition: want TRIM_HORIZON or LATEST, got %q", m.StartingPosition)
	}
	ints := []struct {
		key      string
		dst      *int
		min, max int
	}{
		{"BatchSize", &m.BatchSize, 1, 10000},
		{"MaximumRetryAttempts", &m.MaximumRetryAttempts, -1, 10000},
	}
	for _, f := range ints {
		if n := Get(p, f.key); n != nil {
			v, err := t.intValue(n)
			if err != nil || v < f.min || v > f.max {
				return m, fmt.Errorf("%s: want an integer in [%d, %d], got %q", f.key, f.min, f.max, n.Value)
			}
			*f.dst = v
		}
	}
	if n := Get(p, "MaximumBatchingWindowInSeconds"); n != nil {
		v, err := t.intValue(n)
		if err != nil || v < 0 || v > 300 {
			return m, fmt.Errorf("MaximumBatchingWindowInSeconds: want 0..300, got %q", n.Value)
		}
		m.MaximumBatchingWindow = time.Duration(v) * time.Second
	}
	if n := Get(p, "MaximumRecordAgeInSeconds"); n != nil {
		v, err := t.intValue(n)
		if err != nil || (v != -1 && (v < 60 || v > 604800)) {
			return m, fmt.Errorf("MaximumRecordAgeInSeconds: want -1 or 60..604800, got %q", n.Value)
		}
		if v > 0 {
			m.MaximumRecordAge = time.Duration(v) * time.Second
		}
	}
	if m.BisectOnError, err = t.boolValue(Get(p, "BisectBatchOnFunctionError"), false); err != nil {
		return m, fmt.Errorf("BisectBatchOnFunctionError: %w", err)
	}
	if m.Enabled, err = t.boolValue(Get(p, "Enabled"), true); err != nil {
		return m, fmt.Errorf("property Enabled: %w", err)
	}
	for _, rt := range seq(Get(p, "FunctionResponseTypes")) {
		if rt.Value != "ReportBatchItemFailures" {
			return m, fmt.Errorf("FunctionResponseTypes: unknown %q", rt.Value)
		}
		m.ReportBatchItemFailures = true
	}
	if d := Get(p, "DestinationConfig", "OnFailure", "Destination"); d != nil {
		id, _, err := getAttTarget(d)
		if err != nil {
			if d.Tag == "!Ref" {
				id = d.Value
			} else {
				return m, fmt.Errorf("DestinationConfig.OnFailure.Destination: want !GetAtt <Queue>.Arn")
			}
		}
		if _, ok := t.Resources[id]; !ok {
			return m, fmt.Errorf("DestinationConfig.OnFailure.Destination: no resource %s", id)
		}
		m.OnFailure = id
	}
	for _, f := range seq(Get(p, "FilterCriteria", "Filters")) {
		pat := t.scalarValue(Get(f, "Pattern"))
		if pat == "" {
			return m, fmt.Errorf("FilterCriteria: a filter has no Pattern")
		}
		m.Filters = append(m.Filters, pat)
	}
	return m, nil
}

// getAttTarget returns the resource and attribute of a !GetAtt (short or long form).
func getAttTarget(n *yaml.Node) (id, attr string, err error) {
	if n == nil {
		return "", "", fmt.Errorf("missing")
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Fn::GetAtt" {
		n = n.Content[1]
	} else if n.Tag != "!GetAtt" {
		return "", "", fmt.Errorf("line %d: not a !GetAtt", n.Line)
	}
	switch n.Kind {
	case yaml.ScalarNode:
		var ok bool
		if id, attr, ok = strings.Cut(n.Value, "."); ok {
			return id, attr, nil
		}
	case yaml.SequenceNode:
		if len(n.Content) == 2 {
			return n.Content[0].Value, n.Content[1].Value, nil
		}
	}
	return "", "", fmt.Errorf("line %d: malformed !GetAtt", n.Line)
}

// UnsupportedEvents lists "Function.Event (Type)" for events the local runner does not drive,
// so that it can say so instead of silently ignoring them.
func (t *Template) UnsupportedEvents() ([]string, error) {
	fns, err := t.Functions()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range fns {
		for _, e := range f.Events {
			switch e.Type {
			case EventHTTPAPI, EventSchedule, EventScheduleV2, EventDynamoDB:
			default:
				out = append(out, fmt.Sprintf("%s.%s (%s)", f.LogicalID, e.Name, e.Type))
			}
		}
	}
	sort.Strings(out)
	return out, nil
}
