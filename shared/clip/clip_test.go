package clip_test

import (
	"testing"
	"unicode/utf8"

	"github.com/rituals-dev/rituals/shared/clip"
)

func TestClip(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in string
		n        int
		runes    string
		bytes    string
	}{
		{name: "short", in: "hello", n: 10, runes: "hello", bytes: "hello"},
		{name: "exact", in: "hello", n: 5, runes: "hello", bytes: "hello"},
		{name: "ascii cut", in: "hello world", n: 8, runes: "hello w…", bytes: "hello" + "…"},
		{name: "multibyte not split", in: "héllo wörld", n: 9, runes: "héllo wö…", bytes: "héllo…"},
		{name: "emoji", in: "🚧🚧🚧🚧", n: 3, runes: "🚧🚧…", bytes: "…"},
		{name: "zero", in: "abc", n: 0, runes: "", bytes: "…"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := clip.Runes(tc.in, tc.n); got != tc.runes {
				t.Errorf("Runes = %q, want %q", got, tc.runes)
			}
			got := clip.Bytes(tc.in, tc.n)
			if got != tc.bytes && !(tc.n < len(clip.Ellipsis) && got == clip.Ellipsis) {
				t.Errorf("Bytes = %q, want %q", got, tc.bytes)
			}
			if !utf8.ValidString(got) {
				t.Errorf("Bytes split a character: %q", got)
			}
		})
	}
}
