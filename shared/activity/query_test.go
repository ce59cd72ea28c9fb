package activity

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
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
