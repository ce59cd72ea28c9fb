package faults

import (
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Injector holds the armed Spec and makes every choice from its seed. Each rule draws from its
// own generator, seeded by the spec's seed and the rule's place, in the order matching calls
// arrive: the same seed and the same order of calls give the same faults. It is safe for
// concurrent use, and costs one atomic load per call while nothing is armed.
type Injector struct {
	armed atomic.Bool
	// NewSeed picks a seed for a spec without one; time-based when nil.
	NewSeed func() int64

	mu     sync.Mutex
	spec   Spec
	apis   []*rule
	dynamo []*rule
	kills  []*rule
	counts Counts
}

// Counts are what has been injected since the spec was set.
type Counts struct {
	API      int `json:"api"`
	DynamoDB int `json:"dynamodb"`
	Kills    int `json:"kills"`
}

type rule struct {
	rng  *rand.Rand
	rate float64
	hits int
}

// Rule kinds, mixed into each rule's generator seed so that no two rules share a stream.
const (
	kindAPI = iota + 1
	kindDynamo
	kindKill
)

func newRule(seed int64, kind, index int, rate float64) *rule {
	return &rule{rng: rand.New(rand.NewPCG(uint64(seed), uint64(kind)<<32|uint64(index))), rate: rate}
}

func (r *rule) roll() bool {
	if r.rate >= 1 || r.rng.Float64() < r.rate {
		r.hits++
		return true
	}
	return false
}

// Set arms spec (after Validate), replacing what was armed, and returns it as armed: with its
// seed chosen when it had none, and defaults filled in.
func (in *Injector) Set(spec Spec) (Spec, error) {
	if err := spec.Validate(); err != nil {
		return Spec{}, err
	}
	if spec.Seed == 0 {
		spec.Seed = in.newSeed()
	}
	spec.APIs = append([]APIFault(nil), spec.APIs...)
	spec.DynamoDB = append([]DynamoFault(nil), spec.DynamoDB...)
	spec.Kills = append([]Kill(nil), spec.Kills...)
	var apis, dynamo, kills []*rule
	for i, f := range spec.APIs {
		if f.RetryAfter == 0 {
			spec.APIs[i].RetryAfter = 1
		}
		if f.Fault == Slow && f.Delay == 0 {
			spec.APIs[i].Delay = Duration(2 * time.Second)
		}
		apis = append(apis, newRule(spec.Seed, kindAPI, i, f.Rate))
	}
	for i, f := range spec.DynamoDB {
		spec.DynamoDB[i].Operation = strings.TrimPrefix(f.Operation, dynamoTargetPrefix)
		if f.Fault == Latency && f.Delay == 0 {
			spec.DynamoDB[i].Delay = Duration(100 * time.Millisecond)
		}
		dynamo = append(dynamo, newRule(spec.Seed, kindDynamo, i, f.Rate))
	}
	for i, k := range spec.Kills {
		if k.Count == 0 {
			spec.Kills[i].Count = 1
		}
		rate := k.Rate
		if rate == 0 {
			rate = 1
		}
		kills = append(kills, newRule(spec.Seed, kindKill, i, rate))
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.spec, in.counts = spec, Counts{}
	in.apis, in.dynamo, in.kills = apis, dynamo, kills
	out := spec
	out.Kills = append([]Kill(nil), spec.Kills...)
	in.armed.Store(len(spec.APIs)+len(spec.DynamoDB)+len(spec.Kills) > 0)
	return out, nil
}

func (in *Injector) newSeed() int64 {
	if in.NewSeed != nil {
		if s := in.NewSeed(); s != 0 {
			return s
		}
	}
	s := time.Now().UnixNano() % 1_000_000_000
	if s == 0 {
		s = 1
	}
	return s
}

// Clear disarms everything.
func (in *Injector) Clear() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.spec, in.apis, in.dynamo, in.kills = Spec{}, nil, nil, nil
	in.armed.Store(false)
}

// Spec returns the armed spec (kills with the counts left) and what has been injected.
func (in *Injector) Spec() (Spec, Counts) {
	in.mu.Lock()
	defer in.mu.Unlock()
	s := in.spec
	s.APIs = append([]APIFault(nil), s.APIs...)
	s.DynamoDB = append([]DynamoFault(nil), s.DynamoDB...)
	s.Kills = append([]Kill(nil), s.Kills...)
	return s, in.counts
}

// APIFor returns the fault to inject into one call of service's api, or nil.
func (in *Injector) APIFor(service, api string) *APIFault {
	if in == nil || !in.armed.Load() {
		return nil
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	for i, f := range in.spec.APIs {
		if f.Service != service || (f.API != "" && f.API != api) {
			continue
		}
		if in.apis[i].roll() {
			in.counts.API++
			out := f
			return &out
		}
	}
	return nil
}

// dynamoTargetPrefix is the X-Amz-Target prefix of DynamoDB's operations.
const dynamoTargetPrefix = "DynamoDB_20120810."

// DynamoFor returns the fault to inject into one DynamoDB request (by its X-Amz-Target), or nil.
func (in *Injector) DynamoFor(target string) *DynamoFault {
	if in == nil || !in.armed.Load() {
		return nil
	}
	op := strings.TrimPrefix(target, dynamoTargetPrefix)
	in.mu.Lock()
	defer in.mu.Unlock()
	for i, f := range in.spec.DynamoDB {
		if f.Operation != "" && f.Operation != op {
			continue
		}
		if in.dynamo[i].roll() {
			in.counts.DynamoDB++
			out := f
			return &out
		}
	}
	return nil
}

// KillAt reports whether an instance of function that reached point must be killed now, and
// counts the kill.
func (in *Injector) KillAt(function, point string) bool {
	if in == nil || !in.armed.Load() {
		return false
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	for i, k := range in.spec.Kills {
		if k.Function != function || k.Point != point || k.Count <= 0 {
			continue
		}
		if in.kills[i].roll() {
			in.spec.Kills[i].Count--
			in.counts.Kills++
			return true
		}
	}
	return false
}
