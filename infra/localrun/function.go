package localrun

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/rituals-dev/rituals/infra/faults"
)

// function runs one template function: a pool of bootstrap processes (instances), each with
// its own Lambda Runtime API endpoint, that take invocations from a shared queue. Like Lambda
// it keeps one instance warm, starts another when an invocation waits and every instance is
// busy (up to maxInstances), and replaces an instance it killed for a timeout.
type function struct {
	name         string
	bin          string
	env          []string
	timeout      time.Duration
	memoryMB     int
	arn          string
	maxInstances int
	log          io.Writer // runner diagnostics
	out          io.Writer // where the children's output goes, prefixed
	bootstrapLen int64
	// faults decides which kill points kill an instance (nil: none).
	faults *faults.Injector

	queue chan *invocation
	// ready is closed when the first instance reaches /next, or exits before it (then
	// startErr says why). Start waits on it so a broken function fails `rituals run` at once.
	ready     chan struct{}
	readyOnce sync.Once
	wg        sync.WaitGroup

	mu        sync.Mutex
	closed    bool
	alive     int // processes started and not yet exited
	starting  int // of those, not yet at their first /next
	idle      int // instances blocked in /next
	pending   int // invocations queued and not yet taken
	nextID    int
	instances map[*instance]struct{}
	stats     FunctionStats
	startErr  error
}

// FunctionStats are the counters GET /_local/functions reports for one function.
type FunctionStats struct {
	Function       string `json:"function"`
	BootstrapBytes int64  `json:"bootstrap_bytes"`
	// ColdStartMS is the first instance's time from process start to its first /next.
	ColdStartMS float64 `json:"cold_start_ms"`
	// Instances is how many processes are running now; Started counts every one ever started.
	Instances   int   `json:"instances"`
	Started     int   `json:"instances_started"`
	Invocations int64 `json:"invocations"`
	Errors      int64 `json:"errors"`
	Timeouts    int64 `json:"timeouts"`
	// Kills counts instances killed at a kill point.
	Kills int64 `json:"kills"`
}

func newFunction(name, bin string, bootstrapLen int64, env []string, timeout time.Duration, memoryMB int, arn string, maxInstances int, log, out io.Writer) *function {
	return &function{
		name: name, bin: bin, bootstrapLen: bootstrapLen, env: env, timeout: timeout, memoryMB: memoryMB, arn: arn,
		maxInstances: maxInstances, log: log, out: out,
		queue:     make(chan *invocation, 4096),
		ready:     make(chan struct{}),
		instances: map[*instance]struct{}{},
		stats:     FunctionStats{Function: name, BootstrapBytes: bootstrapLen},
	}
}

// start launches the first instance.
func (f *function) start() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.spawnLocked()
}

// waitReady waits until the first instance is ready to take invocations.
func (f *function) waitReady(ctx context.Context, limit time.Duration) error {
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-f.ready:
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.startErr
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return fmt.Errorf("function %s: no instance asked for an invocation within %s", f.name, limit)
	}
}

// invoke runs one invocation and returns the function's response payload, a *FunctionError,
// or ErrClosed / ctx.Err().
func (f *function) invoke(ctx context.Context, payload []byte) ([]byte, error) {
	inv := newInvocation(payload)
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil, ErrClosed
	}
	f.pending++
	f.stats.Invocations++
	f.scaleLocked()
	f.mu.Unlock()
	select {
	case f.queue <- inv:
	case <-ctx.Done():
		f.mu.Lock()
		f.pending--
		f.mu.Unlock()
		return nil, ctx.Err()
	}
	select {
	case res := <-inv.done:
		if fe, ok := res.err.(*FunctionError); ok {
			f.mu.Lock()
			f.stats.Errors++
			if fe.IsTimeout() {
				f.stats.Timeouts++
			}
			f.mu.Unlock()
		}
		return res.payload, res.err
	case <-ctx.Done():
		// An instance that already took it finishes it and the result is dropped; one that
		// has not yet skips it.
		inv.abandoned.Store(true)
		return nil, ctx.Err()
	}
}

// scaleLocked starts an instance when invocations wait that no idle or starting instance will
// take, and the cap allows. f.mu must be held.
func (f *function) scaleLocked() {
	if !f.closed && f.pending > f.idle+f.starting && f.alive < f.maxInstances {
		f.spawnLocked()
	}
}

func (f *function) spawnLocked() {
	f.alive++
	f.starting++
	f.nextID++
	f.stats.Started++
	in := &instance{fn: f, id: f.nextID, exited: make(chan struct{})}
	f.instances[in] = struct{}{}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		in.run()
	}()
}

// failQueued fails every queued invocation with err; used when no instance can start.
func (f *function) failQueued(err error) {
	for {
		select {
		case inv := <-f.queue:
			f.mu.Lock()
			f.pending--
			f.mu.Unlock()
			inv.finish(nil, err)
		default:
			return
		}
	}
}

func (f *function) markReady(err error) {
	f.readyOnce.Do(func() {
		f.mu.Lock()
		f.startErr = err
		f.mu.Unlock()
		close(f.ready)
	})
}

func (f *function) snapshot() FunctionStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.stats
	s.Instances = f.alive
	return s
}

// close kills every instance and fails whatever is still queued.
func (f *function) close() {
	f.mu.Lock()
	f.closed = true
	var ins []*instance
	for in := range f.instances {
		ins = append(ins, in)
	}
	f.mu.Unlock()
	sort.Slice(ins, func(i, j int) bool { return ins[i].id < ins[j].id })
	for _, in := range ins {
		in.kill()
	}
	f.wg.Wait()
	f.failQueued(ErrClosed)
	f.markReady(ErrClosed)
}
