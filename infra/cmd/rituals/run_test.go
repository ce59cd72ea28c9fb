package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

func TestRunOptions(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	o, err := runOptions(nil, io.Discard, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if o.Addr != "127.0.0.1:3000" || o.Template != "template.yaml" || o.BuildDir != "build" || !o.Schedules || o.MaxInstances != 8 {
		t.Errorf("defaults %+v", o)
	}
	if o.Secrets["SLACK_BOT_TOKEN"] != "xoxb-local-bot-token" {
		t.Errorf("secrets default to the local ones: %v", o.Secrets["SLACK_BOT_TOKEN"])
	}
	o, err = runOptions([]string{"-template", "t.yaml", "-build-dir", "/tmp/b", "-schedules=false", "-max-instances", "2"},
		io.Discard, env(map[string]string{"PORT": "4000", "SLACK_BOT_TOKEN": "xoxb-mine"}))
	if err != nil {
		t.Fatal(err)
	}
	if o.Addr != "127.0.0.1:4000" || o.Template != "t.yaml" || o.BuildDir != "/tmp/b" || o.Schedules || o.MaxInstances != 2 || o.Secrets["SLACK_BOT_TOKEN"] != "xoxb-mine" {
		t.Errorf("flags %+v", o)
	}
	if o, _ := runOptions([]string{"-port", "5000"}, io.Discard, env(map[string]string{"PORT": "4000"})); o.Addr != "127.0.0.1:5000" {
		t.Errorf("-port must win over $PORT: %s", o.Addr)
	}
	for _, bad := range [][]string{{"-max-instances", "0"}, {"extra"}, {"-nope"}} {
		if _, err := runOptions(bad, io.Discard, env(nil)); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
	if _, err := runOptions(nil, io.Discard, env(map[string]string{"PORT": "http"})); err == nil {
		t.Error("a bad $PORT must be reported")
	}
}

// TestRunFaultsFlag: -faults (or $FAULTS, as `make run FAULTS=...` passes it) is armed at
// start; a file is read with @; a bad spec stops the start with what to write instead.
func TestRunFaultsFlag(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	spec := `{"seed":9,"apis":[{"service":"slack","api":"chat.postMessage","fault":"429","rate":0.5}]}`
	o, err := runOptions(nil, io.Discard, env(map[string]string{"FAULTS": spec}))
	if err != nil || o.Faults.Seed != 9 || len(o.Faults.APIs) != 1 {
		t.Fatalf("$FAULTS: %+v %v", o.Faults, err)
	}
	file := filepath.Join(t.TempDir(), "faults.json")
	if err := os.WriteFile(file, []byte(`{"kills":[{"function":"SupportTriageFunction","point":"effect-ran"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	o, err = runOptions([]string{"-faults", "@" + file}, io.Discard, env(map[string]string{"FAULTS": spec}))
	if err != nil || len(o.Faults.Kills) != 1 || len(o.Faults.APIs) != 0 {
		t.Fatalf("-faults @file: %+v %v", o.Faults, err)
	}
	if _, err := runOptions([]string{"-faults", `{"apis":[{"service":"slack","fault":"429","rate":2}]}`}, io.Discard, env(nil)); err == nil || !strings.Contains(err.Error(), "rate must be in (0, 1]") {
		t.Fatalf("bad spec: %v", err)
	}
}

func TestLoadTeamConfigFileHandling(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	missing := filepath.Join(t.TempDir(), "none.yaml")
	if err := loadTeamConfig(context.Background(), nil, "table", missing, false, time.Now(), &stderr); err != nil {
		t.Errorf("a missing default config must only warn: %v", err)
	}
	if !strings.Contains(stderr.String(), "RITUALS_CONFIG") {
		t.Errorf("warning %q", stderr.String())
	}
	if err := loadTeamConfig(context.Background(), nil, "table", missing, true, time.Now(), io.Discard); err == nil {
		t.Error("a missing RITUALS_CONFIG file must be an error")
	}
	file := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(file, []byte("x: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := loadTeamConfig(context.Background(), nil, "", file, true, time.Now(), io.Discard); err == nil || !strings.Contains(err.Error(), "StateTable") {
		t.Errorf("no state table: %v", err)
	}
}

// The example config `make run` loads by default must push cleanly into a real state table.
func TestLoadTeamConfigPushesTheExample(t *testing.T) {
	t.Parallel()
	db, tables := dynamotest.New(t)
	var stderr bytes.Buffer
	if err := loadTeamConfig(context.Background(), db, tables.State, "../../config/example.yaml", true, time.Now(), &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "as version 1") {
		t.Errorf("stderr %q", stderr.String())
	}
}
