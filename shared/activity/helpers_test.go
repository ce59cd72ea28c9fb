package activity

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

// fixtureDir holds the real GitHub payloads (see events/README.md).
var fixtureDir = filepath.Join("..", "..", "events", "github")

// received is when test deliveries arrive, unless a test says otherwise. It must be recent:
// DynamoDB Local runs TTL, so an item whose expires (counted from its receipt) is already past
// can vanish in the middle of a test.
var received = time.Now().UTC().Truncate(time.Second)

// wideFrom and wideTo bracket every fixture's times.
var (
	wideFrom = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	wideTo   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

func ts(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v.UTC()
}

// edit changes a decoded payload. Tests derive the few payloads @octokit/webhooks-examples
// lacks (a closed issue, a merged PR, pushes to a PR branch) from real ones by changing named
// fields, never by writing shapes by hand.
type edit func(t testing.TB, m map[string]any)

// set replaces the value at a dotted path ("pull_request.merged", "commits.0.id").
func set(path string, v any) edit {
	return func(t testing.TB, m map[string]any) {
		t.Helper()
		parts := strings.Split(path, ".")
		var cur any = m
		for i, p := range parts {
			last := i == len(parts)-1
			switch c := cur.(type) {
			case map[string]any:
				if last {
					c[p] = v
					return
				}
				cur = c[p]
			case []any:
				var idx int
				if err := json.Unmarshal([]byte(p), &idx); err != nil || idx >= len(c) {
					t.Fatalf("set %s: bad index %q", path, p)
				}
				if last {
					c[idx] = v
					return
				}
				cur = c[idx]
			default:
				t.Fatalf("set %s: %q is not an object or array", path, strings.Join(parts[:i], "."))
			}
		}
	}
}

// get reads the value at a dotted path of a decoded payload.
func get(t testing.TB, m map[string]any, path string) any {
	t.Helper()
	var cur any = m
	for _, p := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[p]
		case []any:
			var idx int
			if err := json.Unmarshal([]byte(p), &idx); err != nil || idx >= len(c) {
				t.Fatalf("get %s: bad index %q", path, p)
			}
			cur = c[idx]
		default:
			t.Fatalf("get %s: not found", path)
		}
	}
	return cur
}

// copyField sets path to a deep copy of the value at from.
func copyField(path, from string) edit {
	return func(t testing.TB, m map[string]any) {
		t.Helper()
		set(path, clone(t, get(t, m, from)))(t, m)
	}
}

// commits makes the push's commit list n copies of its first commit with ids and timestamps
// of their own, starting at start, one minute apart.
func commits(n int, idPrefix string, start time.Time) edit {
	return func(t testing.TB, m map[string]any) {
		t.Helper()
		first := get(t, m, "commits.0")
		list := make([]any, n)
		for i := range list {
			c := clone(t, first).(map[string]any)
			c["id"] = commitID(idPrefix, i)
			c["message"] = idPrefix + " change " + string(rune('a'+i%26)) + "\n\nbody of the change"
			c["timestamp"] = start.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)
			list[i] = c
		}
		m["commits"] = list
	}
}

func commitID(prefix string, i int) string {
	id := prefix + strings.Repeat("0", 40)
	suffix := []byte{byte('0' + i/10%10), byte('0' + i%10)}
	return id[:38] + string(suffix)
}

func clone(t testing.TB, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// fixture returns events/github/<name>.json, changed by edits.
func fixture(t testing.TB, name string, edits ...edit) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtureDir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(edits) == 0 {
		return data
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // keep ids exactly
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, e := range edits {
		e(t, m)
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// delivery is a stored GitHub event as the stream hands it over.
func delivery(t testing.TB, event, key string, payload []byte, at time.Time) store.Event {
	t.Helper()
	var head struct {
		Action     string `json:"action"`
		Repository struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
	}
	if err := json.Unmarshal(payload, &head); err != nil {
		t.Fatal(err)
	}
	return store.Event{Key: "github#" + key, Source: "github", Type: event, Action: head.Action,
		Repo: head.Repository.FullName, ReceivedAt: at, Payload: payload}
}

// mirror is a Recorder and a Reader over a fresh state table in DynamoDB Local.
type mirror struct {
	client *dynamodb.Client
	tables store.Tables
	rec    Recorder
	read   Reader
}

func newMirror(t testing.TB) mirror {
	t.Helper()
	client, tables := dynamotest.New(t)
	return mirror{
		client: client,
		tables: tables,
		rec:    Recorder{API: client, Table: tables.State},
		read:   Reader{API: client, Table: tables.State},
	}
}

// record mirrors one delivery of fixture name (event is the part before the first dot).
func (m mirror) record(t testing.TB, name string, at time.Time, edits ...edit) Result {
	t.Helper()
	event, _, _ := strings.Cut(name, ".")
	res, err := m.rec.Record(context.Background(), delivery(t, event, name+"@"+at.Format(time.RFC3339Nano), fixture(t, name, edits...), at))
	if err != nil {
		t.Fatalf("record %s: %v", name, err)
	}
	return res
}

func (m mirror) footprint(t testing.TB, login string) []Item {
	t.Helper()
	items, err := m.read.Footprint(context.Background(), login, nil, wideFrom, wideTo)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func (m mirror) assignments(t testing.TB, login string) []string {
	t.Helper()
	as, err := m.read.OpenAssignments(context.Background(), login, nil)
	if err != nil {
		t.Fatal(err)
	}
	return refs(as)
}

// refs names assignments as owner/name#number.
func refs(as []Assignment) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Repo+"#"+itoa(a.Number))
	}
	return out
}

// Derived payloads.

// closedIssue is issues.reopened turned into the close that came before it.
var closedIssue = []edit{
	set("action", "closed"), set("issue.state", "closed"),
	set("issue.closed_at", "2021-10-11T16:40:00Z"), set("issue.updated_at", "2021-10-11T16:40:00Z"),
}

// mergedPR is pull_request.closed as a merge by its sender.
var mergedPR = []edit{
	set("pull_request.merged", true), set("pull_request.merged_at", "2019-05-15T15:21:18Z"),
	copyField("pull_request.merged_by", "sender"),
}

// pushToPRBranch is push.json as a later push to the PR's head branch ("changes").
func pushToPRBranch(n int, idPrefix string, start time.Time) []edit {
	return []edit{
		set("ref", "refs/heads/changes"), set("created", false), set("before", commitID("ba5e", 0)),
		commits(n, idPrefix, start), copyField("head_commit", "commits.0"),
	}
}

// inRepo moves a payload to another repository of the same shape.
func inRepo(full string) []edit {
	owner, name, _ := strings.Cut(full, "/")
	return []edit{set("repository.full_name", full), set("repository.name", name), set("repository.owner.login", owner)}
}
