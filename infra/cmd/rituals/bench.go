package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rituals-dev/rituals/infra/localrun"
	"github.com/rituals-dev/rituals/infra/signing"
	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/store"
)

// Budgets: what `make bench` holds the figures to. Speed budgets are ratios to a yardstick
// measured the same way in the same run, so that they mean the same on a laptop and on a
// loaded two-core CI machine.
const (
	budgetBootstrapBytes = 15 << 20
	// A function's cold start is at most this multiple of a minimal aws-lambda-go bootstrap's
	// (infra/bench/hello), both timed from process start to the first request for work.
	budgetColdStartRatio = 1.5
	// A signed webhook's p99 (request → 202) is at most this multiple of the p99 of the same
	// conditional PutItem sent straight to DynamoDB (the floor: what durable-before-
	// acknowledged must wait for), at the same number of senders.
	budgetWebhookRatio = 1.3
	budgetSlackP99     = 100 * time.Millisecond
)

// helloDir holds the yardstick function and its one-function template.
const helloDir = "infra/bench/hello"

// benchConfig has a team whose support label matches the sample payloads (label "bug" in
// Codertocat/Hello-World), so the support scenario measures a real announcement.
const benchConfig = "shared/support/testdata/rituals.yaml"

func benchCommand(args []string) error {
	fl := flag.NewFlagSet("bench", flag.ContinueOnError)
	buildDir := fl.String("build-dir", "build", "directory holding <LogicalId>/bootstrap")
	n := fl.Int("n", 2000, "requests per latency scenario")
	cs := fl.String("c", "4,32", "numbers of concurrent senders, comma-separated: each latency scenario runs at each")
	starts := fl.Int("starts", 5, "cold starts measured per function (the median is reported)")
	webN := fl.Int("web-n", 200, "requests per web page")
	webC := fl.Int("web-c", 4, "concurrent browsers for the web pages")
	only := fl.String("only", "", "run only this part: functions (bootstrap sizes and cold starts), web (the web pages) or latency (webhook, floor and Slack command at each -c); every part when empty")
	if err := fl.Parse(args); err != nil {
		return err
	}
	var senders []int
	for _, f := range strings.Split(*cs, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return fmt.Errorf("bench: -c wants numbers of senders such as 4,32, got %q", *cs)
		}
		senders = append(senders, v)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := os.ReadFile(benchConfig)
	if err != nil {
		return err
	}
	b := bench{buildDir: *buildDir, config: cfg, out: os.Stdout, webN: *webN, webC: *webC}
	switch *only {
	case "":
		return b.run(ctx, *n, senders, *starts)
	case "functions":
		b.instances = 8
		return b.report(b.functions(ctx, *starts))
	case "web":
		b.instances = senders[len(senders)-1]
		return b.report(b.webPages(ctx, b.webN, b.webC))
	case "latency":
		for _, c := range senders {
			b.instances = c
			if err := b.requests(ctx, *n, c); err != nil {
				return err
			}
		}
		return b.report(nil)
	}
	return fmt.Errorf("bench: -only %q: the parts that run alone are functions, web and latency", *only)
}

type bench struct {
	// instances caps each function's instances: as many as there are senders, as Lambda would
	// scale out to.
	instances int
	buildDir  string
	// template is the SAM template to start; template.yaml when empty.
	template string
	config   []byte
	out      io.Writer
	failed   []string
	// webN requests per web page from webC concurrent browsers.
	webN, webC int
}

func (b *bench) start(ctx context.Context, functions ...string) (*localrun.Stack, error) {
	return b.startWith(ctx, b.config, functions...)
}

// startWith starts a stack of the functions with cfg as the team config.
func (b *bench) startWith(ctx context.Context, cfg []byte, functions ...string) (*localrun.Stack, error) {
	prefix := make([]byte, 4)
	_, _ = rand.Read(prefix)
	return localrun.Start(ctx, localrun.Options{
		Template: b.template,
		BuildDir: b.buildDir,
		Addr:     "127.0.0.1:0",
		// No fault proxy between the functions and DynamoDB: the path measured is AWS's.
		DirectDynamoDB: true,
		// Each scenario's tables go with its stack: DynamoDB Local slows down with every
		// stream-enabled table it keeps, which would make later scenarios measure that.
		DropTables:     true,
		TablePrefix:    "bench" + hex.EncodeToString(prefix) + "-",
		Functions:      functions,
		MaxInstances:   b.instances,
		DeadLetterFile: "-",
		Log:            io.Discard,
		AfterTables: func(ctx context.Context, db *dynamodb.Client, tables map[string]string) error {
			if cfg == nil {
				return nil // the yardstick has no tables
			}
			_, err := config.Push(ctx, db, tables["StateTable"], cfg, "bench", time.Now())
			return err
		},
	})
}

