// Package localrun runs the whole stack of template.yaml on one machine, with no AWS account and
// no Docker: DynamoDB Local with the template's tables, every function's bootstrap driven
// through a local Lambda Runtime API, the HttpApi routes behind a local API Gateway, schedules,
// DynamoDB stream mappings with Lambda's filtering and retry semantics, and stand-ins for the
// Slack, GitHub and Conduit APIs that record every call. `rituals run` (make run) and the
// end-to-end tests both start it with Start.
package localrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"

	"github.com/rituals-dev/rituals/infra/faults"
	"github.com/rituals-dev/rituals/infra/samtemplate"
	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/store/dynamolocal"
)

// Region is the AWS region the local stack claims to be in.
const Region = "us-east-1"

// Options configures Start. The zero value runs template.yaml from the working directory on
// 127.0.0.1:3000 the way `make run` does, minus the real-clock schedules.
type Options struct {
	// Template is the path of template.yaml; "template.yaml" when empty.
	Template string
	// BuildDir holds <LogicalId>/bootstrap for every function; relative paths are taken from
	// the template's directory (the repository root). "build" when empty.
	BuildDir string
	// Addr is the listen address; "127.0.0.1:3000" when empty. Use "127.0.0.1:0" for a free port.
	Addr string
	// DynamoDBEndpoint is used when set; else $DYNAMODB_ENDPOINT; else DynamoDB Local is started
	// (and stopped by Close).
	DynamoDBEndpoint string
	// TablePrefix names every table <prefix><LogicalId>; "rituals-local-" when empty. Tests
	// give each stack its own prefix.
	TablePrefix string
	// Schedules fires the template's schedules on the real clock. Schedules can always be fired
	// by hand with FireSchedule or POST /_local/schedules/<LogicalId>.
	Schedules bool
	// MaxInstances caps concurrently running instances per function; 8 when 0.
	MaxInstances int
	// Secrets are the local plaintext secrets by name; Secrets(os.Getenv) when nil. A secret
	// the template asks for (X_PARAM) that is not in the map is read from the runner's
	// environment variable X.
	Secrets map[string]string
	// Env is added to every function's environment, last (it wins).
	Env map[string]string
	// Functions limits the stack to these logical ids (routes, schedules and mappings of the
	// others are left out); every function when empty.
	Functions []string
	// DeadLetterFile receives each dead letter as a JSON line; <BuildDir>/local/deadletter.jsonl
	// when empty, none when "-".
	DeadLetterFile string
	// Now is the clock for the timestamps the stack hands out (API Gateway request times,
	// stand-in objects, dead letters) and for real-clock schedules; time.Now when nil.
	Now func() time.Time
	// Log receives diagnostics and every function's output, prefixed; os.Stderr when nil.
	Log io.Writer
	// AfterTables runs once the tables exist and before any function starts, e.g. to load
	// the team configuration into the state table. tables maps logical id → table name.
	AfterTables func(ctx context.Context, db *dynamodb.Client, tables map[string]string) error
	// StreamPollInterval is how often an idle stream mapping polls; 100ms when 0.
	StreamPollInterval time.Duration
	// StreamRetryBackoff is the first delay before retrying a failed batch, doubling per retry
	// up to 5s; 100ms when 0.
	StreamRetryBackoff time.Duration
	// StartTimeout bounds how long Start waits for every function's first instance; 30s when 0.
	StartTimeout time.Duration
	// Faults is armed at start (see infra/faults); POST /_local/faults changes it later.
	Faults faults.Spec
	// DirectDynamoDB gives functions DynamoDB's own endpoint instead of the fault proxy in
	// front of it: no DynamoDB faults can then be injected, and no proxy hop is added (the
	// benchmarks measure the path AWS has).
	DirectDynamoDB bool
	// Timeouts overrides the template's Timeout of the named functions. A shorter timeout
	// shortens what a killed instance leaves behind (an effect's lease lasts until the
	// invocation's deadline), so that tests of crashes need not wait minutes.
	Timeouts map[string]time.Duration
	// AsyncRetryDelay is the wait before retrying a failed scheduled (asynchronous) invocation,
	// doubling per retry; Lambda waits about a minute, 1s when 0.
	AsyncRetryDelay time.Duration
	// DropTables makes Close delete the stack's tables. DynamoDB Local slows down with every
	// stream-enabled table it keeps, so a run that starts many stacks (make bench) drops each.
	DropTables bool
}

