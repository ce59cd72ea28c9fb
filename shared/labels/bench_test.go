package labels

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/store"
)

// readMeter is the DynamoDB client with every read counted: requests, items returned and the
// read capacity units DynamoDB reports (DynamoDB Local reports them as AWS bills them: 1 per
// 4 KB strongly consistent, half that from an index).
type readMeter struct {
	*dynamodb.Client
	mu              sync.Mutex
	gets, queries   int
	items           int
	rcu             float64
	writes          int
	queriedFromGSI1 int
}

func (m *readMeter) add(items int, cc *types.ConsumedCapacity, query, gsi bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if query {
		m.queries++
	} else {
		m.gets++
	}
	if gsi {
		m.queriedFromGSI1 += items
	}
	m.items += items
	if cc != nil && cc.CapacityUnits != nil {
		m.rcu += *cc.CapacityUnits
	}
}

func (m *readMeter) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.Client.GetItem(ctx, in, opts...)
	if err == nil {
		n := 0
		if out.Item != nil {
			n = 1
		}
		m.add(n, out.ConsumedCapacity, false, false)
	}
	return out, err
}

func (m *readMeter) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.Client.Query(ctx, in, opts...)
	if err == nil {
		m.add(len(out.Items), out.ConsumedCapacity, true, in.IndexName != nil)
	}
	return out, err
}

func (m *readMeter) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	m.mu.Lock()
	m.writes++
	m.mu.Unlock()
	return m.Client.PutItem(ctx, in, opts...)
}

func (m *readMeter) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	m.mu.Lock()
	m.writes++
	m.mu.Unlock()
	return m.Client.UpdateItem(ctx, in, opts...)
}

type meterReading struct {
	gets, queries, items, fromIndex, writes int
	rcu                                     float64
}

func (m *readMeter) take() meterReading {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := meterReading{gets: m.gets, queries: m.queries, items: m.items, fromIndex: m.queriedFromGSI1, writes: m.writes, rcu: m.rcu}
	m.gets, m.queries, m.items, m.queriedFromGSI1, m.writes, m.rcu = 0, 0, 0, 0, 0, 0
	return r
}

// benchPending is how many timers BenchmarkSweep100k puts pending.
var benchPending = 100_000

// BenchmarkSweep100k puts 100,000 timers pending (due over the next 60 days, some later the
// same day) and then, in turn, 0, 10, 100 and 1,000 timers due now (needs-info's close: a
// comment and a close each), and reports each sweep's DynamoDB reads: they follow the timers
// due, not the 100,000 pending.
//
//	go run ./infra/cmd/withdynamo -- go test -run '^$' -bench BenchmarkSweep100k -benchtime 1x -timeout 30m ./shared/labels/
func BenchmarkSweep100k(b *testing.B) {
	pending := benchPending
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		r := newRigWith(b, loadConfig(b, "testdata/rituals.yaml"))
		m := &readMeter{Client: r.db}
		r.p.Timers.API, r.p.Mirror.API, r.p.Effects = m, m, store.Effects{API: m, Table: r.table}
		now := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)

		start := time.Now()
		var reqs []types.WriteRequest
		for k := 0; k < pending; k++ {
			t := Timer{Team: "triage", Rule: "needs-info", Repo: "Codertocat/Hello-World", Number: 1_000_000 + k, Activation: "a1",
				Activated: now.Add(-time.Hour), Due: now.Add(time.Minute + time.Duration(k)*(60*24*time.Hour/time.Duration(pending))), State: Pending}
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: t.item()}})
		}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := 0; w < 8; w++ {
			part := reqs[w*len(reqs)/8 : (w+1)*len(reqs)/8]
			wg.Add(1)
			go func() { defer wg.Done(); errs <- store.BatchWrite(ctx, r.db, r.table, part) }()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("%d pending timers written in %v", pending, time.Since(start).Round(time.Second))
		// As the pending timers' creation would have: the earliest is due today.
		cursor := store.Key("LABELSWEEP", "cursor")
		cursor["from"] = store.S(dueDay(now))
		if _, err := r.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &r.table, Item: cursor}); err != nil {
			b.Fatal(err)
		}

		fmt.Printf("\n## Label-rule timer sweep with %d timers pending\n\n", pending)
		fmt.Println("| timers due | sweep | due-index queries | items read from the index | GetItems | read capacity units | writes | fired |")
		fmt.Println("|---|---|---|---|---|---|---|---|")
		next := 1
		for _, due := range []int{0, 10, 100, 1000} {
			for k := 0; k < due; k++ {
				n := next + k
				if _, err := r.p.Mirror.Update(ctx, "Codertocat/Hello-World", n, now, func(is *Issue) bool {
					return is.apply(Snapshot{Repo: "Codertocat/Hello-World", Number: n, Title: "Crash", Author: "Codertocat", Open: true,
						Labels: []string{"needs-info"}, Updated: now.Add(-2 * time.Hour), Received: now.Add(-2 * time.Hour)})
				}); err != nil {
					b.Fatal(err)
				}
				if _, err := r.p.Timers.Create(ctx, Timer{Team: "triage", Rule: "needs-info", Repo: "Codertocat/Hello-World", Number: n,
					Activation: "a1", Activated: now.Add(-2 * time.Hour), Due: now.Add(-time.Duration(k%60) * time.Minute)}); err != nil {
					b.Fatal(err)
				}
			}
			next += due
			m.take()
			began := time.Now()
			st, err := r.p.Sweep(ctx, now)
			took := time.Since(began)
			if err != nil {
				b.Fatal(err)
			}
			got := m.take()
			if st.Fired != due || got.fromIndex != due {
				b.Fatalf("%d due: %+v, reads %+v", due, st, got)
			}
			fmt.Printf("| %d | %v | %d | %d | %d | %.1f | %d | %d |\n", due, took.Round(time.Millisecond), got.queries, got.fromIndex, got.gets, got.rcu, got.writes, st.Fired)
			b.ReportMetric(got.rcu, fmt.Sprintf("RCU/sweep-%d-due", due))
		}
	}
}
