package standins

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/infra/faults"
)

// TestFaultedCallsNeverAct: a call an injected fault refuses is recorded with its fault and
// changes nothing (the message is not in the channel's history, the comment not on the issue);
// the calls after it are served as usual, and NoFaults counts only those.
func TestFaultedCallsNeverAct(t *testing.T) {
	t.Parallel()
	inj := &faults.Injector{}
	s := New(Options{SlackBotToken: slackToken, GitHubToken: githubToken, ConduitToken: conduitToken, Now: func() time.Time { return time.Unix(1715000000, 0) }, Faults: inj})
	srv := httptest.NewServer(s)
	defer srv.Close()
	ctx := context.Background()
	sc := slack.New(slackToken, slack.OptionAPIURL(SlackAPIURL(srv.URL)))
	gh, err := github.NewClient(nil).WithAuthToken(githubToken).WithEnterpriseURLs(GitHubAPIURL(srv.URL), GitHubAPIURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	gh.BaseURL.Path = "/_standins/github/"

	for _, fault := range []string{"429", "503", faults.Drop} {
		if _, err := inj.Set(faults.Spec{Seed: 1, APIs: []faults.APIFault{
			{Service: faults.ServiceSlack, API: "chat.postMessage", Fault: fault, Rate: 1},
			{Service: faults.ServiceGitHub, API: "issues/create-comment", Fault: fault, Rate: 1},
		}}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := sc.PostMessageContext(ctx, "C1", slack.MsgOptionText("faulted "+fault, false)); err == nil {
			t.Fatalf("slack %s: no error", fault)
		}
		if _, _, err := gh.Issues.CreateComment(ctx, "o", "r", 1, &github.IssueComment{Body: github.String("faulted")}); err == nil {
			t.Fatalf("github %s: no error", fault)
		}
	}
	inj.Clear()
	if _, _, err := sc.PostMessageContext(ctx, "C1", slack.MsgOptionText("real", false)); err != nil {
		t.Fatal(err)
	}
	hist, err := sc.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1"})
	if err != nil || len(hist.Messages) != 1 || hist.Messages[0].Text != "real" {
		t.Fatalf("history after faults: %+v %v", hist, err)
	}
	if _, _, err := gh.Issues.ListComments(ctx, "o", "r", 1, nil); err == nil {
		t.Fatal("issue 1 exists although every write to it was refused")
	}
	all := s.Outbox().Calls(Filter{API: "chat.postMessage"})
	real := s.Outbox().Calls(Filter{API: "chat.postMessage", NoFaults: true})
	if len(all) != 4 || len(real) != 1 {
		t.Fatalf("outbox: %d postMessage calls, %d without faults; want 4 and 1", len(all), len(real))
	}
	for i, want := range []struct {
		fault  string
		status int
	}{{"429", 429}, {"503", 503}, {"drop", 0}} {
		if all[i].Fault != want.fault || all[i].Status != want.status {
			t.Errorf("call %d: fault %q status %d, want %q %d", i, all[i].Fault, all[i].Status, want.fault, want.status)
		}
	}
	if got := s.Outbox().Calls(Filter{Service: "github", API: "issues/create-comment"}); len(got) != 3 || got[2].Fault != "drop" {
		t.Fatalf("github calls: %+v", got)
	}
}