// Stack is a running local stack. Its methods are safe for concurrent use.
type Stack struct {
	// URL is the base URL of the local API Gateway, stand-ins and admin routes.
	URL string
	// DynamoDBEndpoint is DynamoDB Local's URL.
	DynamoDBEndpoint string
	// Tables maps each table's logical id to its local name.
	Tables map[string]string
	// DB is a client for DynamoDB Local.
	DB *dynamodb.Client
	// Standins are the Slack, GitHub and Conduit stand-ins.
	Standins *standins.Server
	// FunctionsDynamoDBEndpoint is what the functions are given as DYNAMODB_ENDPOINT: the
	// fault proxy in front of DynamoDBEndpoint (unless Options.DirectDynamoDB).
	FunctionsDynamoDBEndpoint string

	opts      Options
	tmpl      *samtemplate.Template
	routes    []samtemplate.HTTPRoute
	fns       map[string]*function
	fnOrder   []string
	schedules []*schedule
	mappings  []*streamMapping
	dlq       *deadLetters
	srv       *http.Server
	gw        atomic.Pointer[gateway]
	dynamo    *dynamolocal.Server
	faults    *faults.Injector
	proxy     *faults.Proxy
	cancel    context.CancelFunc
	bg        sync.WaitGroup
	closeOnce sync.Once
}

// MissingBinaryError says which bootstraps are not built.
type MissingBinaryError struct {
	Paths []string
}

func (e *MissingBinaryError) Error() string {
	return fmt.Sprintf("missing function binaries (run `make build` first): %s", strings.Join(e.Paths, ", "))
}

func (o *Options) defaults() {
	if o.Template == "" {
		o.Template = "template.yaml"
	}
	if o.BuildDir == "" {
		o.BuildDir = "build"
	}
	if !filepath.IsAbs(o.BuildDir) {
		o.BuildDir = filepath.Join(filepath.Dir(o.Template), o.BuildDir)
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:3000"
	}
	if o.TablePrefix == "" {
		o.TablePrefix = "rituals-local-"
	}
	if o.MaxInstances <= 0 {
		o.MaxInstances = 8
	}
	if o.Secrets == nil {
		o.Secrets = Secrets(os.Getenv)
	}
	if o.DeadLetterFile == "" {
		o.DeadLetterFile = filepath.Join(o.BuildDir, "local", "deadletter.jsonl")
	}
	if o.DeadLetterFile == "-" {
		o.DeadLetterFile = ""
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = os.Stderr
	}
	if o.StreamPollInterval <= 0 {
		o.StreamPollInterval = 100 * time.Millisecond
	}
	if o.StreamRetryBackoff <= 0 {
		o.StreamRetryBackoff = 100 * time.Millisecond
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 30 * time.Second
	}
	if o.AsyncRetryDelay <= 0 {
		o.AsyncRetryDelay = time.Second
	}
}

