package burnup

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/calendar"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/sprints"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

// readMeter counts DynamoDB reads: requests, items and the read capacity units DynamoDB
// reports (as AWS bills them: 1 per 4 KB strongly consistent).
type readMeter struct {
	*dynamodb.Client
	mu       sync.Mutex
	requests int
	items    int
	rcu      float64
}

func (m *readMeter) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.Client.Query(ctx, in, opts...)
	if err == nil {
		m.mu.Lock()
		m.requests++
		m.items += len(out.Items)
		if cc := out.ConsumedCapacity; cc != nil && cc.CapacityUnits != nil {
			m.rcu += *cc.CapacityUnits
		}
		m.mu.Unlock()
	}
	return out, err
}

func (m *readMeter) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.Client.GetItem(ctx, in, opts...)
	if err == nil {
		m.mu.Lock()
		m.requests++
		if out.Item != nil {
			m.items++
		}
		if cc := out.ConsumedCapacity; cc != nil && cc.CapacityUnits != nil {
			m.rcu += *cc.CapacityUnits
		}
		m.mu.Unlock()
	}
	return out, err
}

func (m *readMeter) take() (requests, items int, rcu float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	requests, items, rcu = m.requests, m.items, m.rcu
	m.requests, m.items, m.rcu = 0, 0, 0
	return
}

// BenchmarkSprintReport300 is the report of a 300-task sprint at its end, as the SprintsFunction
// makes it: one query of everything recorded about the milestone (300 tasks, 2,000 changes,
// the plan and 9 snapshots), the figures, and the burnup chart drawn as a PNG. It reports the
// time of each step and the DynamoDB reads (what /sprint status and /sprint report read too,
// without the drawing).
//
//	go run ./infra/cmd/withdynamo -- go test -run '^$' -bench BenchmarkSprintReport300 -benchtime 5x ./shared/sprints/burnup/
func BenchmarkSprintReport300(b *testing.B) {
	ctx := context.Background()
	raw, err := os.ReadFile("../testdata/rituals.yaml")
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := config.Parse(raw)
	if err != nil {
		b.Fatal(err)
	}
	team := cfg.Team("rocket")
	loc := team.Location()
	db, tables := dynamotest.New(b)
	meter := &readMeter{Client: db}
	st := sprints.Store{API: meter, Table: tables.State}
	const ms = "PHID-PROJ-bench"
	sp := &sprints.Sprint{Team: "rocket", Milestone: sprints.Milestone{Key: ms, Source: sprints.SourcePhabricator, Name: "Rocket Sprint 300"},
		From: config.Date{Year: 2026, Month: 10, Day: 28}, To: config.Date{Year: 2026, Month: 11, Day: 10}, How: sprints.FromConfig}
	if err := st.CreateSprint(ctx, sp); err != nil {
		b.Fatal(err)
	}
	at := func(day, hour int) time.Time { return time.Date(2026, 10, 27+day, hour, 0, 0, 0, loc) }
	scale := []float64{1, 2, 3, 5, 8, 13}
	plan := sprints.Plan{Captured: at(1, 10)}
	var changes []sprints.Change
	owners := []string{"alice", "bob"}
	for i := 1; i <= 300; i++ {
		key := fmt.Sprintf("T%d", 1000+i)
		points := scale[i%len(scale)]
		added := at(0, 15)
		if i > 250 { // 50 walk-ons, over days 2 to 8
			added = at(2+i%7, 11)
		} else {
			plan.Tasks = append(plan.Tasks, sprints.PlannedTask{Key: key, Title: fmt.Sprintf("Task %d", i), Points: &points, Owner: owners[i%2]})
		}
		changes = append(changes, sprints.Change{At: added, Task: key, Kind: sprints.ChangeAdd, Points: &points, ID: key + "#add"})
		for j := 0; j < 4; j++ { // points re-estimated a few times
			p := scale[(i+j+1)%len(scale)]
			changes = append(changes, sprints.Change{At: added.Add(time.Duration(j+1) * 26 * time.Hour), Task: key, Kind: sprints.ChangePoints, Points: &p, ID: fmt.Sprintf("%s#p%d", key, j)})
		}
		switch {
		case i%15 == 0:
			changes = append(changes, sprints.Change{At: at(5, 10), Task: key, Kind: sprints.ChangeRemove, ID: key + "#remove"})
		case i%3 != 0:
			changes = append(changes, sprints.Change{At: at(2+i%12, 16), Task: key, Kind: sprints.ChangeDone, ID: key + "#done"})
		}
		if _, err := st.PutTask(ctx, "rocket", ms, sprints.Task{Key: key, Title: fmt.Sprintf("Task %d", i), URL: "https://phabricator.example.org/" + key,
			Owner: owners[i%2], Points: &points, In: i%15 != 0, Done: i%3 != 0, Version: "1"}, at(14, 0)); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range changes {
		if _, err := st.AddChange(ctx, "rocket", ms, c); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := st.PutPlan(ctx, "rocket", ms, plan); err != nil {
		b.Fatal(err)
	}
	cal := calendar.NewCalendar(nil)
	business := cal.TeamBusinessDay(cfg, team)
	for _, d := range sprints.BusinessDays(sp.From, sp.To.AddDays(-1), business) {
		all, err := st.Changes(ctx, "rocket", ms)
		if err != nil {
			b.Fatal(err)
		}
		if err := st.PutDay(ctx, "rocket", ms, sprints.PointAt(all, d, d.AddDays(1).In(loc))); err != nil {
			b.Fatal(err)
		}
	}
	sp, err = st.UpdateSprint(ctx, "rocket", ms, func(x *sprints.Sprint) bool { x.Captured = plan.Captured; return true })
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 10, 16, 0, 0, 0, loc)
	meter.take()
	b.ResetTimer()
	var load, compute, render time.Duration
	var requests, items int
	var rcu float64
	var size int
	var f *sprints.Figures
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		d, err := st.Load(ctx, "rocket", ms)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		f = sprints.Compute(sp, team, cfg, d, business, now)
		t2 := time.Now()
		png, err := Render(sprints.ChartOf(f, loc))
		if err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		load, compute, render = load+t1.Sub(t0), compute+t2.Sub(t1), render+t3.Sub(t2)
		r, n, u := meter.take()
		requests, items, rcu, size = requests+r, items+n, rcu+u, len(png)
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(load.Microseconds())/n/1000, "load-ms/op")
	b.ReportMetric(float64(compute.Microseconds())/n/1000, "figures-ms/op")
	b.ReportMetric(float64(render.Microseconds())/n/1000, "render-ms/op")
	b.ReportMetric(float64(requests)/n, "queries/op")
	b.ReportMetric(float64(items)/n, "items/op")
	b.ReportMetric(rcu/n, "RCU/op")
	b.ReportMetric(float64(size)/1024, "png-KiB")
	if len(f.Planned) != 250 || len(f.WalkOns) != 50 {
		b.Fatalf("figures: %d planned, %d walk-ons", len(f.Planned), len(f.WalkOns))
	}
	b.Logf("300 tasks (%d planned, %d walk-ons), %d changes, %d snapshots: load %.1f ms (%.0f queries, %.0f items, %.1f RCU), figures %.1f ms, chart %.1f ms (%d KiB PNG)",
		len(f.Planned), len(f.WalkOns), len(changes), len(f.Series)-2, float64(load.Microseconds())/n/1000, float64(requests)/n, float64(items)/n, rcu/n,
		float64(compute.Microseconds())/n/1000, float64(render.Microseconds())/n/1000, size/1024)
}
