// Package killpoint marks the places in a function where a crash would be most harmful (after
// an effect's claim and before its done record; after a commit and before its event), so that
// the local stack's fault injection can SIGKILL a function instance exactly there and the tests
// can prove that nothing is lost or done twice.
//
// In AWS the variable is never set and Reach costs one boolean check. Under the local runner
// (which sets RITUALS_KILLPOINTS=1) Reach asks the instance's own Runtime API listener whether
// a kill is armed for that point; when it is, the runner kills the process before answering,
// so the code after the point never runs.
package killpoint

import (
	"net/http"
	"os"
	"sync"
	"time"
)

// Named points. Features may add their own; the runner accepts any name.
const (
	// EffectClaimed is after store.Effects has claimed an effect and before it runs.
	EffectClaimed = "effect-claimed"
	// EffectRan is after an effect ran (the API call succeeded) and before it is recorded done.
	EffectRan = "effect-ran"
	// Committed is after a state change committed and before the work it implies is recorded.
	Committed = "committed"
)

// EnvVar enables kill points when set to 1 (the local runner sets it; template.yaml never does).
const EnvVar = "RITUALS_KILLPOINTS"

// Path is where, below the instance's Runtime API, the runner answers kill-point checks.
const Path = "/_local/killpoint/"

var (
	once    sync.Once
	enabled bool
	base    string
	client  = &http.Client{Timeout: 2 * time.Second}
)

func load() {
	enabled = os.Getenv(EnvVar) == "1" && os.Getenv("AWS_LAMBDA_RUNTIME_API") != ""
	base = "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + Path
}

// Reach reports that the function has reached the named point. It returns at once unless the
// local runner has armed a kill there, in which case the process dies inside the call.
func Reach(name string) {
	once.Do(load)
	if !enabled {
		return
	}
	resp, err := client.Get(base + name)
	if err == nil {
		_ = resp.Body.Close()
	}
}