// Start brings the stack up and returns when every function is ready to serve: DynamoDB (and
// its tables), the stand-ins, one instance of each function, routes, schedules and stream
// mappings. On error everything started so far is stopped. ctx bounds the start only; the
// stack runs until Close.
func Start(ctx context.Context, opts Options) (_ *Stack, err error) {
	opts.defaults()
	log := &lockedWriter{w: opts.Log}
	opts.Log = log
	tmpl, err := samtemplate.Load(opts.Template)
	if err != nil {
		return nil, err
	}
	s := &Stack{opts: opts, tmpl: tmpl, fns: map[string]*function{}, dlq: &deadLetters{file: opts.DeadLetterFile}, faults: &faults.Injector{}}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if armed, err := s.faults.Set(opts.Faults); err != nil {
		return nil, err
	} else if len(armed.APIs)+len(armed.DynamoDB)+len(armed.Kills) > 0 {
		fmt.Fprintf(log, "rituals: faults armed, %s\n", armed)
	}
	fns, err := s.selectedFunctions()
	if err != nil {
		return nil, err
	}
	bins, err := s.binaries(fns)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", opts.Addr, err)
	}
	s.URL = "http://" + ln.Addr().String()
	s.Standins = standins.New(standins.Options{
		SlackBotToken: opts.Secrets["SLACK_BOT_TOKEN"], GitHubToken: opts.Secrets["GITHUB_TOKEN"], ConduitToken: opts.Secrets["CONDUIT_API_TOKEN"],
		OIDCClientID: opts.Secrets["SLACK_CLIENT_ID"], OIDCClientSecret: opts.Secrets["SLACK_CLIENT_SECRET"],
		Now: opts.Now, Faults: s.faults,
		WebhookURL: s.outputURL("GitHubWebhookUrl"), WebhookSecret: opts.Secrets["GITHUB_WEBHOOK_SECRET"],
	})
	s.srv = &http.Server{ReadHeaderTimeout: 10 * time.Second}
	s.srv.Handler = s.handler()
	go func() { _ = s.srv.Serve(ln) }()

	if err := s.startDynamo(ctx); err != nil {
		return nil, err
	}
	if s.Tables, err = tmpl.CreateTables(ctx, s.DB, func(id string) string { return opts.TablePrefix + id }); err != nil {
		return nil, err
	}
	streamARNs, err := s.streamARNs(ctx)
	if err != nil {
		return nil, err
	}
	if opts.AfterTables != nil {
		if err := opts.AfterTables(ctx, s.DB, s.Tables); err != nil {
			return nil, err
		}
	}
	resolver := samtemplate.Resolver{
		Template: tmpl, Region: Region, StackName: "rituals-local",
		Name: func(id string) string { return opts.TablePrefix + id },
		Attr: func(id, attr string) (string, bool) {
			switch attr {
			case "StreamArn":
				v, ok := streamARNs[id]
				return v, ok
			case "ApiEndpoint": // the HTTP API is this stack's gateway
				return s.URL, true
			}
			return "", false
		},
	}
	// A template without an HttpApi resource has no URL to rewrite.
	apiURL, _ := resolver.Sub(samtemplate.HTTPAPIURL)
	ec := envContext{resolver: resolver, secrets: opts.Secrets, getenv: os.Getenv, dynamo: s.FunctionsDynamoDBEndpoint, baseURL: s.URL, extra: opts.Env, region: Region, apiURL: apiURL}
	if err := s.publishStack(resolver, ec); err != nil {
		return nil, err
	}
	for _, f := range fns {
		env, err := functionEnv(f, bins[f.LogicalID].path, ec)
		if err != nil {
			return nil, err
		}
		if d, ok := opts.Timeouts[f.LogicalID]; ok && d > 0 {
			f.Timeout = d
		}
		arn, _ := resolver.GetAtt(f.LogicalID, "Arn")
		fn := newFunction(f.LogicalID, bins[f.LogicalID].path, bins[f.LogicalID].size, env, f.Timeout, f.MemorySize, arn, opts.MaxInstances, log, log)
		fn.faults = s.faults
		s.fns[f.LogicalID] = fn
		s.fnOrder = append(s.fnOrder, f.LogicalID)
	}
	for _, name := range s.fnOrder {
		s.fns[name].start()
	}
	if err := s.waitFunctions(ctx); err != nil {
		return nil, err
	}
	if err := s.bind(streamARNs, resolver); err != nil {
		return nil, err
	}
	bg, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	for _, m := range s.mappings {
		if !m.Enabled {
			continue
		}
		s.bg.Add(1)
		go func() { defer s.bg.Done(); m.run(bg) }()
	}
	if opts.Schedules {
		for _, sc := range s.schedules {
			if !sc.Enabled {
				continue
			}
			s.bg.Add(1)
			go func() { defer s.bg.Done(); sc.runClock(bg, opts.Now, Region, log) }()
		}
	}
	s.gw.Store(newGateway(s.routes, s.fns, opts.Now, log))
	if unsupported, _ := tmpl.UnsupportedEvents(); len(unsupported) > 0 {
		fmt.Fprintf(log, "rituals: not driven locally: %s\n", strings.Join(unsupported, ", "))
	}
	return s, nil
}

