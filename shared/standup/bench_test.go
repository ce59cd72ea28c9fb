package standup

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/activity"
	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

// benchZones are 24 zones around the world (one with a half-hour offset), with the country
// whose holidays their people observe.
var benchZones = [][2]string{
	{"Pacific/Honolulu", "US"}, {"America/Anchorage", "US"}, {"America/Los_Angeles", "US"}, {"America/Denver", "US"},
	{"America/Chicago", "US"}, {"America/New_York", "US"}, {"America/Halifax", "CA"}, {"America/Sao_Paulo", "BR"},
	{"America/Noronha", "BR"}, {"Atlantic/Azores", "PT"}, {"Europe/London", "GB"}, {"Europe/Berlin", "DE"},
	{"Europe/Athens", "GR"}, {"Europe/Moscow", "RU"}, {"Asia/Dubai", "AE"}, {"Asia/Karachi", "PK"},
	{"Asia/Kolkata", "IN"}, {"Asia/Dhaka", "BD"}, {"Asia/Bangkok", "TH"}, {"Asia/Singapore", "SG"},
	{"Asia/Tokyo", "JP"}, {"Australia/Sydney", "AU"}, {"Pacific/Noumea", "NC"}, {"Pacific/Auckland", "NZ"},
}

// benchConfig is a config of devs developers in teams of 10, each team in one zone; every
// fifth team works for two clients (1.2 clients per developer on average).
func benchConfig(devs int) []byte {
	var b strings.Builder
	teams := devs / 10
	clients := teams / 2
	b.WriteString("version: 1\npeople:\n")
	for i := 0; i < devs; i++ {
		z := benchZones[(i/10)%len(benchZones)]
		fmt.Fprintf(&b, "  - {id: dev%05d, github: dev-%05d, slack: U%09d, timezone: %s, country: %s}\n", i, i, i, z[0], z[1])
	}
	for i := 0; i < clients; i++ {
		fmt.Fprintf(&b, "  - {id: rev%04d, slack: W%09d, timezone: America/Chicago, country: US}\n", i, i)
	}
	for i := 0; i < teams/10+1; i++ {
		fmt.Fprintf(&b, "  - {id: dm%04d, slack: U9%08d, timezone: Europe/Berlin, country: DE}\n", i, i)
	}
	b.WriteString("clients:\n")
	for i := 0; i < clients; i++ {
		fmt.Fprintf(&b, "  - {id: client%04d, github: {orgs: [org%04d]}, hr: {reviewer: rev%04d, repo: org%04d/hr}}\n", i, i, i, i)
	}
	b.WriteString("teams:\n")
	for t := 0; t < teams; t++ {
		cl := fmt.Sprintf("client%04d", t/2)
		if t%5 == 4 {
			cl += fmt.Sprintf(", client%04d", (t/2+1)%clients)
		}
		var members []string
		for m := 0; m < 10; m++ {
			members = append(members, fmt.Sprintf("dev%05d", t*10+m))
		}
		fmt.Fprintf(&b, "  - {id: team%04d, clients: [%s], timezone: %s, members: [%s], roles: {delivery_manager: dm%04d}, slack: {channel: C%09d}, standup: {days: weekdays, due: \"06:00\", nag: \"09:30\", digest: \"10:30\"}}\n",
			t, cl, benchZones[t%len(benchZones)][0], strings.Join(members, ", "), t/10, t)
	}
	return []byte(b.String())
}

// benchStack is the standup wired to a fresh DynamoDB Local table set through a meter.
type benchStack struct {
	cfg   *config.Config
	meter *meter
	api   *fakeAPI
	sched Scheduler
	inter Interactions
	proc  Processor
	evs   store.Events
}

