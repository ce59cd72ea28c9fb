package standins

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"
)

func githubClient(t *testing.T, base, token string) *github.Client {
	t.Helper()
	c := github.NewClient(nil).WithAuthToken(token)
	u, err := url.Parse(GitHubAPIURL(base))
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = u
	return c
}

func TestGitHubWithGoGitHub(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t)
	ctx := context.Background()
	gh := githubClient(t, srv.URL, githubToken)

	issue, resp, err := gh.Issues.Create(ctx, "acme", "hr", &github.IssueRequest{Title: github.String("Overdue review"), Body: github.String("..."), Labels: &[]string{"review"}})
	if err != nil || resp.StatusCode != 201 || issue.GetNumber() != 1 || issue.GetState() != "open" || issue.GetHTMLURL() != "https://github.com/acme/hr/issues/1" || len(issue.Labels) != 1 {
		t.Fatalf("create: %+v, %v", issue, err)
	}
	second, _, _ := gh.Issues.Create(ctx, "acme", "hr", &github.IssueRequest{Title: github.String("Another")})
	if second.GetNumber() != 2 {
		t.Errorf("second issue number %d, want 2", second.GetNumber())
	}
	comment, resp, err := gh.Issues.CreateComment(ctx, "acme", "hr", 1, &github.IssueComment{Body: github.String("Acknowledged, ETA today")})
	if err != nil || resp.StatusCode != 201 || comment.GetID() == 0 || !strings.HasPrefix(comment.GetHTMLURL(), "https://github.com/acme/hr/issues/1#issuecomment-") {
		t.Fatalf("comment: %+v, %v", comment, err)
	}
	comments, _, err := gh.Issues.ListComments(ctx, "acme", "hr", 1, nil)
	if err != nil || len(comments) != 1 || comments[0].GetBody() != "Acknowledged, ETA today" {
		t.Fatalf("list comments: %+v, %v", comments, err)
	}
	assigned, _, err := gh.Issues.AddAssignees(ctx, "acme", "hr", 1, []string{"alice", "bob"})
	if err != nil || len(assigned.Assignees) != 2 || assigned.GetAssignee().GetLogin() != "alice" {
		t.Fatalf("add assignees: %+v, %v", assigned, err)
	}
	unassigned, _, err := gh.Issues.RemoveAssignees(ctx, "acme", "hr", 1, []string{"alice"})
	if err != nil || len(unassigned.Assignees) != 1 || unassigned.Assignees[0].GetLogin() != "bob" {
		t.Fatalf("remove assignees: %+v, %v", unassigned, err)
	}
	labels, _, err := gh.Issues.AddLabelsToIssue(ctx, "acme", "hr", 1, []string{"p1", "review"})
	if err != nil || len(labels) != 2 {
		t.Fatalf("add labels: %+v, %v", labels, err)
	}
	closed, _, err := gh.Issues.Edit(ctx, "acme", "hr", 1, &github.IssueRequest{State: github.String("closed")})
	if err != nil || closed.GetState() != "closed" || closed.ClosedAt == nil || closed.GetComments() != 1 {
		t.Fatalf("close: %+v, %v", closed, err)
	}
	if _, err := gh.Issues.Lock(ctx, "acme", "hr", 1, &github.LockIssueOptions{LockReason: "resolved"}); err != nil {
		t.Fatalf("lock: %v", err)
	}
	if _, err := gh.Issues.Lock(ctx, "acme", "hr", 1, &github.LockIssueOptions{LockReason: "bored"}); !isStatus(err, 422) {
		t.Errorf("lock with an unknown reason: %v, want 422", err)
	}
	got, _, err := gh.Issues.Get(ctx, "acme", "hr", 1)
	if err != nil || got.GetState() != "closed" || len(got.Labels) != 2 || len(got.Assignees) != 1 || !got.GetLocked() || got.GetActiveLockReason() != "resolved" {
		t.Fatalf("get: %+v, %v", got, err)
	}

	// An issue from a webhook example, never created here: a write creates it, a read before
	// that is a 404.
	if _, _, err := gh.Issues.Get(ctx, "octo", "repo", 1347); !isStatus(err, 404) {
		t.Errorf("get unknown issue: %v, want 404", err)
	}
	if _, _, err := gh.Issues.CreateComment(ctx, "octo", "repo", 1347, &github.IssueComment{Body: github.String("hi")}); err != nil {
		t.Fatalf("comment on an example issue: %v", err)
	}
	if example, _, err := gh.Issues.Get(ctx, "octo", "repo", 1347); err != nil || example.GetComments() != 1 {
		t.Errorf("example issue after the comment: %+v, %v", example, err)
	}
	if next, _, _ := gh.Issues.Create(ctx, "octo", "repo", &github.IssueRequest{Title: github.String("new")}); next.GetNumber() != 1348 {
		t.Errorf("numbers continue after the highest known: got %d", next.GetNumber())
	}

	out := s.Outbox().Calls(Filter{Service: "github"})
	if len(out) < 10 || out[2].API != "issues/create-comment" || out[2].Path != "/repos/acme/hr/issues/1/comments" || out[2].Status != 201 || !out[2].Authorized {
		t.Errorf("recorded %+v", out[:3])
	}
	if body := out[2].Request.(map[string]any)["body"]; body != "Acknowledged, ETA today" {
		t.Errorf("recorded request %v", out[2].Request)
	}
}

func isStatus(err error, status int) bool {
	var e *github.ErrorResponse
	return errors.As(err, &e) && e.Response.StatusCode == status
}