// outputURL resolves a template output built on the HTTP API's URL (such as GitHubWebhookUrl) to
// the local stack's URL; "" when the template has no such output.
func (s *Stack) outputURL(name string) string {
	out, ok := s.tmpl.Outputs[name]
	if !ok {
		return ""
	}
	r := samtemplate.Resolver{Template: s.tmpl, Region: Region, StackName: "rituals-local"}
	v, err := r.String(samtemplate.Get(out, "Value"))
	api, apiErr := r.Sub(samtemplate.HTTPAPIURL)
	if err != nil || apiErr != nil || !strings.HasPrefix(v, api) {
		return ""
	}
	return s.URL + strings.TrimPrefix(v, api)
}

func (s *Stack) selectedFunctions() ([]samtemplate.Function, error) {
	all, err := s.tmpl.Functions()
	if err != nil {
		return nil, err
	}
	if len(s.opts.Functions) == 0 {
		return all, nil
	}
	want := map[string]bool{}
	for _, f := range s.opts.Functions {
		want[f] = true
	}
	var out []samtemplate.Function
	for _, f := range all {
		if want[f.LogicalID] {
			out = append(out, f)
			delete(want, f.LogicalID)
		}
	}
	if len(want) > 0 {
		var names []string
		for n := range want {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("no such functions in %s: %s", s.tmpl.Path, strings.Join(names, ", "))
	}
	return out, nil
}

type binary struct {
	path string
	size int64
}

// binaries finds build/<LogicalId>/bootstrap for every function and reports all missing ones.
func (s *Stack) binaries(fns []samtemplate.Function) (map[string]binary, error) {
	out := map[string]binary{}
	var missing []string
	for _, f := range fns {
		p, err := filepath.Abs(filepath.Join(s.opts.BuildDir, f.LogicalID, "bootstrap"))
		if err != nil {
			return nil, err
		}
		st, err := os.Stat(p)
		if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			missing = append(missing, p)
			continue
		}
		out[f.LogicalID] = binary{path: p, size: st.Size()}
	}
	if len(missing) > 0 {
		return nil, &MissingBinaryError{Paths: missing}
	}
	return out, nil
}

func (s *Stack) startDynamo(ctx context.Context) error {
	s.DynamoDBEndpoint = s.opts.DynamoDBEndpoint
	if s.DynamoDBEndpoint == "" {
		s.DynamoDBEndpoint = os.Getenv("DYNAMODB_ENDPOINT")
	}
	if s.DynamoDBEndpoint == "" {
		fmt.Fprintln(s.opts.Log, "rituals: starting DynamoDB Local")
		srv, err := dynamolocal.Start(ctx)
		if err != nil {
			return err
		}
		s.dynamo = srv
		s.DynamoDBEndpoint = srv.Endpoint
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx,
		awsconfig.WithRegion(Region),
		awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	if err != nil {
		return fmt.Errorf("AWS config for DynamoDB Local: %w", err)
	}
	s.DB = dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(s.DynamoDBEndpoint)
		// DynamoDB Local sends CRC32 headers that do not always match; on loopback they add
		// nothing but SDK warnings in the runner's output.
		o.DisableValidateResponseChecksum = true
	})
	// The runner's own client (tables, streams, config) goes straight to DynamoDB; the
	// functions go through the fault proxy.
	s.FunctionsDynamoDBEndpoint = s.DynamoDBEndpoint
	if !s.opts.DirectDynamoDB {
		p, err := faults.StartProxy("127.0.0.1:0", s.DynamoDBEndpoint, s.faults)
		if err != nil {
			return err
		}
		s.proxy = p
		s.FunctionsDynamoDBEndpoint = p.URL
	}
	return nil
}