func newBenchStack(b *testing.B, devs int) *benchStack {
	b.Helper()
	raw, tables := dynamotest.New(b)
	m := newMeter(nil)
	client := dynamodb.New(raw.Options(), func(o *dynamodb.Options) { o.HTTPClient = &http.Client{Transport: m} })
	cfg, err := config.Parse(benchConfig(devs))
	if err != nil {
		b.Fatal(err)
	}
	api := newFakeAPI(&testing.T{})
	b.Cleanup(api.srv.Close)
	src := staticConfig{cfg}
	cal := calendar.NewCalendar(quiet)
	st := Store{API: client, Table: tables.State, Events: tables.Events}
	fx := store.Effects{API: client, Table: tables.State}
	evs := store.Events{API: client, Table: tables.Events}
	sl := api.slack()
	gh := api.github(&testing.T{})
	deps := Deps{Store: st, Events: evs, Config: src, Calendar: cal, Activity: activity.Reader{API: client, Table: tables.State}, Views: sl, Log: quiet}
	return &benchStack{
		cfg: cfg, meter: m, api: api, evs: evs,
		sched: Scheduler{Store: st, Effects: fx, Config: src, Calendar: cal, Slack: sl, Issues: gh.Issues, Log: quiet, Workers: 16},
		inter: Interactions{deps},
		proc:  Processor{Store: st, Effects: fx, Config: src, Calendar: cal, Slack: sl, Issues: gh.Issues, Responder: HTTPResponder{}, Parts: evs, Log: quiet},
	}
}

// BenchmarkStandupTick10k runs the busiest scheduler tick of a weekday for 10,000 developers
// (12,000 standups a day, 24 zones) against DynamoDB Local and reports its DynamoDB requests.
//
//	go run ./infra/cmd/withdynamo -- go test -run '^$' -bench 'BenchmarkStandupTick10k' -benchtime 1x ./shared/standup/
func BenchmarkStandupTick10k(b *testing.B) {
	cfg, err := config.Parse(benchConfig(10000))
	if err != nil {
		b.Fatal(err)
	}
	// The busiest 5-minute tick of the day, found in memory.
	day := utc("2026-03-10T00:00:00Z")
	busiest, most := day, -1
	cal := calendar.NewCalendar(nil)
	for at := day.Add(5 * time.Minute); !at.After(day.Add(24 * time.Hour)); at = at.Add(5 * time.Minute) {
		w := Plan(cfg, cal, at.Add(-5*time.Minute), at)
		if n := len(w.Create) + len(w.Nag); n > most {
			busiest, most = at, n
		}
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := newBenchStack(b, 10000)
		if err := s.sched.Store.Advance(context.Background(), busiest.Add(-5*time.Minute)); err != nil {
			b.Fatal(err)
		}
		before := s.meter.snapshot()
		b.StartTimer()
		res, err := s.sched.Tick(context.Background(), busiest)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		used := s.meter.snapshot().minus(before)
		b.ReportMetric(float64(used.Requests), "ddb-requests/tick")
		b.ReportMetric(used.RRU, "RRU/tick")
		b.ReportMetric(used.WRU, "WRU/tick")
		b.ReportMetric(float64(res.Created), "created/tick")
		b.ReportMetric(float64(res.Nagged), "nagged/tick")
		b.ReportMetric(float64(len(s.api.take())), "slack-calls/tick")
		b.Logf("time per operation: %v", s.meter.dur)
		b.Logf("busiest tick %s: %+v; DynamoDB %d requests %v, %.0f RRU, %.0f WRU", busiest.Format(time.RFC3339), res, used.Requests, used.Ops, used.RRU, used.WRU)
	}
}

// Prices (us-east-1): Lambda arm64 $0.0000133334 per GB-second and $0.20 per million requests;
// DynamoDB on-demand $0.625 per million write request units and $0.125 per million read
// request units. Slack and GitHub API calls are free.
const (
	priceGBSecond  = 0.0000133334
	priceInvoke    = 0.20 / 1e6
	priceWRU       = 0.625 / 1e6
	priceRRU       = 0.125 / 1e6
	lambdaMemoryGB = 0.25 // template.yaml Globals MemorySize 256
)