func (b *bench) check(ok bool, what string) string {
	if ok {
		return "ok"
	}
	b.failed = append(b.failed, what)
	return "OVER BUDGET"
}

func (b *bench) run(ctx context.Context, n int, senders []int, starts int) error {
	b.instances = 8
	if err := b.functions(ctx, starts); err != nil {
		return err
	}
	if err := b.labelToPost(ctx, 50); err != nil {
		return err
	}
	if err := b.labelRuleToAction(ctx, 50); err != nil {
		return err
	}
	if err := b.ubnToPost(ctx, 50); err != nil {
		return err
	}
	for _, c := range senders {
		b.instances = c
		if err := b.requests(ctx, n, c); err != nil {
			return err
		}
	}
	return b.report(b.webPages(ctx, b.webN, b.webC))
}

// report ends a run: err, or the scenarios over budget.
func (b *bench) report(err error) error {
	if err != nil {
		return err
	}
	if len(b.failed) > 0 {
		fmt.Fprintf(b.out, "\nOver budget: %v\n", b.failed)
	}
	return nil
}

// functions reports every function's bootstrap size and median cold start, beside the median
// cold start of the minimal aws-lambda-go bootstrap measured the same way, alternately with it
// (yardstick, function, yardstick, function...), so that both see the same load on the machine.
func (b *bench) functions(ctx context.Context, starts int) error {
	full, err := b.start(ctx)
	if err != nil {
		return err
	}
	stats := full.Functions()
	full.Close()

	yard, helloSize, cleanup, err := b.yardstick(ctx)
	if err != nil {
		return fmt.Errorf("the minimal bootstrap: %w", err)
	}
	defer cleanup()
	fmt.Fprintf(b.out, "## Functions (bootstrap size; cold start = process start to first /next, median of %d)\n\n", starts)
	fmt.Fprintf(b.out, "Yardstick: a minimal aws-lambda-go bootstrap (%s, %.1f MB), started alternately with each function.\n\n", helloDir, float64(helloSize)/(1<<20))
	fmt.Fprintln(b.out, "| function | bootstrap | cold start | yardstick | ratio | budget |")
	fmt.Fprintln(b.out, "|---|---|---|---|---|---|")
	for _, f := range stats {
		var mine, theirs []time.Duration
		for i := 0; i < starts; i++ {
			h, err := yard.coldStart(ctx, "HelloFunction")
			if err != nil {
				return fmt.Errorf("cold start of the minimal bootstrap: %w", err)
			}
			d, err := b.coldStart(ctx, f.Function)
			if err != nil {
				return fmt.Errorf("cold start of %s: %w", f.Function, err)
			}
			theirs, mine = append(theirs, h), append(mine, d)
		}
		cold, hello := percentile(mine, 50), percentile(theirs, 50)
		ratio := float64(cold) / float64(hello)
		ok := f.BootstrapBytes <= budgetBootstrapBytes && ratio <= budgetColdStartRatio
		fmt.Fprintf(b.out, "| %s | %.1f MB | %s | %s | %.2f× | ≤ 15 MB, ≤ %.1f×: %s |\n", f.Function, float64(f.BootstrapBytes)/(1<<20), ms(cold), ms(hello), ratio,
			budgetColdStartRatio, b.check(ok, f.Function+" size/cold start"))
	}
	return nil
}

