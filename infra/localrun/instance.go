package localrun

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/rituals-dev/rituals/shared/killpoint"
)

// Lambda Runtime API paths (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html).
const (
	runtimeAPIPrefix = "/2018-06-01/runtime/"
	extensionPrefix  = "/2020-01-01/extension/"
)

// instance is one bootstrap process (a Lambda execution environment) with its own Runtime API
// listener: each environment has its own endpoint in Lambda too, and it lets the runner tell
// which process holds which invocation, so a timeout kills the right one.
type instance struct {
	fn      *function
	id      int
	cmd     *exec.Cmd
	srv     *http.Server
	started time.Time
	exited  chan struct{}
	stdout  *prefixWriter
	stderr  *prefixWriter

	// guarded by fn.mu
	ready    bool // reached its first /next
	waiting  bool // blocked in /next, counted in fn.idle
	dead     bool
	current  *invocation
	timedOut bool
	// killedAt is the kill point the instance was killed at, or "".
	killedAt string
	initErr  *FunctionError

	// pmu guards the process handle against kill racing start: a kill that comes first is
	// remembered and applied as soon as the process exists.
	pmu    sync.Mutex
	proc   *os.Process
	killed bool
}

// run starts the listener and the process and waits for the process to exit.
func (in *instance) run() {
	f := in.fn
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		in.exit(fmt.Errorf("listen for the runtime API: %w", err))
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+runtimeAPIPrefix+"invocation/next", in.handleNext)
	mux.HandleFunc("POST "+runtimeAPIPrefix+"invocation/{id}/response", in.handleResponse)
	mux.HandleFunc("POST "+runtimeAPIPrefix+"invocation/{id}/error", in.handleError)
	mux.HandleFunc("POST "+runtimeAPIPrefix+"init/error", in.handleInitError)
	mux.HandleFunc("POST "+extensionPrefix+"register", in.handleExtensionRegister)
	mux.HandleFunc("GET "+extensionPrefix+"event/next", in.handleExtensionNext)
	mux.HandleFunc("GET "+killpoint.Path+"{name}", in.handleKillPoint)
	in.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	prefix := "[" + f.name + "] "
	if in.id > 1 {
		prefix = "[" + f.name + "#" + strconv.Itoa(in.id) + "] "
	}
	in.stdout, in.stderr = newPrefixWriter(f.out, prefix), newPrefixWriter(f.out, prefix)
	cmd := exec.Command(f.bin)
	cmd.Dir = filepath.Dir(f.bin)
	cmd.Env = append(append([]string{}, f.env...), "AWS_LAMBDA_RUNTIME_API="+ln.Addr().String())
	cmd.Stdout, cmd.Stderr = in.stdout, in.stderr
	// Own process group, so that a kill takes whatever the bootstrap started too; and dying
	// with the runner, so that a crashed runner leaves nothing behind.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	in.cmd = cmd
	in.started = time.Now()
	srv := in.srv
	go func() { _ = srv.Serve(ln) }()
	if err := cmd.Start(); err != nil {
		_ = in.srv.Close()
		in.exit(fmt.Errorf("start %s: %w", f.bin, err))
		return
	}
	in.pmu.Lock()
	in.proc = cmd.Process
	killNow := in.killed
	in.pmu.Unlock()
	f.mu.Lock()
	killNow = killNow || f.closed
	f.mu.Unlock()
	if killNow {
		in.kill()
	}
	err = cmd.Wait()
	in.stdout.Flush()
	in.stderr.Flush()
	_ = in.srv.Close()
	if err == nil {
		err = fmt.Errorf("exited")
	}
	in.exit(err)
}