// BenchmarkStandupCost10k simulates a weekday of 10,000 developers: 288 scheduler ticks (every
// standup created and, as nobody submits in the simulation, nagged: the worst case), a weekend
// day of ticks, and a sample of developers going through open → submit → processor → review →
// processor. From the counted Lambda invocations and durations, DynamoDB requests and capacity
// units it reports the AWS cost per developer per month (22 weekdays, 8 weekend days).
//
//	go run ./infra/cmd/withdynamo -- go test -run '^$' -bench 'BenchmarkStandupCost10k' -benchtime 1x -timeout 30m ./shared/standup/
func BenchmarkStandupCost10k(b *testing.B) {
	const devs = 10000
	for i := 0; i < b.N; i++ {
		s := newBenchStack(b, devs)
		ctx := context.Background()
		dayStart := utc("2026-03-10T00:00:00Z") // Tuesday
		if err := s.sched.Store.Advance(ctx, dayStart); err != nil {
			b.Fatal(err)
		}
		// A weekday of ticks.
		before := s.meter.snapshot()
		var tickTime time.Duration
		var created, nagged, digests int
		for at := dayStart.Add(5 * time.Minute); !at.After(dayStart.Add(24 * time.Hour)); at = at.Add(5 * time.Minute) {
			start := time.Now()
			res, err := s.sched.Tick(ctx, at)
			tickTime += time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			created, nagged, digests = created+res.Created, nagged+res.Nagged, digests+res.Digests
		}
		weekday := s.meter.snapshot().minus(before)
		slackCalls := len(s.api.take())
		// A weekend day of ticks: nobody is due; only the cursor and the review queue.
		before = s.meter.snapshot()
		sat := utc("2026-03-14T12:00:00Z")
		if err := s.sched.Store.Advance(ctx, sat); err != nil {
			b.Fatal(err)
		}
		for k := 1; k <= 12; k++ {
			if _, err := s.sched.Tick(ctx, sat.Add(time.Duration(k)*5*time.Minute)); err != nil {
				b.Fatal(err)
			}
		}
		weekendTick := s.meter.snapshot().minus(before)
		// A sample of developers through the interactive flow, each path timed like a Lambda.
		const sample = 40
		before = s.meter.snapshot()
		var interTime time.Duration
		invocations := 0
		timed := func(fn func()) {
			start := time.Now()
			fn()
			interTime += time.Since(start)
			invocations++
		}
		now := utc("2026-03-11T12:00:00Z")
		for k := 0; k < sample; k++ {
			person := fmt.Sprintf("dev%05d", k*250)
			d := DutiesOf(s.cfg, person)[0]
			p := s.cfg.PersonByID(person)
			sl, _, ok := SlotOn(s.sched.Calendar, d, nil, Today(p, now))
			if !ok {
				continue
			}
			id := sl.ID
			var out any
			timed(func() { out = s.interact(b, ActionOpen, "", id, p.Slack, now) })
			timed(func() { out = s.interact(b, "", CallbackSubmit, id, p.Slack, now.Add(time.Minute)) })
			if out != nil {
				b.Fatalf("submit answered %v", out)
			}
			timed(func() { s.process(b, "rituals#standup.submitted#"+id.String()+"#1") })
			reviewer := s.cfg.PersonByID(d.Client.HR.Reviewer)
			timed(func() { s.interact(b, ActionReview, "", id, reviewer.Slack, now.Add(2*time.Minute)) })
			timed(func() { s.interact(b, "", CallbackReview, id, reviewer.Slack, now.Add(3*time.Minute)) })
			timed(func() { s.process(b, "rituals#standup.reviewed#"+id.String()) })
		}
		flows := s.meter.snapshot().minus(before)
		s.api.take()

		// Monthly totals for all developers.
		standupsPerWeekday := float64(created)
		ticksPerDay := 288.0
		weekdays, weekendDays := 22.0, 8.0
		schedRRU := weekdays*weekday.RRU + weekendDays*ticksPerDay*weekendTick.RRU/12
		schedWRU := weekdays*weekday.WRU + weekendDays*ticksPerDay*weekendTick.WRU/12
		schedGBs := (weekdays + weekendDays) * tickTime.Seconds() * lambdaMemoryGB // weekend ticks cost less; counted as weekdays
		schedInvokes := (weekdays + weekendDays) * ticksPerDay
		perStandup := func(x float64) float64 { return x / sample }
		standups := weekdays * standupsPerWeekday
		interRRU := standups * perStandup(flows.RRU)
		interWRU := standups * perStandup(flows.WRU)
		interInvokes := standups * perStandup(float64(invocations))
		interGBs := standups * perStandup(interTime.Seconds()) * lambdaMemoryGB
		cost := (schedRRU+interRRU)*priceRRU + (schedWRU+interWRU)*priceWRU +
			(schedInvokes+interInvokes)*priceInvoke + (schedGBs+interGBs)*priceGBSecond
		perDev := cost / devs
		b.ReportMetric(perDev, "$/dev-month")
		b.ReportMetric(float64(weekday.Requests)/ticksPerDay, "ddb-requests/tick")
		b.ReportMetric(tickTime.Seconds()/ticksPerDay*1000, "ms/tick")
		b.Logf("weekday: %d standups created, %d nagged, %d digests, %d Slack calls; %d DynamoDB requests (%v), %.0f RRU, %.0f WRU; ticks took %s in all",
			created, nagged, digests, slackCalls, weekday.Requests, weekday.Ops, weekday.RRU, weekday.WRU, tickTime.Round(time.Millisecond))
		b.Logf("weekend tick: %.1f requests, %.2f RRU, %.2f WRU", float64(weekendTick.Requests)/12, weekendTick.RRU/12, weekendTick.WRU/12)
		b.Logf("per standup (open, submit, processor, review open, review, processor): %.1f invocations, %.1f ms, %.1f DynamoDB requests, %.1f RRU, %.1f WRU (%v)",
			perStandup(float64(invocations)), perStandup(float64(interTime.Milliseconds())), perStandup(float64(flows.Requests)), perStandup(flows.RRU), perStandup(flows.WRU), flows.Ops)
		b.Logf("month, all %d developers: scheduler %.0f invocations %.0f GB-s; interactive %.0f invocations %.0f GB-s; %.0f RRU; %.0f WRU → $%.2f, $%.5f per developer-month",
			devs, schedInvokes, schedGBs, interInvokes, interGBs, schedRRU+interRRU, schedWRU+interWRU, cost, perDev)
		if perDev >= 0.01 {
			b.Errorf("cost $%.5f per developer-month is over the $0.01 budget", perDev)
		}
	}
}

