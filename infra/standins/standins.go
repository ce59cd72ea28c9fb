// Package standins serves local stand-ins for the Slack Web API, the GitHub REST/GraphQL API and
// Phabricator's Conduit, close enough for slack-go, go-github and a Conduit client. Each checks
// what it receives as the real API would (authentication, required fields), keeps enough state
// for later calls to be consistent (messages, issues, tasks), and records every call in an
// Outbox that tests and developers can inspect.
package standins

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/infra/faults"
)

// Paths, relative to the server the handler is mounted on.
const (
	SlackAPIPath      = "/_standins/slack/api/"
	SlackResponsePath = "/_standins/slack/response/"
	GitHubAPIPath     = "/_standins/github/"
	ConduitAPIPath    = "/_standins/conduit/api/"
	OutboxPath        = "/_local/outbox"
	ConduitSeedPath   = "/_local/conduit/seed"
	SlackSeedPath     = "/_local/slack/seed"
)

// SlackAPIURL is the SLACK_API_URL for a stand-in served at base ("http://127.0.0.1:3000").
func SlackAPIURL(base string) string { return strings.TrimSuffix(base, "/") + SlackAPIPath }

// GitHubAPIURL is the GITHUB_API_URL (go-github's BaseURL) for a stand-in served at base.
func GitHubAPIURL(base string) string { return strings.TrimSuffix(base, "/") + GitHubAPIPath }

// ConduitAPIURL is the CONDUIT_API_URL for a stand-in served at base; methods are below api/.
func ConduitAPIURL(base string) string {
	return strings.TrimSuffix(base, "/") + strings.TrimSuffix(ConduitAPIPath, "api/")
}

// ResponseURL is a Slack response_url served by the stand-in at base; posts to it are recorded
// with api "response_url".
func ResponseURL(base, id string) string {
	return strings.TrimSuffix(base, "/") + SlackResponsePath + id
}

// Options configures a Server.
type Options struct {
	// The credentials the stand-ins accept; calls with others are refused as the real APIs do.
	SlackBotToken string
	GitHubToken   string
	ConduitToken  string
	// OIDCClientID and OIDCClientSecret are the Slack app's credentials for Sign in with Slack.
	OIDCClientID     string
	OIDCClientSecret string
	// ConduitFlavor is the server Conduit answers like: FlavorPhabricator (the default) or
	// FlavorPhorge; a seed can switch it.
	ConduitFlavor string
	// Now stamps calls and objects; time.Now when nil.
	Now func() time.Time
	// WebhookURL is the stack's GitHub webhook URL, and WebhookSecret its secret: hooks the
	// GitHub stand-in creates for POST /_local/github/deliveries point there and sign with it.
	WebhookURL    string
	WebhookSecret string
	// Faults, when set, makes a share of calls fail before the stand-ins act on them (see
	// infra/faults); refused calls are recorded with their Fault.
	Faults *faults.Injector
}

// Server holds the stand-ins' state and their shared outbox.
type Server struct {
	opts    Options
	outbox  *Outbox
	slack   *slackAPI
	github  *githubAPI
	conduit *conduitAPI
	oidc    *oidcProvider
	mux     *http.ServeMux
	// setup.go: what `rituals setup` and `rituals doctor` talk to.
	ghApps    *githubApps
	slackApps *slackApps
	ssm       *ssmAPI
	cfn       *cloudFormationAPI
}

// New returns stand-ins accepting the given credentials.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, outbox: NewOutbox(opts.Now)}
	s.slack = newSlackAPI(s)
	s.github = newGitHubAPI(s)
	s.conduit = newConduitAPI(s)
	s.oidc = newOIDCProvider(s)
	mux := http.NewServeMux()
	mux.HandleFunc(SlackAPIPath+"{method}", s.slack.serveAPI)
	mux.HandleFunc(SlackResponsePath+"{id}", s.slack.serveResponseURL)
	mux.HandleFunc("POST "+SlackSeedPath, s.slack.serveSeed)
	mux.HandleFunc(SlackUploadPath+"{id}", s.slack.serveUpload)
	mux.HandleFunc("GET "+SlackFilesPath+"{id}", s.slack.serveFile)
	mux.Handle(GitHubAPIPath, http.StripPrefix(strings.TrimSuffix(GitHubAPIPath, "/"), s.github.handler()))
	mux.HandleFunc(ConduitAPIPath+"{method}", s.conduit.serveAPI)
	mux.HandleFunc("POST "+ConduitSeedPath, s.conduit.serveSeed)
	mux.Handle(OutboxPath, s.outbox)
	mux.HandleFunc("POST "+GitHubDeliverPath, s.serveDeliver)
	s.oidc.register(mux)
	s.registerSetup(mux)
	s.registerAppHooks(mux)
	s.mux = mux
	return s
}

// Outbox returns the shared call log.
func (s *Server) Outbox() *Outbox { return s.outbox }

// ServeHTTP serves every stand-in path, the outbox and the seed endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) now() time.Time { return s.opts.Now() }

// maxBody bounds what a stand-in reads from one request.
const maxBody = 10 << 20

func readBody(r *http.Request) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r.Body, maxBody))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// jsonValue round-trips v through JSON so that the outbox holds plain maps and slices, the same
// shapes a client decoding GET /_local/outbox sees.
func jsonValue(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

const redacted = "<redacted>"

// fault injects the armed fault, if any, into one call before the stand-in acts on it. A
// refused call (a 429, a 5xx, a dropped connection, a slow call whose client gave up) is
// recorded in the outbox with its Fault, and the caller must return without acting; a slow
// call that was served is marked Delayed and goes on.
func (s *Server) fault(w http.ResponseWriter, r *http.Request, call *Call) (refused bool) {
	f := s.opts.Faults.APIFor(call.Service, call.API)
	if f == nil {
		return false
	}
	outcome, refused := faults.Apply(w, r, call.Service, f)
	if !refused {
		call.Delayed = time.Duration(f.Delay).String()
		return false
	}
	call.Fault = outcome
	call.Status, _ = strconv.Atoi(f.Fault)
	s.outbox.Record(*call)
	return true
}