// exit accounts for the process having ended: it fails the invocation it held, replaces it
// after a timeout kill, and fails queued invocations when the function cannot start at all.
func (in *instance) exit(cause error) {
	f := in.fn
	f.mu.Lock()
	in.dead = true
	close(in.exited)
	f.alive--
	if in.waiting {
		in.waiting = false
		f.idle--
	}
	wasReady := in.ready
	if !wasReady {
		f.starting--
	}
	cur := in.current
	in.current = nil
	delete(f.instances, in)
	closed, timedOut, initErr, killedAt := f.closed, in.timedOut, in.initErr, in.killedAt
	noneLeft := f.alive == 0
	f.mu.Unlock()

	if closed {
		if cur != nil {
			cur.finish(nil, ErrClosed)
		}
		return
	}
	var fe *FunctionError
	switch {
	case initErr != nil:
		fe = initErr
	case !wasReady:
		fe = &FunctionError{Type: errTypeInit, Message: fmt.Sprintf("instance exited during init: %v (its output is above)", cause)}
	case killedAt != "":
		fe = &FunctionError{Type: errTypeExit, Message: fmt.Sprintf("Runtime exited: %v (killed at kill point %s)", cause, killedAt)}
	default:
		fe = &FunctionError{Type: errTypeExit, Message: fmt.Sprintf("Runtime exited: %v", cause)}
	}
	if cur != nil {
		cur.finish(nil, fe)
	}
	if !timedOut && killedAt == "" {
		fmt.Fprintf(f.log, "rituals: %s instance %d exited: %v\n", f.name, in.id, cause)
	}
	if !wasReady {
		f.markReady(fmt.Errorf("function %s failed to start: %s", f.name, fe.Message))
		if noneLeft {
			f.failQueued(fe)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if (timedOut || killedAt != "") && f.alive < f.maxInstances && !f.closed {
		f.spawnLocked() // Lambda starts a fresh environment after a timeout or a crash
		return
	}
	f.scaleLocked()
}

// kill kills the instance's process group, now or as soon as the process has started.
func (in *instance) kill() {
	in.pmu.Lock()
	defer in.pmu.Unlock()
	in.killed = true
	if in.proc != nil {
		_ = syscall.Kill(-in.proc.Pid, syscall.SIGKILL)
	}
}

// pid is the process id, or 0 before the process has started.
func (in *instance) pid() int {
	in.pmu.Lock()
	defer in.pmu.Unlock()
	if in.proc == nil {
		return 0
	}
	return in.proc.Pid
}

// handleNext blocks until an invocation is queued and hands it to this instance.
func (in *instance) handleNext(w http.ResponseWriter, r *http.Request) {
	f := in.fn
	f.mu.Lock()
	if !in.ready {
		in.ready = true
		f.starting--
		if f.stats.ColdStartMS == 0 {
			f.stats.ColdStartMS = float64(time.Since(in.started).Microseconds()) / 1000
		}
		f.mu.Unlock()
		f.markReady(nil)
		f.mu.Lock()
	}
	if in.current != nil {
		// /next without a response ends the previous invocation, as in Lambda.
		prev := in.current
		in.current = nil
		f.mu.Unlock()
		prev.finish(nil, &FunctionError{Type: "Runtime.NoResponse", Message: "the runtime asked for the next invocation without answering this one"})
		f.mu.Lock()
	}
	in.waiting = true
	f.idle++
	f.mu.Unlock()

	for {
		select {
		case inv := <-f.queue:
			f.mu.Lock()
			f.pending--
			if inv.abandoned.Load() {
				f.mu.Unlock()
				continue
			}
			if in.dead {
				// Raced with this process exiting: give the invocation back.
				f.pending++
				f.mu.Unlock()
				go func() { f.queue <- inv }()
				return
			}
			in.waiting = false
			f.idle--
			in.current = inv
			f.mu.Unlock()
			in.deliver(w, inv)
			return
		case <-in.exited:
			return
		case <-r.Context().Done():
			f.mu.Lock()
			if in.waiting {
				in.waiting = false
				f.idle--
			}
			f.mu.Unlock()
			return
		}
	}
}

func (in *instance) deliver(w http.ResponseWriter, inv *invocation) {
	f := in.fn
	now := time.Now()
	deadline := now.Add(f.timeout)
	inv.setTimer(time.AfterFunc(f.timeout, func() { in.timeout(inv) }))
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", f.arn)
	h.Set("Lambda-Runtime-Trace-Id", traceID(now))
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.payload)
}

// timeout fails inv and kills its instance, like Lambda does past the function's Timeout.
func (in *instance) timeout(inv *invocation) {
	f := in.fn
	f.mu.Lock()
	if in.current != inv {
		f.mu.Unlock()
		return
	}
	in.current = nil
	in.timedOut = true
	f.mu.Unlock()
	inv.finish(nil, &FunctionError{Type: errTypeTimeout, Message: fmt.Sprintf("Task timed out after %.2f seconds", f.timeout.Seconds())})
	fmt.Fprintf(f.log, "rituals: %s request %s timed out after %s; killing instance %d and starting a fresh one\n", f.name, inv.id, f.timeout, in.id)
	in.kill()
}

// take returns the instance's current invocation if it has the given id.
func (in *instance) take(id string) *invocation {
	f := in.fn
	f.mu.Lock()
	defer f.mu.Unlock()
	if in.current == nil || in.current.id != id {
		return nil
	}
	inv := in.current
	in.current = nil
	return inv
}

func (in *instance) handleResponse(w http.ResponseWriter, r *http.Request) {
	inv := in.peek(r.PathValue("id"))
	if inv == nil {
		runtimeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "unknown or finished request id")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxResponseBytes+1))
	if err != nil {
		runtimeAPIError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}
	if in.take(inv.id) == nil {
		runtimeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "request already finished")
		return
	}
	// aws-lambda-go streams the response and reports a failure while streaming in trailers.
	if t := r.Trailer.Get("Lambda-Runtime-Function-Error-Type"); t != "" {
		inv.finish(nil, &FunctionError{Type: t, Message: "error while streaming the response"})
	} else if len(body) > maxResponseBytes {
		inv.finish(nil, &FunctionError{Type: errTypeTooLarge, Message: fmt.Sprintf("response payload exceeds the limit of %d bytes", maxResponseBytes)})
	} else {
		inv.finish(body, nil)
	}
	runtimeAPIAccepted(w)
}

