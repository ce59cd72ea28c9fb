package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rituals-dev/rituals/infra/deadletters"
	"github.com/rituals-dev/rituals/infra/localrun"
)

const deadlettersUsage = `usage: rituals deadletters <list | replay [id] | events> [flags]

What the stream mappings gave up on. Locally (the default) against ` + "`make run`" + `'s stack; against
AWS with -stack (the stack's outputs name the queue and the events table) or -queue-url.

  list                         the dead letters: id, function, records, why
  replay [id]                  send a dead letter's records to its function again (all when no id);
                               it is deleted only when every record succeeded
  replay -function F -event K  (AWS) replay events-table deliveries by key (-event repeats), for a
                               batch the stream no longer holds (streams keep 24 hours)
  events -from T -to T         (AWS) the deliveries that arrived between two RFC 3339 times

flags:
`

// deadlettersFlags are every subcommand's flags.
type deadlettersFlags struct {
	url, stack, queueURL, eventsTable, region, function, streamARN, from, to string
	events                                                                   stringList
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func deadlettersCommand(args []string) error {
	return runDeadletters(context.Background(), args, os.Stdout, os.Stderr, os.Getenv)
}

func runDeadletters(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "replay" && args[0] != "events") {
		fmt.Fprint(stderr, deadlettersUsage)
		return errors.New("deadletters: say list, replay or events")
	}
	port := getenv("PORT")
	if port == "" {
		port = "3000"
	}
	var f deadlettersFlags
	fl := flag.NewFlagSet("deadletters "+args[0], flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() { fmt.Fprint(stderr, deadlettersUsage); fl.PrintDefaults() }
	fl.StringVar(&f.url, "url", "http://127.0.0.1:"+port, "base URL of the local stack")
	fl.StringVar(&f.stack, "stack", "", "AWS: the CloudFormation stack; its outputs DeadLetterQueueUrl and EventsTableName")
	fl.StringVar(&f.queueURL, "queue-url", "", "AWS: the dead-letter queue's URL (instead of -stack)")
	fl.StringVar(&f.eventsTable, "events-table", "", "AWS: the events table's name (instead of -stack)")
	fl.StringVar(&f.region, "region", "", "AWS region (default: the AWS configuration's)")
	fl.StringVar(&f.function, "function", "", "AWS replay -event: the function's name or ARN")
	fl.StringVar(&f.streamARN, "stream-arn", "", "AWS replay -event: the events stream's ARN, written into the records (optional)")
	fl.Var(&f.events, "event", "AWS replay: an events-table key such as github#<delivery id> (repeat for several)")
	fl.StringVar(&f.from, "from", "", "events: start of the arrival window (RFC 3339)")
	fl.StringVar(&f.to, "to", "", "events: end of the arrival window (RFC 3339)")
	pos, err := parseInterspersed(fl, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	cmd := args[0]
	if len(pos) > 1 || (len(pos) == 1 && cmd != "replay") {
		return fmt.Errorf("deadletters %s: unexpected arguments %v", cmd, pos)
	}
	id := ""
	if len(pos) == 1 {
		id = pos[0]
	}
	if f.stack == "" && f.queueURL == "" && f.eventsTable == "" {
		if cmd == "events" || len(f.events) > 0 {
			return fmt.Errorf("deadletters %s works on AWS: give -stack (or -events-table); locally, replay by id", cmd)
		}
		return localDeadletters(ctx, cmd, id, f.url, stdout)
	}
	r, err := awsReplayer(ctx, f)
	if err != nil {
		return err
	}
	return awsDeadletters(ctx, cmd, id, f, r, stdout)
}

// localDeadletters talks to the local stack's /_local/deadletters routes.
func localDeadletters(ctx context.Context, cmd, id, base string, stdout io.Writer) error {
	client := &http.Client{Timeout: 5 * time.Minute}
	if cmd == "list" {
		var list []localrun.DeadLetter
		if err := localJSON(ctx, client, http.MethodGet, base+localrun.DeadLettersPath, &list); err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintln(stdout, "no dead letters")
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tFUNCTION\tRECORDS\tCONDITION\tWHEN\tERROR")
		for _, dl := range list {
			why := dl.Error
			if why == "" && len(dl.FailedItemIdentifiers) > 0 {
				why = "records reported failed: " + strings.Join(dl.FailedItemIdentifiers, ", ")
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", dl.RequestContext.RequestID, dl.Function, len(dl.Records), dl.RequestContext.Condition, dl.Timestamp, oneLine(why, 100))
		}
		return tw.Flush()
	}
	path := base + localrun.DeadLettersPath + "/replay"
	if id != "" {
		path = base + localrun.DeadLettersPath + "/" + url.PathEscape(id) + "/replay"
	}
	var results []localrun.ReplayResult
	var one localrun.ReplayResult
	target := any(&results)
	if id != "" {
		target = &one
	}
	err := localJSON(ctx, client, http.MethodPost, path, target)
	var se *statusError
	if err != nil && !(errors.As(err, &se) && se.status == http.StatusBadGateway) {
		return err
	}
	if id != "" {
		results = []localrun.ReplayResult{one}
	}
	return printResults(stdout, len(results), func(i int) (string, string, int, bool, string) {
		r := results[i]
		return r.ID, r.Function, r.Records, r.OK, r.Error
	})
}

type statusError struct {
	status int
	body   string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%d: %s", e.status, strings.TrimSpace(e.body))
}

// localJSON calls the local stack and decodes its JSON answer into out; a non-2xx answer is a
// *statusError, decoded into out as well when it is JSON (a replay that failed again).
func localJSON(ctx context.Context, client *http.Client, method, u string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("the local stack at %s is not answering (is `make run` running?): %w", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	jsonErr := json.Unmarshal(body, out)
	if resp.StatusCode >= 300 {
		if resp.StatusCode == http.StatusBadGateway && jsonErr == nil {
			return &statusError{resp.StatusCode, string(body)}
		}
		var msg struct{ Message string }
		if json.Unmarshal(body, &msg) == nil && msg.Message != "" {
			return errors.New(msg.Message)
		}
		return &statusError{resp.StatusCode, string(body)}
	}
	return jsonErr
}

func printResults(stdout io.Writer, n int, row func(i int) (id, function string, records int, ok bool, errText string)) error {
	if n == 0 {
		fmt.Fprintln(stdout, "no dead letters to replay")
		return nil
	}
	failed := 0
	for i := 0; i < n; i++ {
		id, fn, recs, ok, errText := row(i)
		if ok {
			fmt.Fprintf(stdout, "replayed %s: %d record(s) to %s; deleted\n", id, recs, fn)
			continue
		}
		failed++
		fmt.Fprintf(stdout, "not replayed %s (%s): %s\n", id, fn, errText)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d dead letters not replayed; they stay in the queue", failed, n)
	}
	return nil
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n-1] + "…"
	}
	return s
}

// awsReplayer builds the AWS clients and finds the queue and table from the flags or the
// stack's outputs.
func awsReplayer(ctx context.Context, f deadlettersFlags) (deadletters.Replayer, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if f.region != "" {
		opts = append(opts, awsconfig.WithRegion(f.region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return deadletters.Replayer{}, fmt.Errorf("AWS configuration: %w", err)
	}
	queue, table := f.queueURL, f.eventsTable
	if f.stack != "" {
		out, err := cloudformation.NewFromConfig(cfg).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(f.stack)})
		if err != nil {
			return deadletters.Replayer{}, fmt.Errorf("read the outputs of stack %s: %w", f.stack, err)
		}
		for _, s := range out.Stacks {
			for _, o := range s.Outputs {
				switch aws.ToString(o.OutputKey) {
				case "DeadLetterQueueUrl":
					queue = or(queue, aws.ToString(o.OutputValue))
				case "EventsTableName":
					table = or(table, aws.ToString(o.OutputValue))
				}
			}
		}
	}
	return deadletters.Replayer{
		SQS: sqs.NewFromConfig(cfg), Streams: dynamodbstreams.NewFromConfig(cfg), Lambda: lambda.NewFromConfig(cfg),
		Events: dynamodb.NewFromConfig(cfg), QueueURL: queue, EventsTable: table, Region: cfg.Region,
	}, nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func awsDeadletters(ctx context.Context, cmd, id string, f deadlettersFlags, r deadletters.Replayer, stdout io.Writer) error {
	switch {
	case cmd == "events":
		if r.EventsTable == "" {
			return errors.New("deadletters events: no events table: give -stack or -events-table")
		}
		from, err1 := time.Parse(time.RFC3339, f.from)
		to, err2 := time.Parse(time.RFC3339, f.to)
		if err1 != nil || err2 != nil {
			return errors.New("deadletters events: give -from and -to as RFC 3339 times, like 2026-03-02T09:00:00Z (a dead letter's approximateArrivalOf... fields)")
		}
		list, err := r.Window(ctx, from, to)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "KEY\tSOURCE\tEVENT\tACTION\tRECEIVED")
		for _, d := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.Key, d.Source, d.Event, d.Action, d.Received)
		}
		return tw.Flush()
	case cmd == "replay" && len(f.events) > 0:
		if f.function == "" || r.EventsTable == "" {
			return errors.New("deadletters replay -event: give -function (the function's name or ARN, from the dead letter) and -stack or -events-table")
		}
		res, err := r.ReplayEvents(ctx, f.function, f.streamARN, f.events)
		if err != nil {
			return err
		}
		return printResults(stdout, 1, func(int) (string, string, int, bool, string) {
			return strings.Join(f.events, ","), res.Function, res.Records, res.OK, res.Error
		})
	}
	if r.QueueURL == "" {
		return errors.New("deadletters: no dead-letter queue: give -stack or -queue-url")
	}
	if cmd == "list" {
		list, err := r.List(ctx)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintln(stdout, "no dead letters")
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tFUNCTION\tRECORDS\tCONDITION\tARRIVED")
		for _, m := range list {
			b := m.Record.Batch
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s .. %s\n", m.ID, m.Record.RequestContext.FunctionARN, b.BatchSize, m.Record.RequestContext.Condition, b.ApproximateArrivalOfFirstRecord, b.ApproximateArrivalOfLastRecord)
		}
		return tw.Flush()
	}
	results, err := r.Replay(ctx, id)
	if err != nil {
		return err
	}
	return printResults(stdout, len(results), func(i int) (string, string, int, bool, string) {
		x := results[i]
		return x.ID, x.Function, x.Records, x.OK, x.Error
	})
}