// yardstick builds infra/bench/hello with the Makefile's flags into a one-function build
// directory and returns a bench that starts it from its own template.
func (b *bench) yardstick(ctx context.Context) (*bench, int64, func(), error) {
	dir, err := os.MkdirTemp("", "rituals-bench-hello-")
	if err != nil {
		return nil, 0, nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	bin := filepath.Join(dir, "HelloFunction", "bootstrap")
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-buildvcs=false", "-o", bin, "./"+helloDir)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		cleanup()
		return nil, 0, nil, fmt.Errorf("build %s: %v\n%s", helloDir, err, out)
	}
	st, err := os.Stat(bin)
	if err != nil {
		cleanup()
		return nil, 0, nil, err
	}
	yard := *b
	yard.template, yard.buildDir, yard.config = filepath.Join(helloDir, "template.yaml"), dir, nil
	return &yard, st.Size(), cleanup, nil
}

// requests reports the latency scenarios. The request paths are measured on a stack of just
// the HTTP functions, with no other stack running: in AWS the stream processors run on other
// machines, here their pollers would share the same two cores.
func (b *bench) requests(ctx context.Context, n, c int) error {
	st, err := b.start(ctx, "GitHubWebhookFunction", "SlackCommandsFunction")
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(b.out, "\n## Latency at %d concurrent senders (%d requests each scenario, after warm-up; the floor and the webhook in alternating slices)\n\n", c, n)
	fmt.Fprintln(b.out, "| scenario | warm-up | p50 | p99 | budget |")
	fmt.Fprintln(b.out, "|---|---|---|---|---|")
	push, err := os.ReadFile("events/github/push.json")
	if err != nil {
		return err
	}
	ghSecret := []byte(localrun.DefaultSecrets["GITHUB_WEBHOOK_SECRET"])
	webhook := func(id string) (*http.Request, error) {
		req, _ := http.NewRequest(http.MethodPost, st.URL+"/webhooks/github", bytes.NewReader(push))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-GitHub-Event", "push")
		req.Header.Set("X-GitHub-Delivery", "bench-"+strconv.Itoa(c)+"-"+id)
		req.Header.Set("X-Hub-Signature-256", signing.GitHub(ghSecret, push))
		return req, nil
	}
	// Both warmed up, then measured in alternating slices (floor, webhook, floor, ...): the two
	// see the same DynamoDB Local (its JIT keeps speeding up for some 20,000 writes) and the same
	// load from whatever else runs on the machine, so their ratio holds when absolute times do not.
	floorSend, floorWarm, err := b.floorSender(ctx, st, n, c, push)
	if err != nil {
		return err
	}
	webhookSend, webhookWarm, err := b.httpSender(ctx, n, c, webhook, http.StatusAccepted)
	if err != nil {
		return err
	}
	paired, err := interleave(n, c, floorSend, webhookSend)
	if err != nil {
		return err
	}
	floor, m := paired[0], paired[1]
	floor.warm, m.warm = floorWarm, webhookWarm
	ratio := float64(m.p99) / float64(floor.p99)
	fmt.Fprintf(b.out, "| the floor: the same conditional PutItem straight to DynamoDB Local | %s | (the yardstick) |\n", floor)
	fmt.Fprintf(b.out, "| signed GitHub webhook → 202 | %s | p99 %.2f× the floor's, budget ≤ %.1f×: %s |\n", m, ratio, budgetWebhookRatio,
		b.check(ratio <= budgetWebhookRatio, fmt.Sprintf("webhook p99 at %d senders", c)))
	webhookCPU := scenarioCPU{"webhook → 202", m}
	floorCPU := scenarioCPU{"the floor", floor}

	slackSecret := localrun.DefaultSecrets["SLACK_SIGNING_SECRET"]
	command := func(string) (*http.Request, error) {
		body := []byte(url.Values{"command": {"/rituals"}, "text": {"help"}, "user_id": {"U0BENCH01"}, "channel_id": {"C0BENCH01"}}.Encode())
		ts, sig := signing.Slack(slackSecret, body, time.Now())
		req, _ := http.NewRequest(http.MethodPost, st.URL+"/slack/commands", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", sig)
		return req, nil
	}
	if m, err = b.latency(ctx, n, c, command, http.StatusOK); err != nil {
		return err
	}
	fmt.Fprintf(b.out, "| Slack command → answer | %s | p99 ≤ %v: %s |\n", m, budgetSlackP99, b.check(m.p99 <= budgetSlackP99, "Slack p99"))
	b.cpuReport(n, c, webhookCPU, floorCPU, scenarioCPU{"Slack command", m})

	return nil
}

// cpuReport prints where the CPU of each scenario's n requests went, and what that allows:
// when every request needs cpu of the machine's cores, the machine completes at most cores/cpu
// requests a second, and by Little's law c closed-loop senders then wait c*cpu/cores on
// average — no p99 can be below that mean.
func (b *bench) cpuReport(n, c int, scenarios ...scenarioCPU) {
	if n == 0 || len(scenarios) == 0 || len(scenarios[0].cpu) == 0 {
		return // no /proc
	}
	cores := runtime.NumCPU()
	fmt.Fprintf(b.out, "\n## CPU per request, all processes on this machine (%d cores)\n\n| who |", cores)
	for _, s := range scenarios {
		fmt.Fprintf(b.out, " %s |", s.name)
	}
	fmt.Fprint(b.out, "\n|---|")
	for range scenarios {
		fmt.Fprint(b.out, "---|")
	}
	totals := make([]time.Duration, len(scenarios))
	for _, who := range []string{whoLambdas, whoDynamo, whoRunner, whoOther} {
		fmt.Fprintf(b.out, "\n| %s |", who)
		for i, s := range scenarios {
			per := s.cpu[who] / time.Duration(n)
			totals[i] += per
			fmt.Fprintf(b.out, " %s |", ms(per))
		}
	}
	fmt.Fprint(b.out, "\n| **total** |")
	for i := range scenarios {
		fmt.Fprintf(b.out, " **%s** |", ms(totals[i]))
	}
	fmt.Fprint(b.out, "\n| measured rate |")
	for _, s := range scenarios {
		fmt.Fprintf(b.out, " %.0f/s |", float64(n)/s.wall.Seconds())
	}
	fmt.Fprint(b.out, "\n| most the cores allow (cores ÷ total) |")
	for i := range scenarios {
		if totals[i] == 0 {
			fmt.Fprint(b.out, " (no CPU recorded) |") // too short a scenario for /proc's 10 ms ticks
			continue
		}
		fmt.Fprintf(b.out, " %.0f/s |", float64(cores)/totals[i].Seconds())
	}
	fmt.Fprintf(b.out, "\n| least mean latency for %d senders (Little's law) |", c)
	for i := range scenarios {
		fmt.Fprintf(b.out, " %s |", ms(totals[i]*time.Duration(c)/time.Duration(cores)))
	}
	fmt.Fprintln(b.out)
}

// scenarioCPU names a scenario's measurement for cpuReport.
type scenarioCPU struct {
	name string
	measured
}

// floorSender warms up and returns what every webhook must wait for before it may answer: the
// conditional put of the delivery into the events table, sent straight to DynamoDB Local (call
// i of the returned function puts a new key), and how many calls the warm-up made.
func (b *bench) floorSender(ctx context.Context, st *localrun.Stack, n, c int, payload []byte) (func(string) (time.Duration, error), int, error) {
	events := store.Events{API: st.DB, Table: st.Tables["EventsTable"]}
	put := func(id string) (time.Duration, error) {
		start := time.Now()
		err := events.PutEvent(ctx, store.Event{Key: "floor#" + strconv.Itoa(c) + "#" + id, Source: "bench", Type: "push", ReceivedAt: start, Payload: payload})
		return time.Since(start), err
	}
	warmed, err := warmUp(n, c, func(round int) func(int) (time.Duration, error) {
		return func(i int) (time.Duration, error) { return put("warm-" + strconv.Itoa(round) + "-" + strconv.Itoa(i)) }
	})
	return put, warmed, err
}

// interleaveSlices is how many alternating slices interleave divides each scenario's n into.
const interleaveSlices = 10

// interleave measures n calls of each sender from c workers, the senders taking turns in
// slices of n/interleaveSlices, and returns one measurement per sender (CPU and wall time
// summed over its slices).
func interleave(n, c int, senders ...func(id string) (time.Duration, error)) ([]measured, error) {
	all := make([][]time.Duration, len(senders))
	out := make([]measured, len(senders))
	per := max(n/interleaveSlices, 1)
	for slice := 0; slice*per < n; slice++ {
		for k, send := range senders {
			before, start := processCPU(), time.Now()
			ds, err := fanOut(min(per, n-slice*per), c, func(i int) (time.Duration, error) {
				return send("run-" + strconv.Itoa(slice) + "-" + strconv.Itoa(i))
			})
			if err != nil {
				return nil, err
			}
			all[k] = append(all[k], ds...)
			out[k].wall += time.Since(start)
			used := processCPU().since(before)
			if out[k].cpu == nil {
				out[k].cpu = cpuShares{}
			}
			for who, d := range used {
				out[k].cpu[who] += d
			}
		}
	}
	for k := range out {
		m := measure(all[k], 0)
		m.wall, m.cpu = out[k].wall, out[k].cpu
		out[k] = m
	}
	return out, nil
}

// coldStart starts the function alone and returns its time from process start to its first
// request for work.
func (b *bench) coldStart(ctx context.Context, function string) (time.Duration, error) {
	st, err := b.start(ctx, function)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	for _, f := range st.Functions() {
		if f.Function == function {
			return time.Duration(f.ColdStartMS * float64(time.Millisecond)), nil
		}
	}
	return 0, fmt.Errorf("no function %s in the stack", function)
}

// latency sends n requests from c senders, after a warm-up that lets the stack scale out (as
// Lambda would) and DynamoDB Local's JIT compile its hot paths, and returns the p50 and p99 of
// request → answer.
func (b *bench) latency(ctx context.Context, n, c int, build func(id string) (*http.Request, error), want int) (measured, error) {
	send, warmed, err := b.httpSender(ctx, n, c, build, want)
	if err != nil {
		return measured{}, err
	}
	before, start := processCPU(), time.Now()
	all, err := fanOut(n, c, func(i int) (time.Duration, error) { return send("run-" + strconv.Itoa(i)) })
	if err != nil {
		return measured{}, err
	}
	m := measure(all, warmed)
	m.wall, m.cpu = time.Since(start), processCPU().since(before)
	return m, nil
}

// httpSender warms the stack up with requests built by build (until steady, see warmUp) and
// returns a function that sends one and times it to its answer (which must have status want),
// and how many requests the warm-up sent.
func (b *bench) httpSender(ctx context.Context, n, c int, build func(id string) (*http.Request, error), want int) (func(string) (time.Duration, error), int, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c}}
	send := func(id string) (time.Duration, error) {
		req, err := build(id)
		if err != nil {
			return 0, err
		}
		start := time.Now()
		resp, err := client.Do(req.WithContext(ctx))
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			return 0, fmt.Errorf("%s answered %d, want %d", req.URL.Path, resp.StatusCode, want)
		}
		return time.Since(start), nil
	}
	warmed, err := warmUp(max(n, 2*c), c, func(round int) func(int) (time.Duration, error) {
		return func(i int) (time.Duration, error) { return send("warm-" + strconv.Itoa(round) + "-" + strconv.Itoa(i)) }
	})
	return send, warmed, err
}

