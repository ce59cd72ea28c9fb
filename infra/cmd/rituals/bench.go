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
	"os/signal"
	"sort"
	"strconv"
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

// Budgets from the foundation issue: what `make bench` holds the figures to.
const (
	budgetBootstrapBytes = 15 << 20
	budgetColdStart      = 50 * time.Millisecond
	budgetWebhookP99     = 50 * time.Millisecond
	budgetSlackP99       = 100 * time.Millisecond
)

// benchConfig has a team whose support label matches the sample payloads (label "bug" in
// Codertocat/Hello-World), so the support scenario measures a real announcement.
const benchConfig = "shared/support/testdata/rituals.yaml"

func benchCommand(args []string) error {
	fl := flag.NewFlagSet("bench", flag.ContinueOnError)
	buildDir := fl.String("build-dir", "build", "directory holding <LogicalId>/bootstrap")
	n := fl.Int("n", 2000, "requests per latency scenario")
	c := fl.Int("c", 32, "concurrent senders")
	starts := fl.Int("starts", 5, "cold starts measured per function (the median is reported)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := os.ReadFile(benchConfig)
	if err != nil {
		return err
	}
	b := bench{instances: *c, buildDir: *buildDir, config: cfg, out: os.Stdout}
	return b.run(ctx, *n, *c, *starts)
}

type bench struct {
	// instances caps each function's instances: as many as there are senders, as Lambda would
	// scale out to.
	instances int
	buildDir  string
	config    []byte
	out       io.Writer
	failed    []string
}

func (b *bench) start(ctx context.Context, functions ...string) (*localrun.Stack, error) {
	prefix := make([]byte, 4)
	_, _ = rand.Read(prefix)
	return localrun.Start(ctx, localrun.Options{
		BuildDir:       b.buildDir,
		Addr:           "127.0.0.1:0",
		TablePrefix:    "bench" + hex.EncodeToString(prefix) + "-",
		Functions:      functions,
		MaxInstances:   b.instances,
		DeadLetterFile: "-",
		Log:            io.Discard,
		AfterTables: func(ctx context.Context, db *dynamodb.Client, tables map[string]string) error {
			_, err := config.Push(ctx, db, tables["StateTable"], b.config, "bench", time.Now())
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

func (b *bench) run(ctx context.Context, n, c, starts int) error {
	full, err := b.start(ctx)
	if err != nil {
		return err
	}
	defer full.Close()
	stats := full.Functions()

	fmt.Fprintf(b.out, "## Functions (bootstrap size, cold start = process start to first /next, median of %d)\n\n", starts)
	fmt.Fprintln(b.out, "| function | bootstrap | cold start | budget |")
	fmt.Fprintln(b.out, "|---|---|---|---|")
	for _, f := range stats {
		cold, err := b.coldStart(ctx, f.Function, starts)
		if err != nil {
			return fmt.Errorf("cold start of %s: %w", f.Function, err)
		}
		ok := f.BootstrapBytes <= budgetBootstrapBytes && cold <= budgetColdStart
		fmt.Fprintf(b.out, "| %s | %.1f MB | %.1f ms | %s |\n", f.Function, float64(f.BootstrapBytes)/(1<<20), float64(cold.Microseconds())/1000,
			b.check(ok, f.Function+" size/cold start"))
	}

	// The request paths are measured on a stack of just the HTTP functions: in AWS the stream
	// processors run on other machines, here they would share the same two cores.
	st, err := b.start(ctx, "GitHubWebhookFunction", "SlackCommandsFunction")
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(b.out, "\n## Latency at %d concurrent senders (%d requests each scenario, after warm-up)\n\n", c, n)
	fmt.Fprintln(b.out, "| scenario | p50 | p99 | budget |")
	fmt.Fprintln(b.out, "|---|---|---|---|")
	push, err := os.ReadFile("events/github/push.json")
	if err != nil {
		return err
	}
	ghSecret := []byte(localrun.DefaultSecrets["GITHUB_WEBHOOK_SECRET"])
	webhook := func(id string) (*http.Request, error) {
		req, _ := http.NewRequest(http.MethodPost, st.URL+"/webhooks/github", bytes.NewReader(push))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-GitHub-Event", "push")
		req.Header.Set("X-GitHub-Delivery", "bench-"+id)
		req.Header.Set("X-Hub-Signature-256", signing.GitHub(ghSecret, push))
		return req, nil
	}
	p50, p99, err := b.latency(ctx, n, c, webhook, http.StatusAccepted)
	if err != nil {
		return err
	}
	fmt.Fprintf(b.out, "| signed GitHub webhook → 202 | %s | %s | p99 ≤ %v: %s |\n", ms(p50), ms(p99), budgetWebhookP99, b.check(p99 <= budgetWebhookP99, "webhook p99"))
	f50, f99, err := b.putFloor(ctx, st, n, c, push)
	if err != nil {
		return err
	}
	fmt.Fprintf(b.out, "| the floor: the same conditional PutItem straight to DynamoDB Local | %s | %s | (what the webhook waits for) |\n", ms(f50), ms(f99))

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
	p50, p99, err = b.latency(ctx, n, c, command, http.StatusOK)
	if err != nil {
		return err
	}
	fmt.Fprintf(b.out, "| Slack command → answer | %s | %s | p99 ≤ %v: %s |\n", ms(p50), ms(p99), budgetSlackP99, b.check(p99 <= budgetSlackP99, "Slack p99"))

	p50, p99, err = b.labelToPost(ctx, full, 50, 1)
	if err != nil {
		return err
	}
	fmt.Fprintf(b.out, "| support label webhook → Slack post in the outbox (one at a time, 50) | %s | %s | (no budget) |\n", ms(p50), ms(p99))

	if len(b.failed) > 0 {
		fmt.Fprintf(b.out, "\nOver budget: %v\n", b.failed)
	}
	return nil
}

// putFloor measures what every webhook must wait for before it may answer: the conditional put
// of the delivery into the events table, sent straight to DynamoDB Local from c writers.
func (b *bench) putFloor(ctx context.Context, st *localrun.Stack, n, c int, payload []byte) (time.Duration, time.Duration, error) {
	events := store.Events{API: st.DB, Table: st.Tables["EventsTable"]}
	put := func(round string) func(i int) (time.Duration, error) {
		return func(i int) (time.Duration, error) {
			start := time.Now()
			err := events.PutEvent(ctx, store.Event{Key: "floor#" + round + strconv.Itoa(i), Source: "bench", Type: "push", ReceivedAt: start, Payload: payload})
			return time.Since(start), err
		}
	}
	if _, err := fanOut(n, c, put("warm")); err != nil {
		return 0, 0, err
	}
	all, err := fanOut(n, c, put("measure"))
	if err != nil {
		return 0, 0, err
	}
	return percentile(all, 50), percentile(all, 99), nil
}

// coldStart starts the function alone, starts times, and returns the median time from process
// start to its first request for work.
func (b *bench) coldStart(ctx context.Context, function string, times int) (time.Duration, error) {
	var ds []time.Duration
	for i := 0; i < times; i++ {
		st, err := b.start(ctx, function)
		if err != nil {
			return 0, err
		}
		for _, f := range st.Functions() {
			if f.Function == function {
				ds = append(ds, time.Duration(f.ColdStartMS*float64(time.Millisecond)))
			}
		}
		st.Close()
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2], nil
}

// latency sends n requests from c senders, after a warm-up of n requests that lets the stack
// scale out (as Lambda would) and DynamoDB Local's JIT compile its hot paths, and returns the
// p50 and p99 of request → answer.
func (b *bench) latency(ctx context.Context, n, c int, build func(id string) (*http.Request, error), want int) (time.Duration, time.Duration, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c}}
	warmup := max(n, 2*c)
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
	if _, err := fanOut(warmup, c, func(i int) (time.Duration, error) { return send("warm-" + strconv.Itoa(i)) }); err != nil {
		return 0, 0, err
	}
	all, err := fanOut(n, c, func(i int) (time.Duration, error) { return send("run-" + strconv.Itoa(i)) })
	if err != nil {
		return 0, 0, err
	}
	return percentile(all, 50), percentile(all, 99), nil
}

// labelToPost sends n labeled-issue deliveries (each a new issue number, so a new request) from
// c senders and measures each until its announcement is in the Slack stand-in's outbox.
func (b *bench) labelToPost(ctx context.Context, st *localrun.Stack, n, c int) (time.Duration, time.Duration, error) {
	raw, err := os.ReadFile("events/github/issues.labeled.json")
	if err != nil {
		return 0, 0, err
	}
	secret := []byte(localrun.DefaultSecrets["GITHUB_WEBHOOK_SECRET"])
	all, err := fanOut(n, c, func(i int) (time.Duration, error) { return b.oneLabel(ctx, st, raw, secret, 100000+i) })
	if err != nil {
		return 0, 0, err
	}
	return percentile(all, 50), percentile(all, 99), nil
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
	marker := fmt.Sprintf("issues/%d", number)
	since := st.Outbox().Last()
	start := time.Now()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, st.URL+"/webhooks/github", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "issues")
	req.Header.Set("X-GitHub-Delivery", "bench-label-"+strconv.Itoa(number))
	req.Header.Set("X-Hub-Signature-256", signing.GitHub(secret, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return 0, fmt.Errorf("label webhook answered %d", resp.StatusCode)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, call := range st.Outbox().Calls(standins.Filter{Service: "slack", API: "chat.postMessage", Since: since}) {
			if b, _ := json.Marshal(call.Request); bytes.Contains(b, []byte(marker)) {
				return time.Since(start), nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	return 0, errors.New("no announcement for issue " + strconv.Itoa(number) + " within 30s")
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

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
