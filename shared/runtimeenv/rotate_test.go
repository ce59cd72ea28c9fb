package runtimeenv

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/httpapi"
)

// ssmFake is a parameter store whose values a test changes, counting reads.
type ssmFake struct {
	mu     sync.Mutex
	values map[string]string
	reads  int
	fail   bool
}

func (s *ssmFake) Parameter(_ context.Context, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	if s.fail {
		return "", errors.New("ThrottlingException")
	}
	return s.values[name], nil
}

func (s *ssmFake) set(name, v string) { s.mu.Lock(); s.values[name] = v; s.mu.Unlock() }
func (s *ssmFake) count() int         { s.mu.Lock(); defer s.mu.Unlock(); return s.reads }

// signed answers 202 to a request whose X-Sig is the signing secret, 401 otherwise, and
// counts what it accepted.
func signed(accepted *int) func(Env) HTTPHandler {
	return func(env Env) HTTPHandler {
		secret := env.Secret("SLACK_SIGNING_SECRET")
		return func(_ context.Context, req httpapi.Request) (httpapi.Response, error) {
			if req.Headers["x-sig"] != secret {
				return httpapi.Response{StatusCode: http.StatusUnauthorized}, nil
			}
			*accepted++
			return httpapi.Response{StatusCode: http.StatusAccepted}, nil
		}
	}
}

func sig(s string) httpapi.Request { return httpapi.Request{Headers: map[string]string{"x-sig": s}} }

// TestRotatingTakesAReplacedSecret: a secret replaced in SSM verifies the first request signed
// with it; refused requests re-read SSM at most once a minute; nothing is served twice.
func TestRotatingTakesAReplacedSecret(t *testing.T) {
	ctx := context.Background()
	ssm := &ssmFake{values: map[string]string{"/r/signing": "old"}}
	env, err := Load(ctx, Spec{Secrets: []string{"SLACK_SIGNING_SECRET"}}, func(k string) string {
		return map[string]string{"SLACK_SIGNING_SECRET_PARAM": "/r/signing"}[k]
	}, ssm)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	accepted := 0
	r := &Rotating{Env: env, Names: []string{"SLACK_SIGNING_SECRET"}, Build: signed(&accepted), Now: func() time.Time { return now }}
	serve := func(s string) int {
		t.Helper()
		resp, err := r.Handle(ctx, sig(s))
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode
	}
	if got := serve("old"); got != http.StatusAccepted || ssm.count() != 1 {
		t.Fatalf("the boot secret: %d, %d SSM reads", got, ssm.count())
	}
	ssm.set("/r/signing", "new") // rituals setup replaced it
	if got := serve("new"); got != http.StatusAccepted || ssm.count() != 2 || accepted != 2 {
		t.Fatalf("the replaced secret: %d, %d SSM reads, %d accepted", got, ssm.count(), accepted)
	}
	if got := serve("old"); got != http.StatusUnauthorized {
		t.Errorf("the old secret after the change: %d", got)
	}
	for i := 0; i < 5; i++ {
		serve("forged")
	}
	if ssm.count() != 2 {
		t.Errorf("refused requests within the minute read SSM: %d reads", ssm.count())
	}
	now = now.Add(time.Minute)
	if got := serve("forged"); got != http.StatusUnauthorized || ssm.count() != 3 {
		t.Errorf("a minute later: %d, %d reads", got, ssm.count())
	}
	now = now.Add(time.Minute)
	ssm.fail = true
	if got := serve("newer"); got != http.StatusUnauthorized || serve("new") != http.StatusAccepted {
		t.Errorf("an SSM failure must leave the handler as it was: %d", got)
	}
	if accepted != 3 {
		t.Errorf("%d requests accepted, want 3", accepted)
	}
}

// TestRotatingLeavesPlainSecrets: a secret given as a plain value (the local stack) is never
// re-read.
func TestRotatingLeavesPlainSecrets(t *testing.T) {
	ctx := context.Background()
	ssm := &ssmFake{values: map[string]string{}}
	env, err := Load(ctx, Spec{Secrets: []string{"SLACK_SIGNING_SECRET"}}, func(k string) string {
		return map[string]string{"SLACK_SIGNING_SECRET": "plain"}[k]
	}, ssm)
	if err != nil {
		t.Fatal(err)
	}
	accepted := 0
	r := &Rotating{Env: env, Names: []string{"SLACK_SIGNING_SECRET"}, Build: signed(&accepted)}
	if resp, _ := r.Handle(ctx, sig("other")); resp.StatusCode != http.StatusUnauthorized || ssm.count() != 0 {
		t.Errorf("%d, %d SSM reads", resp.StatusCode, ssm.count())
	}
}
