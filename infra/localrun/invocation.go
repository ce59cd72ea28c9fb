package localrun

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// FunctionError is an invocation that failed inside the function: an error it reported
// through the Runtime API, a timeout, a crash or a failed init. Errors of the runner itself
// (the stack closing, a cancelled context) are not FunctionErrors.
type FunctionError struct {
	// Type is errorType as the function reported it, or Sandbox.Timedout, Runtime.ExitError,
	// Runtime.InitError, Function.ResponseSizeTooLarge for failures the runner detects.
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
	// Payload is the function's error document as posted, when there is one.
	Payload []byte `json:"-"`
}

func (e *FunctionError) Error() string {
	if e.Type == "" {
		return e.Message
	}
	return e.Type + ": " + e.Message
}

// IsTimeout reports whether the invocation was killed for running past the function's Timeout.
func (e *FunctionError) IsTimeout() bool { return e.Type == errTypeTimeout }

const (
	errTypeTimeout  = "Sandbox.Timedout"
	errTypeExit     = "Runtime.ExitError"
	errTypeInit     = "Runtime.InitError"
	errTypeTooLarge = "Function.ResponseSizeTooLarge"
)

// ErrClosed is returned by invocations on a stack that is shutting down.
var ErrClosed = errors.New("local stack is closed")

// maxResponseBytes is Lambda's limit for a synchronous response payload.
const maxResponseBytes = 6 << 20

type invokeResult struct {
	payload []byte
	err     error
}

// invocation is one request to a function, queued until an instance takes it.
type invocation struct {
	id        string
	payload   []byte
	done      chan invokeResult
	finished  atomic.Bool
	abandoned atomic.Bool

	mu    sync.Mutex
	timer *time.Timer
}

func newInvocation(payload []byte) *invocation {
	return &invocation{id: newUUID(), payload: payload, done: make(chan invokeResult, 1)}
}

// finish delivers the result once; later calls (a response racing a timeout) are ignored.
func (inv *invocation) finish(payload []byte, err error) bool {
	if !inv.finished.CompareAndSwap(false, true) {
		return false
	}
	inv.mu.Lock()
	if inv.timer != nil {
		inv.timer.Stop()
	}
	inv.mu.Unlock()
	inv.done <- invokeResult{payload, err}
	return true
}

func (inv *invocation) setTimer(t *time.Timer) {
	inv.mu.Lock()
	inv.timer = t
	inv.mu.Unlock()
}

// newUUID returns a random (version 4) UUID, the shape of Lambda request ids.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// traceID returns an X-Ray style trace header value.
func traceID(now time.Time) string {
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", now.Unix(), randomHex(12), randomHex(8))
}
