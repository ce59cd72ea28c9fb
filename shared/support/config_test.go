package support

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
)

// testConfig parses testdata/rituals.yaml, with edits (old → new string pairs) applied.
func testConfig(t testing.TB, edits ...string) *config.Config {
	t.Helper()
	b, err := os.ReadFile("testdata/rituals.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(s, edits[i]) {
			t.Fatalf("config edit: %q not found", edits[i])
		}
		s = strings.Replace(s, edits[i], edits[i+1], 1)
	}
	cfg, err := config.Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// staticConfig is a ConfigSource that always gives the same config.
type staticConfig struct{ cfg *config.Config }

func (s staticConfig) Current(context.Context, time.Time) (*config.Config, error) { return s.cfg, nil }

func london(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
