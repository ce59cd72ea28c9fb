package localrun

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/infra/faults"
	"github.com/rituals-dev/rituals/infra/standins"
)

// Admin routes, next to the API Gateway routes on the same server.
const (
	FunctionsPath   = "/_local/functions"
	DeadLettersPath = "/_local/deadletters"
	SchedulesPath   = "/_local/schedules/"
	InvokePath      = "/_local/invoke/"
	FaultsPath      = "/_local/faults"
)

// handler serves the stand-ins, the admin routes and, for everything else, the local API
// Gateway. The server runs from the start, so that functions can reach the stand-ins while
// they initialise; the gateway answers 503 until the routes are bound.
func (s *Stack) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/_standins/", func(w http.ResponseWriter, r *http.Request) { s.Standins.ServeHTTP(w, r) })
	for _, p := range []string{standins.OutboxPath, standins.ConduitSeedPath, standins.SlackSeedPath, standins.OIDCSeedPath, standins.GitHubDeliverPath} {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) { s.Standins.ServeHTTP(w, r) })
	}
	mux.HandleFunc("GET "+FunctionsPath, s.whenReady(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Functions())
	}))
	mux.HandleFunc("GET "+DeadLettersPath, s.whenReady(func(w http.ResponseWriter, r *http.Request) {
		dl := s.DeadLetters()
		if dl == nil {
			dl = []DeadLetter{}
		}
		writeJSON(w, http.StatusOK, dl)
	}))
	mux.HandleFunc("POST "+DeadLettersPath+"/replay", s.whenReady(s.serveReplayAll))
	mux.HandleFunc("POST "+DeadLettersPath+"/{id}/replay", s.whenReady(s.serveReplay))
	mux.HandleFunc("GET "+FaultsPath, s.serveFaults)
	mux.HandleFunc("POST "+FaultsPath, s.serveFaults)
	mux.HandleFunc("DELETE "+FaultsPath, s.serveFaults)
	mux.HandleFunc("POST "+SchedulesPath+"{function}", s.whenReady(s.serveFireSchedule))
	mux.HandleFunc("POST "+InvokePath+"{function}", s.whenReady(s.serveInvoke))
	mux.HandleFunc("GET "+StackInfoPath, s.whenReady(s.serveStackInfo))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		gw := s.gw.Load()
		if gw == nil {
			writeMessage(w, http.StatusServiceUnavailable, "Service Unavailable")
			return
		}
		gw.ServeHTTP(w, r)
	})
	return mux
}

// whenReady answers 503 until Start has bound everything, so that no request sees a half-built
// stack.
func (s *Stack) whenReady(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.gw.Load() == nil {
			writeMessage(w, http.StatusServiceUnavailable, "Service Unavailable")
			return
		}
		h(w, r)
	}
}

// serveFireSchedule answers POST /_local/schedules/<LogicalId>?time=<RFC3339>[&event=<Name>]:
// it fires the function's schedules synchronously as if at that time (now when omitted) and
// answers 200 with the result object, or a list of them when several schedules fired; 404
// names the known schedules.
func (s *Stack) serveFireSchedule(w http.ResponseWriter, r *http.Request) {
	at := s.opts.Now()
	if t := r.URL.Query().Get("time"); t != "" {
		parsed, err := time.Parse(time.RFC3339, t)
		if err != nil {
			writeMessage(w, http.StatusBadRequest, "time must be RFC 3339, like 2024-05-06T07:30:00Z")
			return
		}
		at = parsed
	}
	res, err := s.FireSchedule(r.Context(), r.PathValue("function"), r.URL.Query().Get("event"), at)
	switch {
	case errors.Is(err, ErrNoSchedule):
		writeMessage(w, http.StatusNotFound, err.Error())
	case err != nil:
		writeMessage(w, http.StatusServiceUnavailable, err.Error())
	case len(res) == 1:
		writeJSON(w, http.StatusOK, res[0])
	default:
		writeJSON(w, http.StatusOK, res)
	}
}

// serveInvoke answers POST /_local/invoke/<LogicalId> with the function's response to the
// request body (like `aws lambda invoke`), or 502 with its error.
func (s *Stack) serveInvoke(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxResponseBytes+1))
	if err != nil {
		writeMessage(w, http.StatusBadRequest, err.Error())
		return
	}
	out, err := s.Invoke(r.Context(), r.PathValue("function"), body)
	var fe *FunctionError
	switch {
	case errors.As(err, &fe):
		writeJSON(w, http.StatusBadGateway, fe)
	case err != nil:
		writeMessage(w, http.StatusNotFound, err.Error())
	default:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	}
}

// serveReplay answers POST /_local/deadletters/<id>/replay: the dead letter's records are sent
// to its function again; 200 with the result when every record succeeded (the dead letter is
// deleted), 502 with the result when the function failed again (it stays), 404 for an unknown id.
func (s *Stack) serveReplay(w http.ResponseWriter, r *http.Request) {
	res, err := s.ReplayDeadLetter(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, ErrNoDeadLetter):
		writeMessage(w, http.StatusNotFound, err.Error())
	case err != nil:
		writeMessage(w, http.StatusServiceUnavailable, err.Error())
	case !res.OK:
		writeJSON(w, http.StatusBadGateway, res)
	default:
		writeJSON(w, http.StatusOK, res)
	}
}

// serveReplayAll answers POST /_local/deadletters/replay: every dead letter is replayed, oldest
// first; 200 with the results when all succeeded, 502 when any failed.
func (s *Stack) serveReplayAll(w http.ResponseWriter, r *http.Request) {
	res, err := s.ReplayDeadLetters(r.Context())
	if err != nil {
		writeMessage(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	status := http.StatusOK
	for _, x := range res {
		if !x.OK {
			status = http.StatusBadGateway
		}
	}
	writeJSON(w, status, res)
}

// faultsState is what GET /_local/faults answers.
type faultsState struct {
	Spec     faults.Spec   `json:"spec"`
	Injected faults.Counts `json:"injected"`
}

// serveFaults answers /_local/faults: GET shows the armed spec (kills with what is left) and
// what has been injected; POST arms a new spec (400 says what is wrong with it) and answers it
// as armed, with its seed; DELETE disarms everything.
func (s *Stack) serveFaults(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			writeMessage(w, http.StatusBadRequest, err.Error())
			return
		}
		spec, err := faults.Parse(body)
		if err == nil {
			spec, err = s.faults.Set(spec)
		}
		if err != nil {
			writeMessage(w, http.StatusBadRequest, strings.ReplaceAll(err.Error(), "\n", "; "))
			return
		}
		fmt.Fprintf(s.opts.Log, "rituals: faults armed, %s\n", spec)
		writeJSON(w, http.StatusOK, spec)
	case http.MethodDelete:
		s.faults.Clear()
		fmt.Fprintln(s.opts.Log, "rituals: faults cleared")
		w.WriteHeader(http.StatusNoContent)
	default:
		spec, counts := s.faults.Spec()
		writeJSON(w, http.StatusOK, faultsState{Spec: spec, Injected: counts})
	}
}