func TestGitHubChecksLikeGitHub(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	cases := []struct {
		name, method, path, auth, body string
		status                         int
		message                        string
	}{
		{"no credentials", "POST", "repos/a/b/issues", "", `{"title":"x"}`, 401, "Requires authentication"},
		{"bad token", "POST", "repos/a/b/issues", "Bearer nope", `{"title":"x"}`, 401, "Bad credentials"},
		{"token scheme works", "POST", "repos/a/b/issues", "token " + githubToken, `{"title":"x"}`, 201, ""},
		{"basic is not accepted", "GET", "user", "Basic " + githubToken, ``, 401, "Bad credentials"},
		{"missing title", "POST", "repos/a/b/issues", "Bearer " + githubToken, `{"body":"x"}`, 422, "Validation Failed"},
		{"missing comment body", "POST", "repos/a/b/issues/1/comments", "Bearer " + githubToken, `{}`, 422, "Validation Failed"},
		{"missing assignees", "POST", "repos/a/b/issues/1/assignees", "Bearer " + githubToken, `{}`, 422, "Validation Failed"},
		{"bad state", "PATCH", "repos/a/b/issues/1", "Bearer " + githubToken, `{"state":"done"}`, 422, "Validation Failed"},
		{"bad JSON", "POST", "repos/a/b/issues", "Bearer " + githubToken, `{`, 400, "Problems parsing JSON"},
		{"unknown route", "GET", "repos/a/b/pulls/1/whatever", "Bearer " + githubToken, ``, 404, "Not Found"},
		{"unknown issue", "GET", "repos/a/b/issues/999", "Bearer " + githubToken, ``, 404, "Not Found"},
		{"graphql without query", "POST", "graphql", "Bearer " + githubToken, `{}`, 400, "A query attribute must be specified and must be a string."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest(c.method, GitHubAPIURL(srv.URL)+c.path, strings.NewReader(c.body))
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode != c.status || (c.message != "" && body["message"] != c.message) {
				t.Errorf("got %d %v, want %d %q", resp.StatusCode, body, c.status, c.message)
			}
		})
	}
}

func TestGitHubGraphQLProjects(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t)
	gql := func(query string, vars map[string]any) map[string]any {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req, _ := http.NewRequest("POST", GitHubAPIURL(srv.URL)+"graphql", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+githubToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out["data"].(map[string]any)
	}
	q := `query($org: String!, $number: Int!) { organization(login: $org) { projectV2(number: $number) { id field(name: "Status") { ... on ProjectV2SingleSelectField { id options { id name } } } } } }`
	p1 := gql(q, map[string]any{"org": "acme", "number": 3})["organization"].(map[string]any)["projectV2"].(map[string]any)
	p2 := gql(q, map[string]any{"org": "acme", "number": 3})["organization"].(map[string]any)["projectV2"].(map[string]any)
	if p1["id"] != p2["id"] || !strings.HasPrefix(p1["id"].(string), "PVT_") {
		t.Errorf("project ids %v %v: want a stable PVT_ id", p1["id"], p2["id"])
	}
	options := p1["field"].(map[string]any)["options"].([]any)
	if len(options) != len(StatusOptions) || options[2].(map[string]any)["name"] != "Support Issues" {
		t.Errorf("status options %v", options)
	}
	add := gql(`mutation($projectId: ID!, $contentId: ID!) { addProjectV2ItemById(input: {projectId: $projectId, contentId: $contentId}) { item { id } } }`,
		map[string]any{"projectId": p1["id"], "contentId": "I_1"})
	item := add["addProjectV2ItemById"].(map[string]any)["item"].(map[string]any)["id"].(string)
	if !strings.HasPrefix(item, "PVTI_") {
		t.Errorf("item id %q", item)
	}
	upd := gql(`mutation($input: UpdateProjectV2ItemFieldValueInput!) { updateProjectV2ItemFieldValue(input: $input) { projectV2Item { id } } }`,
		map[string]any{"input": map[string]any{"projectId": p1["id"], "itemId": item}})
	if upd["updateProjectV2ItemFieldValue"].(map[string]any)["projectV2Item"].(map[string]any)["id"] != item {
		t.Errorf("update answered %v", upd)
	}
	if n := len(s.Outbox().Calls(Filter{API: "graphql"})); n != 4 {
		t.Errorf("recorded %d graphql calls, want 4", n)
	}
}

// TestGitHubLengthLimits: GitHub refuses a title over 256 characters and a body over 65,536,
// and an edit that breaks one changes nothing.
func TestGitHubLengthLimits(t *testing.T) {
	g := &githubAPI{s: New(Options{})}
	long := func(n int) string { return strings.Repeat("é", n) }
	if r := ghTooLong("Issue", "body", long(65536), maxGitHubBody); r != nil {
		t.Errorf("65,536 characters refused: %v", r.body)
	}
	r := ghTooLong("IssueComment", "body", long(65537), maxGitHubBody)
	if r == nil || r.status != 422 || !strings.Contains(fmt.Sprint(r.body), "body is too long (maximum is 65536 characters)") {
		t.Fatalf("65,537 characters: %+v", r)
	}
	if reply := g.createComment(httptest.NewRequest("POST", "/repos/o/r/issues/1/comments", nil), map[string]any{"body": long(70000)}); reply.status != 422 {
		t.Errorf("a long comment answered %d", reply.status)
	}
	if reply := g.createIssue(httptest.NewRequest("POST", "/repos/o/r/issues", nil), map[string]any{"title": long(257)}); reply.status != 422 {
		t.Errorf("a long title answered %d", reply.status)
	}
}