// labelToPost sends n labeled-issue deliveries one at a time (each a new issue number, so a
// new request) through the whole stack and reports how long each takes to reach the Slack
// stand-in's outbox. It runs before the load scenarios: DynamoDB Local slows every operation on
// a stream-enabled table created after other tables' streams filled up (it scans their records),
// which the tens of thousands of load-test writes would do, and AWS does not.
func (b *bench) labelToPost(ctx context.Context, n int) error {
	st, err := b.start(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	raw, err := os.ReadFile("events/github/issues.labeled.json")
	if err != nil {
		return err
	}
	secret := []byte(localrun.DefaultSecrets["GITHUB_WEBHOOK_SECRET"])
	all, err := fanOut(n, 1, func(i int) (time.Duration, error) { return b.oneLabel(ctx, st, raw, secret, 100000+i) })
	if err != nil {
		return err
	}
	b.oneAtATime("Support: label webhook → Slack post in the outbox", all)
	return nil
}

// oneAtATime prints the p50 and p99 of deliveries sent one at a time.
func (b *bench) oneAtATime(title string, all []time.Duration) {
	m := measure(all, 0)
	fmt.Fprintf(b.out, "\n## %s (one delivery at a time, %d)\n\n", title, len(all))
	fmt.Fprintln(b.out, "| p50 | p99 | budget |")
	fmt.Fprintln(b.out, "|---|---|---|")
	fmt.Fprintf(b.out, "| %s | %s | (none) |\n", ms(m.p50), ms(m.p99))
}

// oneLabel sends the real labeled payload as issue number (a new request each time) and waits
// for its announcement.
func (b *bench) oneLabel(ctx context.Context, st *localrun.Stack, raw, secret []byte, number int) (time.Duration, error) {
	var payload map[string]any
	if err := json.Unmarshal(raw, &payload); err != nil {
		return 0, err
	}
	issue := payload["issue"].(map[string]any)
	issue["number"] = number
	issue["html_url"] = fmt.Sprintf("https://github.com/Codertocat/Hello-World/issues/%d", number)
	body, err := json.Marshal(payload)
	if err != nil {
		return 0, err
	}
	marker := []byte(fmt.Sprintf("issues/%d", number))
	return deliverAndWait(ctx, st, secret, "issues", "bench-label-"+strconv.Itoa(number), body,
		standins.Filter{Service: "slack", API: "chat.postMessage"}, func(call standins.Call) bool {
			b, _ := json.Marshal(call.Request)
			return bytes.Contains(b, marker)
		})
}

// deliverAndWait posts a signed GitHub delivery and returns how long it took until a call
// matching f and done was in the stand-ins' outbox (30 s at most).
func deliverAndWait(ctx context.Context, st *localrun.Stack, secret []byte, event, delivery string, body []byte, f standins.Filter, done func(standins.Call) bool) (time.Duration, error) {
	f.Since = st.Outbox().Last()
	start := time.Now()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, st.URL+"/webhooks/github", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", delivery)
	req.Header.Set("X-Hub-Signature-256", signing.GitHub(secret, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return 0, fmt.Errorf("webhook %s answered %d", delivery, resp.StatusCode)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, call := range st.Outbox().Calls(f) {
			if done(call) {
				return time.Since(start), nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	return 0, errors.New("nothing in the outbox for delivery " + delivery + " within 30s")
}

// Warm-up stops once a round's median is no more than warmTolerance better than the best
// before it (the stack has stopped getting faster), and after maxWarmRounds in any case.
// DynamoDB Local's JIT keeps speeding up for some 20,000 writes, so a fixed short warm-up would
// measure the JVM compiling rather than the request path.
const (
	warmTolerance = 0.05
	maxWarmRounds = 12
)

// warmUp runs rounds of n calls from c workers (round r calls fn(r)) until the stack is
// steady, and returns how many calls it made.
func warmUp(n, c int, fn func(round int) func(i int) (time.Duration, error)) (int, error) {
	best := time.Duration(0)
	for round := 0; round < maxWarmRounds; round++ {
		ds, err := fanOut(n, c, fn(round))
		if err != nil {
			return 0, err
		}
		p50 := percentile(ds, 50)
		if round > 0 && float64(p50) >= float64(best)*(1-warmTolerance) {
			return (round + 1) * n, nil
		}
		if round == 0 || p50 < best {
			best = p50
		}
	}
	return maxWarmRounds * n, nil
}

// fanOut calls fn for 0..n-1 from c concurrent workers and returns every duration fn reported,
// or the first error.
func fanOut(n, c int, fn func(i int) (time.Duration, error)) ([]time.Duration, error) {
	var mu sync.Mutex
	all := make([]time.Duration, 0, n)
	var firstErr error
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				d, err := fn(i)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				all = append(all, d)
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return all, firstErr
}

func percentile(ds []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	idx := (len(s)*p+99)/100 - 1
	if idx < 0 {
		idx = 0
	}
	return s[idx]
}

// measured is one scenario's result; it prints as the warm-up, p50 and p99 cells of a row.
type measured struct {
	warm     int
	p50, p99 time.Duration
	// wall and cpu are the measured requests' elapsed time and the CPU every process on the
	// machine used meanwhile, when the scenario recorded them.
	wall time.Duration
	cpu  cpuShares
}

func measure(ds []time.Duration, warm int) measured {
	return measured{warm: warm, p50: percentile(ds, 50), p99: percentile(ds, 99)}
}

func (m measured) String() string {
	warm := "none"
	if m.warm > 0 {
		warm = strconv.Itoa(m.warm) + " requests"
	}
	return warm + " | " + ms(m.p50) + " | " + ms(m.p99)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