func (s *Stack) streamsClient(ctx context.Context) (*dynamodbstreams.Client, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx,
		awsconfig.WithRegion(Region),
		awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	if err != nil {
		return nil, fmt.Errorf("AWS config for DynamoDB Local streams: %w", err)
	}
	return dynamodbstreams.NewFromConfig(cfg, func(o *dynamodbstreams.Options) { o.BaseEndpoint = aws.String(s.DynamoDBEndpoint) }), nil
}

// streamARNs reads each streamed table's real stream ARN from DynamoDB Local.
func (s *Stack) streamARNs(ctx context.Context) (map[string]string, error) {
	tables, err := s.tmpl.Tables()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, t := range tables {
		if !t.Stream {
			continue
		}
		d, err := s.DB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(s.Tables[t.LogicalID])})
		if err != nil {
			return nil, fmt.Errorf("describe table %s: %w", s.Tables[t.LogicalID], err)
		}
		if arn := aws.ToString(d.Table.LatestStreamArn); arn != "" {
			out[t.LogicalID] = arn
		}
	}
	return out, nil
}

func (s *Stack) waitFunctions(ctx context.Context) error {
	errs := make([]error, len(s.fnOrder))
	var wg sync.WaitGroup
	for i, name := range s.fnOrder {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.fns[name].waitReady(ctx, s.opts.StartTimeout)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// bind attaches routes, schedules and stream mappings to the running functions.
func (s *Stack) bind(streamARNs map[string]string, resolver samtemplate.Resolver) error {
	routes, err := s.tmpl.HTTPRoutes()
	if err != nil {
		return err
	}
	for _, r := range routes {
		if s.fns[r.Function] != nil {
			s.routes = append(s.routes, r)
		}
	}
	scheds, err := s.tmpl.Schedules()
	if err != nil {
		return err
	}
	anchor := s.opts.Now()
	for _, sc := range scheds {
		fn := s.fns[sc.Function]
		if fn == nil {
			continue
		}
		bound, err := newSchedule(sc, fn, anchor, Region, s.opts.AsyncRetryDelay)
		if err != nil {
			return err
		}
		s.schedules = append(s.schedules, bound)
	}
	maps, err := s.tmpl.StreamMappings()
	if err != nil {
		return err
	}
	var api StreamsAPI
	for _, m := range maps {
		fn := s.fns[m.Function]
		if fn == nil {
			continue
		}
		if api == nil {
			c, err := s.streamsClient(context.Background())
			if err != nil {
				return err
			}
			api = c
		}
		var filters []*FilterPattern
		for _, text := range m.Filters {
			p, err := ParseFilterPattern(text)
			if err != nil {
				return fmt.Errorf("function %s event %s: %w", m.Function, m.Event, err)
			}
			filters = append(filters, p)
		}
		arn := streamARNs[m.Table]
		if arn == "" {
			return fmt.Errorf("function %s event %s: table %s has no stream in DynamoDB Local", m.Function, m.Event, m.Table)
		}
		dest := ""
		if m.OnFailure != "" {
			dest, _ = resolver.GetAtt(m.OnFailure, "Arn")
		}
		s.mappings = append(s.mappings, &streamMapping{
			StreamMapping: m, fn: fn, filters: filters, streamARN: arn, destination: dest, api: api,
			dlq: s.dlq, log: s.opts.Log, now: s.opts.Now, region: Region,
			pollEvery: s.opts.StreamPollInterval, backoff: s.opts.StreamRetryBackoff,
		})
	}
	return nil
}

// Invoke invokes a function directly with payload and returns its response; a function
// failure is a *FunctionError.
func (s *Stack) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	fn := s.fns[function]
	if fn == nil {
		return nil, fmt.Errorf("no function %s in the local stack", function)
	}
	return fn.invoke(ctx, payload)
}

// Faults is the stack's fault injector: what POST /_local/faults arms.
func (s *Stack) Faults() *faults.Injector { return s.faults }

// Outbox returns the stand-ins' record of every outbound call.
func (s *Stack) Outbox() *standins.Outbox { return s.Standins.Outbox() }

// DeadLetters returns what the stream mappings gave up on, oldest first.
func (s *Stack) DeadLetters() []DeadLetter { return s.dlq.all() }

// Functions reports each function's counters, in logical id order.
func (s *Stack) Functions() []FunctionStats {
	out := make([]FunctionStats, 0, len(s.fnOrder))
	for _, name := range s.fnOrder {
		out = append(out, s.fns[name].snapshot())
	}
	return out
}

// FireSchedule invokes every schedule of function (only the one named event when event is not
// empty) as if at time at, one after the other, and returns their results. A function failure
// is reported in the result's Error; the error return is for a schedule that does not exist
// (wrapping ErrNoSchedule and naming the known ones) or a stack that is closing.
func (s *Stack) FireSchedule(ctx context.Context, function, event string, at time.Time) ([]ScheduleResult, error) {
	var out []ScheduleResult
	for _, sc := range s.schedules {
		if sc.Function != function || (event != "" && sc.Event != event) {
			continue
		}
		res, err := sc.fire(ctx, at, Region)
		if err != nil {
			return out, err
		}
		out = append(out, res)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w %s%s; known schedules: %s", ErrNoSchedule, function, eventSuffix(event), scheduleNames(s.schedules))
	}
	return out, nil
}

func eventSuffix(e string) string {
	if e == "" {
		return ""
	}
	return "." + e
}

// WaitStreams returns once every stream mapping has read its stream to the end and delivered
// (or dead-lettered) everything it read, as of some moment after the call: records written
// before WaitStreams was called have been processed. Tests use it instead of sleeping.
func (s *Stack) WaitStreams(ctx context.Context) error {
	start := make([]uint64, len(s.mappings))
	for i, m := range s.mappings {
		start[i] = m.idleCycles.Load()
	}
	for {
		done := true
		for i, m := range s.mappings {
			// Two idle rounds: the first may have begun before the call.
			if m.Enabled && !m.stopped.Load() && m.idleCycles.Load() < start[i]+2 {
				done = false
			}
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// ReadyLine is the one line `rituals run` prints on stdout once the stack is up, listing the
// routes of template.yaml grouped by source (the segment after /webhooks/, else the first).
func (s *Stack) ReadyLine() string {
	var groups []string
	paths := map[string][]string{}
	for _, r := range s.routes {
		label := routeLabel(r.Path)
		if _, ok := paths[label]; !ok {
			groups = append(groups, label)
		}
		if !slices.Contains(paths[label], r.Path) { // a path served for GET and POST is listed once
			paths[label] = append(paths[label], r.Path)
		}
	}
	var parts []string
	for _, g := range groups {
		parts = append(parts, g+": "+strings.Join(paths[g], " "))
	}
	routes := strings.Join(parts, ", ")
	if routes != "" {
		routes += "; "
	}
	return fmt.Sprintf("rituals: ready on %s (%soutbox: %s; dynamodb: %s)", s.URL, routes, standins.OutboxPath, s.DynamoDBEndpoint)
}

func routeLabel(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) > 1 && segs[0] == "webhooks" {
		return segs[1]
	}
	if segs[0] == "" {
		return "$default"
	}
	return segs[0]
}

// Close stops everything: schedules and stream mappings, the HTTP server, every function
// instance (their process groups are killed) and the DynamoDB Local it started. It is safe to
// call more than once.
func (s *Stack) Close() error {
	s.closeOnce.Do(func() {
		if s.cancel != nil {
			s.cancel()
		}
		// Functions first: requests still waiting on them then fail fast instead of holding
		// the server's shutdown.
		var wg sync.WaitGroup
		for _, fn := range s.fns {
			wg.Add(1)
			go func() { defer wg.Done(); fn.close() }()
		}
		wg.Wait()
		if s.srv != nil {
			_ = s.srv.Close()
		}
		s.bg.Wait()
		if s.proxy != nil {
			_ = s.proxy.Close()
		}
		if s.opts.DropTables && s.DB != nil {
			for _, name := range s.Tables {
				_, _ = s.DB.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
			}
		}
		if s.dynamo != nil {
			s.dynamo.Stop()
		}
	})
	return nil
}
