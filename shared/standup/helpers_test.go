package standup

import (
	"os"
	"sort"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
)

func testConfig(t testing.TB) *config.Config {
	t.Helper()
	data, err := os.ReadFile("testdata/standup.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func date(s string) config.Date {
	d, err := config.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func idsOf(slots []Slot) []string {
	out := []string{}
	for _, s := range slots {
		out = append(out, s.ID.String())
	}
	sort.Strings(out)
	return out
}
