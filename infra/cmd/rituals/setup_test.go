package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The admin commands' own mistakes are answered with what to type.
func TestSetupAndDoctorArguments(t *testing.T) {
	t.Parallel()
	env := func(string) string { return "" }
	noBrowser := func(string) error { return nil }
	cases := []struct {
		name string
		run  func(stdout, stderr *bytes.Buffer) error
		want string
	}{
		{"setup alone", func(o, e *bytes.Buffer) error { return runSetup(context.Background(), nil, nil, o, e, env, noBrowser) }, "say what to set up (github or slack)"},
		{"setup something else", func(o, e *bytes.Buffer) error {
			return runSetup(context.Background(), []string{"jira"}, nil, o, e, env, noBrowser)
		}, `unknown "jira" (github or slack)`},
		{"a local stack that is not running", func(o, e *bytes.Buffer) error {
			return runSetup(context.Background(), []string{"slack", "--local", "http://127.0.0.1:1"}, nil, o, e, env, noBrowser)
		}, "no local stack at http://127.0.0.1:1: start it with `make run`"},
		{"doctor with extra words", func(o, e *bytes.Buffer) error { return runDoctor(context.Background(), []string{"now"}, o, e, env) }, "unexpected arguments [now]"},
		{"doctor without a stack", func(o, e *bytes.Buffer) error {
			return runDoctor(context.Background(), []string{"--template", "none"}, o, e, env)
		}, "which stack? pass --stack NAME"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var o, e bytes.Buffer
			err := tc.run(&o, &e)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
	var o bytes.Buffer
	if err := runSetup(context.Background(), []string{"help"}, nil, &o, &o, env, noBrowser); err != nil || !strings.Contains(o.String(), "rituals setup github [--org ORG]") {
		t.Errorf("help: %v %s", err, o.String())
	}
}
