package activity

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// comment derives an issue comment by Codertocat in repo at the given time.
func comment(id int, repo string, at time.Time) []edit {
	return append(inRepo(repo), set("comment.id", id), set("comment.created_at", at.Format(time.RFC3339)))
}

func TestFootprint(t *testing.T) {
	t.Parallel()
	m := newMirror(t)
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	h := func(hour int) time.Time { return day.Add(time.Duration(hour) * time.Hour) }
	for i, c := range []struct {
		repo string
		at   time.Time
	}{
		{"Codertocat/Hello-World", h(10)},
		{"Codertocat/Other", h(11)},
		{"octo-org/octo-repo", h(12)},
		{"octo-org/second", h(13)},
		{"octo-org-two/x", h(14)},
	} {
		m.record(t, "issue_comment.created", received, comment(i+1, c.repo, c.at)...)
	}
	// Someone else's activity never shows.
	m.record(t, "issue_comment.created", received, append(comment(99, "octo-org/octo-repo", h(12)), set("sender.login", "monalisa"))...)

	tests := []struct {
		name     string
		login    string
		repos    []string
		from, to time.Time
		want     []string // repos of the items, in order
		err      error
	}{
		{name: "every repo", login: "Codertocat", from: h(0), to: h(24),
			want: []string{"Codertocat/Hello-World", "Codertocat/Other", "octo-org/octo-repo", "octo-org/second", "octo-org-two/x"}},
		{name: "login is case-insensitive", login: "CODERTOCAT", repos: []string{"codertocat/hello-world"}, from: h(0), to: h(24),
			want: []string{"Codertocat/Hello-World"}},
		{name: "one repo", login: "Codertocat", repos: []string{"octo-org/second"}, from: h(0), to: h(24),
			want: []string{"octo-org/second"}},
		{name: "org wildcard", login: "Codertocat", repos: []string{"octo-org/*"}, from: h(0), to: h(24),
			want: []string{"octo-org/octo-repo", "octo-org/second"}},
		{name: "repos and orgs", login: "Codertocat", repos: []string{"OCTO-ORG/*", "Codertocat/Hello-World"}, from: h(0), to: h(24),
			want: []string{"Codertocat/Hello-World", "octo-org/octo-repo", "octo-org/second"}},
		{name: "from inclusive, to exclusive", login: "Codertocat", from: h(11), to: h(12),
			want: []string{"Codertocat/Other"}},
		{name: "sub-second bounds", login: "Codertocat", from: h(11).Add(time.Millisecond), to: h(13).Add(time.Millisecond),
			want: []string{"octo-org/octo-repo", "octo-org/second"}},
		{name: "bounds in another zone", login: "Codertocat",
			from: h(11).In(time.FixedZone("UTC-5", -5*3600)), to: h(12).In(time.FixedZone("UTC+9", 9*3600)),
			want: []string{"Codertocat/Other"}},
		{name: "empty window", login: "Codertocat", from: h(12), to: h(12)},
		{name: "nobody", login: "ghost", from: h(0), to: h(24)},
		{name: "bad repo", login: "Codertocat", repos: []string{"octo-org"}, from: h(0), to: h(24), err: ErrBadRepo},
	}
	for _, tc := range tests {
		for _, page := range []int32{0, 1} {
			name := tc.name
			if page > 0 {
				name += " paged"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				r := m.read
				r.PageSize = page
				items, err := r.Footprint(context.Background(), tc.login, tc.repos, tc.from, tc.to)
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				var got []string
				for _, it := range items {
					got = append(got, it.Repo)
					if it.At.Location() != time.UTC {
						t.Errorf("At %v is not UTC", it.At)
					}
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("items in %v, want %v", got, tc.want)
				}
			})
		}
	}
}

// countingQuery counts the items DynamoDB evaluates for a Reader.
type countingQuery struct {
	QueryAPI
	items *int
}

func (c countingQuery) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	out, err := c.QueryAPI.Query(ctx, in, opts...)
	if err == nil {
		*c.items += int(out.ScannedCount)
	}
	return out, err
}

