package config

import (
	"errors"
	"os"
	"testing"
)

// FuzzParse: any bytes either parse into a config whose references resolve, or give a
// *ValidationError with at least one located problem — never a panic or another error type.
func FuzzParse(f *testing.F) {
	example, err := os.ReadFile("../../infra/config/example.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add([]byte("version: 1\npeople: []\n"))
	f.Add([]byte("version: 1\nteams: [{id: x, members: [nobody]}]\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) == 0 {
				t.Fatalf("error is not a located ValidationError: %v", err)
			}
			return
		}
		for _, team := range cfg.Teams {
			for _, m := range team.Members {
				if cfg.PersonByID(m) == nil {
					t.Fatalf("team %s member %s does not resolve", team.ID, m)
				}
			}
		}
	})
}
