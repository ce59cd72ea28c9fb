package support

import (
	"slices"
	"testing"
	"time"
)

// payload reads a GitHub fixture from events/github and applies edits to its decoded JSON.
// Edits only change values (action, labels, body, state, times); the shape stays GitHub's.
func payload(t testing.TB, file string, edits ...func(m map[string]any)) []byte {
	t.Helper()
	return editJSON(t, readEvent(t, "github/"+file), edits...)
}

func issueOf(m map[string]any) map[string]any { return m["issue"].(map[string]any) }

func withAction(a string) func(map[string]any) { return func(m map[string]any) { m["action"] = a } }

func withUpdated(ts string) func(map[string]any) {
	return func(m map[string]any) { issueOf(m)["updated_at"] = ts }
}

func withBody(body string) func(map[string]any) {
	return func(m map[string]any) { issueOf(m)["body"] = body }
}

func withState(state string) func(map[string]any) {
	return func(m map[string]any) {
		issueOf(m)["state"] = state
		if state == "closed" {
			issueOf(m)["closed_at"] = issueOf(m)["updated_at"]
		}
	}
}

// withLabels replaces the issue's labels, keeping the shape of the fixture's first label.
func withLabels(names ...string) func(map[string]any) {
	return func(m map[string]any) {
		proto := issueOf(m)["labels"].([]any)[0].(map[string]any)
		var ls []any
		for _, n := range names {
			l := map[string]any{}
			for k, v := range proto {
				l[k] = v
			}
			l["name"] = n
			ls = append(ls, l)
		}
		if ls == nil {
			ls = []any{}
		}
		issueOf(m)["labels"] = ls
	}
}

// withEventLabel sets the label a labeled/unlabeled delivery is about.
func withEventLabel(name string) func(map[string]any) {
	return func(m map[string]any) {
		l := map[string]any{}
		for k, v := range issueOf(m)["labels"].([]any)[0].(map[string]any) {
			l[k] = v
		}
		l["name"] = name
		m["label"] = l
	}
}

const fullBody = "## Description\nx\n## Background\ny\n## Impact\nz"