// TestRecent: the newest items up to a limit, oldest first, with whether older ones were left
// out; the items DynamoDB reads are bounded by the limit, not by the interval (the standup
// modal used to read up to 120 days of activity to keep 300 items).
func TestRecent(t *testing.T) {
	t.Parallel()
	m := newMirror(t)
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 60; i++ {
		repo := "octo-org/octo-repo"
		if i%3 == 0 {
			repo = "Codertocat/Hello-World"
		}
		m.record(t, "issue_comment.created", received, comment(i+1, repo, day.Add(time.Duration(i)*time.Minute))...)
	}
	for _, tc := range []struct {
		name      string
		repos     []string
		limit     int
		first     time.Time
		n         int
		truncated bool
	}{
		{name: "newest ten", limit: 10, first: day.Add(50 * time.Minute), n: 10, truncated: true},
		{name: "all fit", limit: 100, first: day, n: 60},
		{name: "exactly all", limit: 60, first: day, n: 60},
		{name: "filtered by repo", repos: []string{"Codertocat/*"}, limit: 5, first: day.Add(45 * time.Minute), n: 5, truncated: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			scanned := 0
			r := m.read
			r.API = countingQuery{QueryAPI: r.API, items: &scanned}
			items, truncated, err := r.Recent(context.Background(), "Codertocat", tc.repos, day, day.Add(24*time.Hour), tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != tc.n || truncated != tc.truncated || !items[0].At.Equal(tc.first) {
				t.Fatalf("%d items from %v, truncated %v; want %d from %v, %v", len(items), items[0].At, truncated, tc.n, tc.first, tc.truncated)
			}
			for i := 1; i < len(items); i++ {
				if items[i].At.Before(items[i-1].At) {
					t.Fatal("not oldest first")
				}
			}
			if tc.repos == nil && scanned > 2*tc.limit+2 {
				t.Errorf("DynamoDB evaluated %d items for %d", scanned, tc.limit)
			}
		})
	}
}

func TestOpenAssignments(t *testing.T) {
	t.Parallel()
	m := newMirror(t)
	assign := func(repo string, number int, extra ...edit) {
		m.record(t, "issues.assigned", received, append(append(inRepo(repo), set("issue.number", number)), extra...)...)
	}
	assign("Codertocat/Hello-World", 1)
	assign("Codertocat/Hello-World", 5)
	assign("octo-org/octo-repo", 3)
	assign("octo-org/closed", 4, set("issue.state", "closed"))
	assign("octo-org-two/x", 6)

	tests := []struct {
		name  string
		repos []string
		want  []string
		err   error
	}{
		{name: "every repo", want: []string{"Codertocat/Hello-World#1", "Codertocat/Hello-World#5", "octo-org-two/x#6", "octo-org/octo-repo#3"}},
		{name: "one repo", repos: []string{"codertocat/hello-world"}, want: []string{"Codertocat/Hello-World#1", "Codertocat/Hello-World#5"}},
		{name: "org wildcard", repos: []string{"octo-org/*"}, want: []string{"octo-org/octo-repo#3"}},
		{name: "repos and orgs", repos: []string{"Codertocat/Hello-World", "octo-org/*"},
			want: []string{"Codertocat/Hello-World#1", "Codertocat/Hello-World#5", "octo-org/octo-repo#3"}},
		{name: "repo with nothing", repos: []string{"Codertocat/Other"}},
		{name: "bad repo", repos: []string{"/x"}, err: ErrBadRepo},
	}
	for _, tc := range tests {
		for _, page := range []int32{0, 1} {
			name := tc.name
			if page > 0 {
				name += " paged"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				r := m.read
				r.PageSize = page
				as, err := r.OpenAssignments(context.Background(), "Codertocat", tc.repos)
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				if got := refs(as); !slices.Equal(got, tc.want) {
					t.Errorf("assignments = %v, want %v", got, tc.want)
				}
				for _, a := range as {
					if a.Login != "Codertocat" || a.Title == "" || a.URL == "" || a.UpdatedAt.IsZero() {
						t.Errorf("incomplete assignment %+v", a)
					}
				}
			})
		}
	}
}
