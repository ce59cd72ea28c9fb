package runtimeenv

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

type params map[string]string

func (p params) Parameter(_ context.Context, name string) (string, error) {
	v, ok := p[name]
	if !ok {
		return "", fmt.Errorf("%w: %s", ErrParamNotFound, name)
	}
	return v, nil
}

func TestLoad(t *testing.T) {
	t.Parallel()
	spec := Spec{Vars: []string{"EVENTS_TABLE", "STATE_TABLE"}, Secrets: []string{"GITHUB_WEBHOOK_SECRET", "SLACK_BOT_TOKEN"}}
	cases := []struct {
		name    string
		env     map[string]string
		params  params
		wantErr []string
		secret  string
	}{
		{"plain secrets (local)", map[string]string{"EVENTS_TABLE": "e", "STATE_TABLE": "s", "GITHUB_WEBHOOK_SECRET": "gh", "SLACK_BOT_TOKEN": "xoxb"}, nil, nil, "gh"},
		{"secrets from SSM", map[string]string{"EVENTS_TABLE": "e", "STATE_TABLE": "s", "GITHUB_WEBHOOK_SECRET_PARAM": "/r/gh", "SLACK_BOT_TOKEN_PARAM": "/r/slack"}, params{"/r/gh": "from-ssm", "/r/slack": "xoxb"}, nil, "from-ssm"},
		{"every missing variable at once", map[string]string{"STATE_TABLE": "s"}, nil, []string{"EVENTS_TABLE", "GITHUB_WEBHOOK_SECRET (or GITHUB_WEBHOOK_SECRET_PARAM)", "SLACK_BOT_TOKEN (or SLACK_BOT_TOKEN_PARAM)"}, ""},
		{"missing parameter names it", map[string]string{"EVENTS_TABLE": "e", "STATE_TABLE": "s", "GITHUB_WEBHOOK_SECRET_PARAM": "/r/gh", "SLACK_BOT_TOKEN": "x"}, params{}, []string{"SSM parameter /r/gh"}, ""},
		{"empty parameter", map[string]string{"EVENTS_TABLE": "e", "STATE_TABLE": "s", "GITHUB_WEBHOOK_SECRET_PARAM": "/r/gh", "SLACK_BOT_TOKEN": "x"}, params{"/r/gh": ""}, []string{"is empty"}, ""},
		{"blank parameter", map[string]string{"EVENTS_TABLE": "e", "STATE_TABLE": "s", "GITHUB_WEBHOOK_SECRET_PARAM": "/r/gh", "SLACK_BOT_TOKEN": "x"}, params{"/r/gh": " \n"}, []string{"is empty"}, ""},
		{"blank secret is not a secret", map[string]string{"EVENTS_TABLE": "e", "STATE_TABLE": "s", "GITHUB_WEBHOOK_SECRET": "  ", "SLACK_BOT_TOKEN": "x"}, nil, []string{"GITHUB_WEBHOOK_SECRET (or GITHUB_WEBHOOK_SECRET_PARAM)"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			getenv := func(k string) string { return tc.env[k] }
			env, err := Load(context.Background(), spec, getenv, tc.params)
			if len(tc.wantErr) > 0 {
				if err == nil {
					t.Fatal("no error")
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if env.Secret("GITHUB_WEBHOOK_SECRET") != tc.secret || env.Var("EVENTS_TABLE") != "e" {
				t.Fatalf("env = %v", env)
			}
			if strings.Contains(env.String(), tc.secret) {
				t.Errorf("String() reveals a secret: %s", env.String())
			}
		})
	}
}

type failing struct{}

func (failing) Parameter(context.Context, string) (string, error) {
	return "", errors.New("AccessDeniedException")
}

// A choice takes its first complete option, from plain values or SSM; absent parameters of
// other options are no error; none complete says every form and what to do.
func TestLoadChoice(t *testing.T) {
	t.Parallel()
	spec := Spec{Choices: []Choice{GitHubCredentials}}
	vars := map[string]string{"GITHUB_APP_ID_PARAM": "/r/app-id", "GITHUB_APP_PRIVATE_KEY_PARAM": "/r/app-key", "GITHUB_TOKEN_PARAM": "/r/token"}
	with := func(extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range vars {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	cases := []struct {
		name    string
		env     map[string]string
		ssm     ParamReader
		app     string
		token   string
		wantErr []string
	}{
		{"the app from SSM", vars, params{"/r/app-id": "12", "/r/app-key": "pem", "/r/token": "ghp"}, "12", "", nil},
		{"the token when there is no app", vars, params{"/r/token": "ghp"}, "", "ghp", nil},
		{"half an app falls back to the token", vars, params{"/r/app-id": "12", "/r/token": "ghp"}, "", "ghp", nil},
		{"plain values win over SSM", with(map[string]string{"GITHUB_TOKEN": "plain"}), nil, "", "plain", nil},
		{"a plain app", map[string]string{"GITHUB_APP_ID": "7", "GITHUB_APP_PRIVATE_KEY": "k"}, nil, "7", "", nil},
		{"nothing anywhere", vars, params{}, "", "", []string{"GitHub credentials missing", "GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY, or GITHUB_TOKEN", "rituals setup github", "SSM /r/token"}},
		{"an SSM error is not absence", vars, failing{}, "", "", []string{"AccessDeniedException", "/r/app-id"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			getenv := func(k string) string { return tc.env[k] }
			if NeedsParams(spec, getenv) != (tc.ssm != nil) {
				t.Errorf("NeedsParams = %v", !(tc.ssm != nil))
			}
			env, err := Load(context.Background(), spec, getenv, tc.ssm)
			if len(tc.wantErr) > 0 {
				if err == nil {
					t.Fatal("no error")
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if env.Secret("GITHUB_APP_ID") != tc.app || env.Secret("GITHUB_TOKEN") != tc.token {
				t.Errorf("app %q token %q", env.Secret("GITHUB_APP_ID"), env.Secret("GITHUB_TOKEN"))
			}
		})
	}
	if !IsChoice("GITHUB_TOKEN") || IsChoice("SLACK_BOT_TOKEN") {
		t.Error("IsChoice")
	}
}
