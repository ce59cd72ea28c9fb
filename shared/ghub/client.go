package ghub

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
)

// NewClient returns a GitHub REST client authenticated with token. baseURL, when not empty,
// replaces https://api.github.com/ (GitHub Enterprise, or the local runner's stand-in).
func NewClient(token, baseURL string) (*github.Client, error) {
	c := github.NewClient(&http.Client{Timeout: 8 * time.Second}).WithAuthToken(token)
	if baseURL != "" {
		return SetBaseURL(c, baseURL)
	}
	return c, nil
}

// SetBaseURL points c at baseURL instead of https://api.github.com/ (a trailing slash is added).
func SetBaseURL(c *github.Client, baseURL string) (*github.Client, error) {
	if !strings.HasSuffix(baseURL, "/") {
		baseURL += "/"
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("GITHUB_API_URL: %w", err)
	}
	c.BaseURL = u
	return c, nil
}