func (s *benchStack) interact(b *testing.B, action, callback string, id ID, user string, now time.Time) any {
	b.Helper()
	cb := slack.InteractionCallback{User: slack.User{ID: user}, TriggerID: "trigger"}
	if action != "" {
		cb.Type = slack.InteractionTypeBlockActions
		cb.ActionCallback.BlockActions = []*slack.BlockAction{{ActionID: action, Value: id.String(), ActionTs: "1.2"}}
	} else {
		cb.Type = slack.InteractionTypeViewSubmission
		cb.View.CallbackID = callback
		cb.View.PrivateMetadata = id.String()
		cb.View.State = &slack.ViewState{Values: map[string]map[string]slack.BlockAction{
			blockAvailability: {actionValue: {SelectedOption: slack.OptionBlockObject{Value: string(PartDay)}}},
			blockComment:      {actionValue: {Value: "Work on the plan."}},
			blockBlockers:     {actionValue: {Value: "Blocked on access."}},
			blockReviewNotes:  {actionValue: {Value: "ok"}},
		}}
	}
	out, err := s.inter.Handle(context.Background(), cb, now)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

func (s *benchStack) process(b *testing.B, key string) {
	b.Helper()
	e, err := s.evs.GetEvent(context.Background(), key)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.proc.Process(context.Background(), e); err != nil {
		b.Fatal(err)
	}
}
