package samtemplate

import (
	"strings"
	"testing"
	"time"
)

func loadReal(t *testing.T) *Template {
	t.Helper()
	tmpl, err := Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// smallTemplate exercises what template.yaml does not (yet): schedules of both kinds, an
// explicit method, path parameters, the $default route, defaults and parameterised values.
const smallTemplate = `
Parameters:
  Timeout: {Type: String, Default: "7"}
  Level: {Type: String, Default: WARN}
  Rate: {Type: String, Default: rate(10 minutes)}
Globals:
  Function:
    MemorySize: 512
    Timeout: !Ref Timeout
    LoggingConfig: {LogFormat: JSON, ApplicationLogLevel: !Ref Level}
    Environment: {Variables: {SHARED: globals, OVERRIDDEN: globals}}
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      StreamSpecification: {StreamViewType: KEYS_ONLY}
  Plain:
    Type: AWS::Serverless::Function
    Properties:
      Environment: {Variables: {OVERRIDDEN: function}}
      Events:
        Get: {Type: HttpApi, Properties: {Path: "/items/{id}", Method: get}}
        Fallback: {Type: HttpApi}
        Nightly: {Type: Schedule, Properties: {Schedule: "cron(0 3 * * ? *)", Input: '{"job":"nightly"}'}}
        Paused: {Type: Schedule, Properties: {Schedule: !Ref Rate, Enabled: false}}
        Paris: {Type: ScheduleV2, Properties: {ScheduleExpression: "cron(0 9 ? * MON *)", ScheduleExpressionTimezone: Europe/Paris, State: DISABLED}}
        Queue: {Type: SQS, Properties: {Queue: arn}}
  Defaults:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 2
      Events:
        Stream:
          Type: DynamoDB
          Properties:
            Stream: {"Fn::GetAtt": [Table, StreamArn]}
            StartingPosition: LATEST
`

func TestFunctions(t *testing.T) {
	t.Parallel()
	tmpl, err := Parse("small", []byte(smallTemplate))
	if err != nil {
		t.Fatal(err)
	}
	fns, err := tmpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	if len(fns) != 2 || fns[0].LogicalID != "Defaults" || fns[1].LogicalID != "Plain" {
		t.Fatalf("functions %v, want Defaults and Plain in logical id order", fns)
	}
	d, p := fns[0], fns[1]
	if d.Timeout != 2*time.Second || p.Timeout != 7*time.Second || p.MemorySize != 512 || p.LogLevel != "WARN" || p.LogFormat != "JSON" {
		t.Errorf("settings: Defaults %v, Plain %v %d %s %s", d.Timeout, p.Timeout, p.MemorySize, p.LogLevel, p.LogFormat)
	}
	env, err := p.ResolveEnv(Resolver{Template: tmpl})
	if err != nil {
		t.Fatal(err)
	}
	if env["SHARED"] != "globals" || env["OVERRIDDEN"] != "function" {
		t.Errorf("env %v: the function's variables must overlay Globals'", env)
	}
	var names []string
	for _, e := range p.Events {
		names = append(names, e.Name)
	}
	if strings.Join(names, ",") != "Get,Fallback,Nightly,Paused,Paris,Queue" {
		t.Errorf("events %v, want document order", names)
	}
	unsupported, err := tmpl.UnsupportedEvents()
	if err != nil || len(unsupported) != 1 || unsupported[0] != "Plain.Queue (SQS)" {
		t.Errorf("unsupported %v, %v", unsupported, err)
	}
}

func TestHTTPRoutes(t *testing.T) {
	t.Parallel()
	real, err := loadReal(t).HTTPRoutes()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"POST /webhooks/github":      "GitHubWebhookFunction",
		"POST /webhooks/phabricator": "PhabricatorWebhookFunction",
		"POST /slack/commands":       "SlackCommandsFunction",
		"POST /slack/interactions":   "SlackInteractionsFunction",
		"POST /slack/events":         "SlackInteractionsFunction",
	}
	got := map[string]string{}
	for _, r := range real {
		got[r.RouteKey()] = r.Function
	}
	for k, fn := range want {
		if got[k] != fn {
			t.Errorf("route %s → %q, want %s", k, got[k], fn)
		}
	}

	tmpl, _ := Parse("small", []byte(smallTemplate))
	small, err := tmpl.HTTPRoutes()
	if err != nil {
		t.Fatal(err)
	}
	if len(small) != 2 || small[0].RouteKey() != "GET /items/{id}" || small[1].RouteKey() != "$default" {
		t.Errorf("routes %+v", small)
	}

	for name, bad := range map[string]string{
		"path without method": "Resources:\n F:\n  Type: AWS::Serverless::Function\n  Properties:\n   Events:\n    E: {Type: HttpApi, Properties: {Path: /x}}\n",
		"duplicate route":     "Resources:\n F:\n  Type: AWS::Serverless::Function\n  Properties:\n   Events:\n    A: {Type: HttpApi, Properties: {Path: /x, Method: ANY}}\n    B: {Type: HttpApi, Properties: {Path: /x, Method: ANY}}\n",
		"relative path":       "Resources:\n F:\n  Type: AWS::Serverless::Function\n  Properties:\n   Events:\n    E: {Type: HttpApi, Properties: {Path: x, Method: GET}}\n",
	} {
		tm, err := Parse(name, []byte(bad))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tm.HTTPRoutes(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestSchedules(t *testing.T) {
	t.Parallel()
	tmpl, _ := Parse("small", []byte(smallTemplate))
	got, err := tmpl.Schedules()
	if err != nil {
		t.Fatal(err)
	}
	want := []Schedule{
		{Function: "Plain", Event: "Nightly", Type: EventSchedule, Expression: "cron(0 3 * * ? *)", Input: `{"job":"nightly"}`, Enabled: true, Retries: 2, MaxEventAge: 6 * time.Hour},
		{Function: "Plain", Event: "Paused", Type: EventSchedule, Expression: "rate(10 minutes)", Enabled: false, Retries: 2, MaxEventAge: 6 * time.Hour},
		{Function: "Plain", Event: "Paris", Type: EventScheduleV2, Expression: "cron(0 9 ? * MON *)", Timezone: "Europe/Paris", Enabled: false, Retries: 2, MaxEventAge: 6 * time.Hour},
	}
	if len(got) != len(want) {
		t.Fatalf("schedules %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("schedule %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, err := loadReal(t).Schedules(); err != nil {
		t.Errorf("template.yaml: %v", err)
	}
}

// TestScheduleRetries: a failed scheduled invocation is retried as Lambda retries asynchronous
// ones: EventInvokeConfig.MaximumRetryAttempts (2 by default), within the smaller of the two
// event age limits.
func TestScheduleRetries(t *testing.T) {
	t.Parallel()
	tmpl, err := Parse("retries", []byte(`Resources:
 F:
  Type: AWS::Serverless::Function
  Properties:
   EventInvokeConfig: {MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 600}
   Events:
    Tick: {Type: Schedule, Properties: {Schedule: rate(5 minutes), RetryPolicy: {MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 240}}}
`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := tmpl.Schedules()
	if err != nil || len(got) != 1 || got[0].Retries != 1 || got[0].MaxEventAge != 240*time.Second {
		t.Fatalf("schedules %+v %v", got, err)
	}
	bad, _ := Parse("bad", []byte("Resources:\n F:\n  Type: AWS::Serverless::Function\n  Properties:\n   EventInvokeConfig: {MaximumRetryAttempts: 5}\n   Events:\n    T: {Type: Schedule, Properties: {Schedule: rate(1 hour)}}\n"))
	if _, err := bad.Schedules(); err == nil || !strings.Contains(err.Error(), "want 0, 1 or 2") {
		t.Fatalf("5 retries: %v", err)
	}
}

func TestStreamMappings(t *testing.T) {
	t.Parallel()
	maps, err := loadReal(t).StreamMappings()
	if err != nil {
		t.Fatal(err)
	}
	var ar *StreamMapping
	for i := range maps {
		if maps[i].Function == "ActivityRecorderFunction" {
			ar = &maps[i]
		}
	}
	if ar == nil {
		t.Fatal("no stream mapping for ActivityRecorderFunction")
	}
	if ar.Table != "EventsTable" || ar.StartingPosition != "TRIM_HORIZON" || ar.BatchSize != 25 || ar.MaximumBatchingWindow != time.Second ||
		!ar.BisectOnError || ar.MaximumRetryAttempts != 3 || ar.MaximumRecordAge != 24*time.Hour || !ar.ReportBatchItemFailures ||
		ar.OnFailure != "DeadLetterQueue" || len(ar.Filters) != 1 || !strings.Contains(ar.Filters[0], `"source":{"S":["github"]}`) || !ar.Enabled {
		t.Errorf("ActivityRecorderFunction mapping %+v", *ar)
	}

	tmpl, _ := Parse("small", []byte(smallTemplate))
	small, err := tmpl.StreamMappings()
	if err != nil {
		t.Fatal(err)
	}
	d := small[0]
	if len(small) != 1 || d.Table != "Table" || d.BatchSize != 100 || d.MaximumRetryAttempts != -1 || d.MaximumRecordAge != 0 || d.BisectOnError || d.ReportBatchItemFailures || d.OnFailure != "" {
		t.Errorf("Lambda's defaults not applied: %+v", small)
	}

	bad := []struct{ name, props, wantErr string }{
		{"no stream", `{StartingPosition: LATEST}`, "want !GetAtt"},
		{"literal arn", `{Stream: "arn:aws:dynamodb:x", StartingPosition: LATEST}`, "want !GetAtt"},
		{"not a table", `{Stream: !GetAtt Plain.StreamArn, StartingPosition: LATEST}`, "is not a table"},
		{"bad position", `{Stream: !GetAtt Table.StreamArn, StartingPosition: AT_TIMESTAMP}`, "StartingPosition"},
		{"batch size", `{Stream: !GetAtt Table.StreamArn, StartingPosition: LATEST, BatchSize: 0}`, "BatchSize"},
		{"unknown response type", `{Stream: !GetAtt Table.StreamArn, StartingPosition: LATEST, FunctionResponseTypes: [Other]}`, "FunctionResponseTypes"},
		{"missing destination", `{Stream: !GetAtt Table.StreamArn, StartingPosition: LATEST, DestinationConfig: {OnFailure: {Destination: !GetAtt Nope.Arn}}}`, "no resource Nope"},
		{"record age", `{Stream: !GetAtt Table.StreamArn, StartingPosition: LATEST, MaximumRecordAgeInSeconds: 10}`, "MaximumRecordAgeInSeconds"},
		{"filter without pattern", `{Stream: !GetAtt Table.StreamArn, StartingPosition: LATEST, FilterCriteria: {Filters: [{}]}}`, "no Pattern"},
	}
	for _, c := range bad {
		doc := `
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {StreamSpecification: {StreamViewType: NEW_IMAGE}}
  Plain:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        S: {Type: DynamoDB, Properties: ` + c.props + `}
`
		tm, err := Parse(c.name, []byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if _, err := tm.StreamMappings(); err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("%s: err = %v, want it to mention %q", c.name, err, c.wantErr)
		}
	}
}
