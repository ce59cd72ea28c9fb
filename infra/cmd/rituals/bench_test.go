package main

import (
	"sync"
	"testing"
	"time"
)

// The warm-up goes on while rounds keep getting faster and stops at the first round that is not
// at least 5% faster than the best so far.
func TestWarmUpStopsWhenTheStackStopsGettingFaster(t *testing.T) {
	medians := []time.Duration{100, 80, 60, 58, 40} // ms: the 4th round improves only 3%
	rounds := 0
	calls, err := warmUp(10, 2, func(round int) func(int) (time.Duration, error) {
		rounds = round + 1
		return func(int) (time.Duration, error) { return medians[round] * time.Millisecond, nil }
	})
	if err != nil {
		t.Fatal(err)
	}
	if rounds != 4 || calls != 40 {
		t.Fatalf("warmed %d rounds (%d calls), want 4 rounds (40 calls)", rounds, calls)
	}
}

func TestWarmUpIsBounded(t *testing.T) {
	calls, err := warmUp(3, 1, func(round int) func(int) (time.Duration, error) {
		d := time.Second >> round // every round twice as fast as the one before
		return func(int) (time.Duration, error) { return d, nil }
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != maxWarmRounds*3 {
		t.Fatalf("warmed %d calls, want the cap of %d", calls, maxWarmRounds*3)
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i))
	}
	if p := percentile(ds, 50); p != 50 {
		t.Errorf("p50 = %d, want 50", p)
	}
	if p := percentile(ds, 99); p != 99 {
		t.Errorf("p99 = %d, want 99", p)
	}
}

// The CPU this process burns shows up as the runner's.
func TestProcessCPUCountsThisProcessAsTheRunner(t *testing.T) {
	before := processCPU()
	if len(before) == 0 {
		t.Skip("no /proc on this system")
	}
	// Burn CPU until 100 ms of it is counted as the runner's. On a loaded machine that takes
	// longer than 100 ms of wall time, so the bound is generous; a process whose CPU is counted
	// elsewhere (or not at all) never gets there.
	deadline := time.Now().Add(20 * time.Second)
	x := 0
	for time.Now().Before(deadline) {
		for i := 0; i < 1e6; i++ {
			x++
		}
		if used := processCPU().since(before); used[whoRunner] >= 100*time.Millisecond {
			return
		}
	}
	t.Fatalf("20 s of busy looping (%d turns) was not counted as 100 ms of runner CPU: %v", x, processCPU().since(before))
}

func TestWhoNamesTheProcesses(t *testing.T) {
	for _, tc := range []struct {
		comm string
		self bool
		want string
	}{{"java", false, whoDynamo}, {"bootstrap", false, whoLambdas}, {"rituals", true, whoRunner}, {"java", true, whoRunner}, {"kworker/0:1", false, whoOther}} {
		if got := who(tc.comm, tc.self); got != tc.want {
			t.Errorf("who(%q, %v) = %q, want %q", tc.comm, tc.self, got, tc.want)
		}
	}
}

// The floor and the webhook take turns in slices, each measured n times, so that both see the
// same stretch of machine load.
func TestInterleaveTakesTurns(t *testing.T) {
	var mu sync.Mutex
	var order []string
	sender := func(name string) func(string) (time.Duration, error) {
		return func(string) (time.Duration, error) {
			mu.Lock()
			defer mu.Unlock()
			if len(order) == 0 || order[len(order)-1] != name {
				order = append(order, name)
			}
			return time.Millisecond, nil
		}
	}
	got, err := interleave(100, 3, sender("floor"), sender("webhook"))
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != 20 || order[0] != "floor" || order[1] != "webhook" || order[19] != "webhook" {
		t.Fatalf("turns %v, want floor and webhook alternating over 10 slices each", order)
	}
	if got[0].p99 != time.Millisecond || got[1].p50 != time.Millisecond {
		t.Fatalf("measured %+v", got)
	}
}
