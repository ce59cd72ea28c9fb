package conduit

import (
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// The fuzz targets hold the decoders of Conduit answers to: never panic, whatever the server
// (or something pretending to be it) sends; answer every bad body with an error, not a
// half-decoded value that looks fine.

func seedFiles(f *testing.F, files ...string) {
	for _, file := range files {
		b, err := os.ReadFile("testdata/" + file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzDecodeEnvelope(f *testing.F) {
	seedFiles(f, "maniphest.search.json", "transaction.search.phorge.json", "differential.revision.search.json")
	f.Add([]byte(`{"result":null,"error_code":"ERR-CONDUIT-CORE","error_info":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := DecodeEnvelope("fuzz", body)
		var ce *Error
		if err != nil && !errors.As(err, &ce) {
			t.Fatalf("error is not a *conduit.Error: %v", err)
		}
		if err == nil && res == nil {
			t.Fatal("no error and no result")
		}
	})
}

func FuzzDecodeTask(f *testing.F) {
	b, _ := os.ReadFile("testdata/maniphest.search.json")
	var env envelope
	_ = json.Unmarshal(b, &env)
	var p Page
	_ = json.Unmarshal(env.Result, &p)
	for _, d := range p.Data {
		f.Add([]byte(d))
	}
	f.Add([]byte(`{"id":"1","fields":[],"attachments":[]}`))
	f.Add([]byte(`{"fields":{"points":"x"}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		task, err := DecodeTask(raw)
		if err == nil && task.Points.Value != nil && task.Points.String() == "" {
			t.Fatal("points set but render empty")
		}
	})
}

func FuzzDecodeTransactions(f *testing.F) {
	seedFiles(f, "transaction.search.phorge.json", "transaction.search.phabricator.json")
	f.Add([]byte(`{"result":{"data":[{"type":"core:columns","fields":{"new":{"0":{"fromColumnPHIDs":[]}}}}]}}`))
	f.Add([]byte(`{"result":{"data":[{"type":"priority","fields":{"old":[],"new":{"value":"100"}}}]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := DecodeEnvelope("transaction.search", body)
		if err != nil {
			return
		}
		var r struct {
			Data List[Transaction] `json:"data"`
		}
		if json.Unmarshal(res, &r) != nil {
			return
		}
		for _, tr := range r.Data {
			x, err := tr.Xact()
			if err != nil {
				continue
			}
			for _, m := range x.Moves {
				_ = m.Reorder()
				_ = m.From()
			}
			if x.Hidden && x.Type != "" {
				t.Fatalf("hidden transaction with type %q", x.Type)
			}
		}
	})
}

func FuzzDecodeRawTransactions(f *testing.F) {
	seedFiles(f, "maniphest.gettasktransactions.json")
	f.Add([]byte(`{"result":[],"error_code":null,"error_info":null}`))
	f.Add([]byte(`{"result":{"1":{"0":{"transactionType":"core:edge","meta":{"edge:type":"41"},"oldValue":{"a":1},"newValue":[]}}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := DecodeEnvelope("maniphest.gettasktransactions", body)
		if err != nil {
			return
		}
		var r Map[List[RawTransaction]]
		if json.Unmarshal(res, &r) != nil {
			return
		}
		for _, list := range r {
			for _, raw := range list {
				x, err := raw.Xact("PHID-TASK-fuzz")
				if err == nil && x.TaskPHID != "PHID-TASK-fuzz" {
					t.Fatal("task PHID lost")
				}
			}
		}
	})
}