func (in *instance) peek(id string) *invocation {
	f := in.fn
	f.mu.Lock()
	defer f.mu.Unlock()
	if in.current == nil || in.current.id != id {
		return nil
	}
	return in.current
}

func (in *instance) handleError(w http.ResponseWriter, r *http.Request) {
	inv := in.take(r.PathValue("id"))
	if inv == nil {
		runtimeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "unknown or finished request id")
		return
	}
	inv.finish(nil, functionErrorFrom(r))
	runtimeAPIAccepted(w)
}

func (in *instance) handleInitError(w http.ResponseWriter, r *http.Request) {
	fe := functionErrorFrom(r)
	if fe.Type == "" {
		fe.Type = errTypeInit
	}
	f := in.fn
	f.mu.Lock()
	in.initErr = fe
	f.mu.Unlock()
	fmt.Fprintf(f.log, "rituals: %s instance %d reported an init error: %s\n", f.name, in.id, fe.Error())
	runtimeAPIAccepted(w)
	// The runtime is expected to exit now; make sure it does.
	go func() {
		select {
		case <-in.exited:
		case <-time.After(2 * time.Second):
			in.kill()
		}
	}()
}

func functionErrorFrom(r *http.Request) *FunctionError {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	fe := &FunctionError{Payload: body}
	_ = json.Unmarshal(body, fe)
	if t := r.Header.Get("Lambda-Runtime-Function-Error-Type"); t != "" && fe.Type == "" {
		fe.Type = t
	}
	if fe.Type == "" {
		fe.Type = "Unhandled"
	}
	if fe.Message == "" {
		fe.Message = string(body)
	}
	return fe
}

// handleKillPoint answers a function's killpoint.Reach: when the stack's faults arm a kill of
// this function at the point, the instance's process group is killed (SIGKILL) before anything
// is answered, so nothing after the point runs; the invocation it held then fails as a crash
// does in Lambda, and a fresh instance takes the next one. Otherwise it answers 204 at once.
func (in *instance) handleKillPoint(w http.ResponseWriter, r *http.Request) {
	f, point := in.fn, r.PathValue("name")
	if !f.faults.KillAt(f.name, point) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	f.mu.Lock()
	in.killedAt = point
	f.stats.Kills++
	reqID := ""
	if in.current != nil {
		reqID = in.current.id
	}
	f.mu.Unlock()
	fmt.Fprintf(f.log, "rituals: %s instance %d killed at kill point %s (request %s)\n", f.name, in.id, point, reqID)
	in.kill()
	select {
	case <-in.exited:
	case <-r.Context().Done():
	case <-time.After(5 * time.Second):
	}
}

// The Extensions API is answered just enough for aws-lambda-go's lambda.WithEnableSIGTERM,
// which registers an extension and then parks in event/next.
func (in *instance) handleExtensionRegister(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Lambda-Extension-Identifier", newUUID())
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"functionName": in.fn.name, "functionVersion": "$LATEST", "handler": "bootstrap"})
}

func (in *instance) handleExtensionNext(w http.ResponseWriter, r *http.Request) {
	select {
	case <-in.exited:
	case <-r.Context().Done():
	}
}

func runtimeAPIAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"OK"}`))
}

func runtimeAPIError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"errorType": typ, "errorMessage": msg})
}
