package activity

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rituals-dev/rituals/shared/clip"
)

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{name: "short", in: "abc", n: 5, want: "abc"},
		{name: "exact", in: "abc", n: 3, want: "abc"},
		{name: "ascii", in: "abcdef", n: 4, want: "abcd"},
		{name: "mid rune", in: "a€b", n: 3, want: "a"}, // € is 3 bytes
		{name: "after rune", in: "a€b", n: 4, want: "a€"},
		{name: "replacement char kept", in: "a\uFFFDb", n: 4, want: "a\uFFFD"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := clip.Prefix(tc.in, tc.n)
			if got != tc.want || !utf8.ValidString(got) || len(got) > tc.n {
				t.Errorf("clip.Prefix(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
		})
	}
}

func TestFirstLine(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"one": "one", "one\ntwo": "one", "one\r\n\r\ntwo": "one", "": ""} {
		if got := firstLine(in); got != want {
			t.Errorf("firstLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKeysSortByTime(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	early := Item{Kind: KindCommit, Repo: "Zed/zz", At: base}
	late := Item{Kind: KindCommit, Repo: "Aa/aa", At: base.Add(time.Second).In(time.FixedZone("X", -8*3600))}
	if a, b := activitySK(early, "z"), activitySK(late, "a"); a >= b {
		t.Errorf("%q sorts after %q", a, b)
	}
	// Versions compare by updated time first, then receipt time, across zones and precisions.
	v := []string{
		version(base, base.Add(time.Hour)),
		version(base, base.Add(time.Hour+time.Nanosecond)),
		version(base.Add(time.Second).In(time.FixedZone("Y", 3600)), base),
	}
	for i := 1; i < len(v); i++ {
		if v[i-1] >= v[i] {
			t.Errorf("version %q >= %q", v[i-1], v[i])
		}
	}
	if !strings.HasPrefix(activitySK(late, "1"), "2026-03-02T09:00:01Z#aa/aa#commit#1") {
		t.Errorf("sort key %q", activitySK(late, "1"))
	}
}

func TestCeilSecond(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if got := ceilSecond(base); !got.Equal(base) {
		t.Errorf("ceilSecond(whole) = %v", got)
	}
	if got := ceilSecond(base.Add(time.Nanosecond)); !got.Equal(base.Add(time.Second)) {
		t.Errorf("ceilSecond(+1ns) = %v", got)
	}
}
