package standup

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// Poster posts Slack messages; *slack.Client is one.
type Poster = slackapp.Poster

// ViewOpener opens modals; *slack.Client is one.
type ViewOpener interface {
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
}

// HomePublisher publishes App Home views; *slack.Client is one.
type HomePublisher interface {
	PublishViewContext(ctx context.Context, req slack.PublishViewContextRequest) (*slack.ViewResponse, error)
}

// SlackAPI is everything the standup's stream processor asks of Slack.
type SlackAPI interface {
	Poster
	HomePublisher
}

var (
	_ SlackAPI   = (*slack.Client)(nil)
	_ ViewOpener = (*slack.Client)(nil)
)

// Issues opens, comments on and closes GitHub issues; (*github.Client).Issues is one.
type Issues interface {
	Create(ctx context.Context, owner, repo string, req *github.IssueRequest) (*github.Issue, *github.Response, error)
	Edit(ctx context.Context, owner, repo string, number int, req *github.IssueRequest) (*github.Issue, *github.Response, error)
	CreateComment(ctx context.Context, owner, repo string, number int, c *github.IssueComment) (*github.IssueComment, *github.Response, error)
}

var _ Issues = (*github.IssuesService)(nil)

// ConfigSource gives the current config; *config.Source is one.
type ConfigSource interface {
	Current(ctx context.Context, now time.Time) (*config.Config, error)
}

var _ ConfigSource = (*config.Source)(nil)

// Responder posts to an interaction's response_url.
type Responder interface {
	Respond(ctx context.Context, url string, body any) error
}

// HTTPResponder posts JSON to response_url with its HTTP client (http.DefaultClient when nil).
type HTTPResponder struct{ Client *http.Client }

var _ Responder = HTTPResponder{}

// Respond posts body as JSON to url.
func (r HTTPResponder) Respond(ctx context.Context, url string, body any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("response_url: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	c := r.Client
	if c == nil {
		c = &http.Client{Timeout: 5 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("post to response_url: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("post to response_url: status %d", resp.StatusCode)
	}
	return nil
}