func TestApply(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	team := cfg.Team("triage")
	base := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	// A delivery: a payload and when it was received (seconds after base).
	type delivery struct {
		body []byte
		at   int
	}
	labeled := func(at int, edits ...func(map[string]any)) delivery {
		return delivery{payload(t, "issues.labeled.json", edits...), at}
	}
	const t0, t1, t2, t3 = "2019-05-15T15:20:18Z", "2019-05-15T15:20:30Z", "2019-05-15T15:21:00Z", "2019-05-15T15:22:00Z"
	unlabeled := labeled(0, withAction("unlabeled"), withUpdated(t1), withLabels("docs"), withEventLabel("bug"))
	closed := labeled(0, withAction("closed"), withUpdated(t1), withState("closed"))
	reopened := labeled(0, withAction("reopened"), withUpdated(t2))
	cases := []struct {
		name       string
		deliveries []delivery
		state      State
		kinds      []Kind
		priority   string
		missing    []string
		created    int
	}{
		{"labeled opens", []delivery{labeled(1)}, Open, []Kind{KindOpened}, "p3", []string{"Description", "Background", "Impact"}, 1},
		{"the same delivery twice", []delivery{labeled(1), labeled(1)}, Open, []Kind{KindOpened}, "p3", []string{"Description", "Background", "Impact"}, 1},
		{"opened and labeled in the same second", []delivery{
			{payload(t, "issues.opened.json"), 1}, labeled(2),
		}, Open, []Kind{KindOpened}, "p3", []string{"Description", "Background", "Impact"}, 1},
		{"label removed closes as relabelled", []delivery{labeled(1), {unlabeled.body, 2}}, Relabelled, []Kind{KindOpened, KindRelabelled}, "p3", nil, 1},
		{"removal before the label: tombstone, never announced", []delivery{{unlabeled.body, 1}, labeled(2)}, Relabelled, nil, "", nil, 0},
		{"label added again later reopens", []delivery{labeled(1), {unlabeled.body, 2}, labeled(3, withUpdated(t2))}, Open, []Kind{KindOpened, KindRelabelled, KindReopened}, "p3", nil, 1},
		{"close resolves", []delivery{labeled(1), {closed.body, 2}}, Resolved, []Kind{KindOpened, KindResolved}, "p3", nil, 1},
		{"close and reopen out of order", []delivery{labeled(1), {reopened.body, 2}, {closed.body, 3}}, Open, []Kind{KindOpened}, "p3", nil, 1},
		{"reopen after close", []delivery{labeled(1), {closed.body, 2}, {reopened.body, 3}}, Open, []Kind{KindOpened, KindResolved, KindReopened}, "p3", nil, 1},
		{"closed before its label arrived", []delivery{{closed.body, 1}, labeled(2)}, Resolved, nil, "", nil, 0},
		{"edit completes the sections", []delivery{labeled(1), labeled(2, withAction("edited"), withUpdated(t1), withBody(fullBody))}, Open, []Kind{KindOpened, KindSections}, "p3", []string{}, 1},
		{"stale edit is ignored", []delivery{labeled(1, withUpdated(t2)), labeled(2, withAction("edited"), withUpdated(t1), withBody(fullBody))}, Open, []Kind{KindOpened}, "p3", []string{"Description", "Background", "Impact"}, 1},
		{"priority label raises the priority", []delivery{labeled(1), labeled(2, withUpdated(t1), withLabels("bug", "p1"), withEventLabel("p1"))}, Open, []Kind{KindOpened, KindPriority}, "p1", []string{"Description", "Background", "Impact"}, 1},
		{"opened with a priority", []delivery{labeled(1, withLabels("bug", "p2", "P0"))}, Open, []Kind{KindOpened}, "p0", []string{"Description", "Background", "Impact"}, 1},
		{"deleted closes", []delivery{labeled(1), labeled(2, withAction("deleted"), withUpdated(t3))}, Relabelled, []Kind{KindOpened, KindRelabelled}, "p3", nil, 1},
		{"other labels only: nothing", []delivery{labeled(1, withLabels("docs"), withEventLabel("docs"))}, "", nil, "", nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, found := &Request{ID: ID{Team: "triage", Repo: "Codertocat/Hello-World", Number: 1}}, false
			engineerCalls := 0
			for _, d := range tc.deliveries {
				sn, err := DecodeIssue(d.body, base.Add(time.Duration(d.at)*time.Second))
				if err != nil {
					t.Fatal(err)
				}
				changed, err := Apply(team, r, found, sn, func() (string, error) { engineerCalls++; return "ann", nil })
				if err != nil {
					t.Fatal(err)
				}
				found = found || changed
			}
			var kinds []Kind
			for _, e := range r.Log {
				kinds = append(kinds, e.Kind)
			}
			if r.State != tc.state || !slices.Equal(kinds, tc.kinds) {
				t.Fatalf("state %q log %v; want %q %v", r.State, kinds, tc.state, tc.kinds)
			}
			if tc.kinds == nil {
				return
			}
			if r.Priority != tc.priority {
				t.Errorf("priority %q, want %q", r.Priority, tc.priority)
			}
			if tc.missing != nil && !slices.Equal(r.Missing, tc.missing) && !(len(r.Missing) == 0 && len(tc.missing) == 0) {
				t.Errorf("missing %v, want %v", r.Missing, tc.missing)
			}
			if want := base.Add(time.Duration(tc.created) * time.Second); !r.Created.Equal(want) {
				t.Errorf("created %v, want %v", r.Created, want)
			}
			if engineerCalls != 1 || r.Engineer != "ann" {
				t.Errorf("engineer looked up %d times (%q), want once", engineerCalls, r.Engineer)
			}
		})
	}
}

func TestPriorityMapping(t *testing.T) {
	t.Parallel()
	s := testConfig(t).Team("triage").Support
	cases := []struct {
		labels []string
		want   string
		urgent bool
	}{
		{nil, "p3", false},
		{[]string{"bug"}, "p3", false},
		{[]string{"bug", "p2"}, "p2", false},
		{[]string{"P1"}, "p1", true},
		{[]string{"p3", "p0", "p2"}, "p0", true},
	}
	for _, tc := range cases {
		p := s.PriorityFor(tc.labels)
		if p.Name != tc.want || p.Urgent != tc.urgent {
			t.Errorf("PriorityFor(%v) = %s urgent=%v, want %s urgent=%v", tc.labels, p.Name, p.Urgent, tc.want, tc.urgent)
		}
	}
}
