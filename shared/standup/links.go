package standup

import (
	"context"
	"net/url"
	"strings"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/httpapi"
)

// Links builds the addresses of the standup's web pages (functions/web). Base is where the
// pages live: "https://<api>.execute-api.<region>.amazonaws.com/app" from the stack, "/app"
// inside the pages themselves. With an empty Base every method returns "" and Slack messages
// carry no web links. The web function's router is tested against these shapes.
type Links struct {
	Base string
}

// LinksFromEnv is the Links of a function whose template environment sets WEB_URL (the
// scheduler and processor: functions not behind the HTTP API, which may reference it without
// a dependency cycle).
func LinksFromEnv(webURL string) Links { return Links{Base: strings.TrimSuffix(webURL, "/")} }

// LinksFromRequest is the Links of the API a request came through: the functions behind the
// HTTP API cannot be given its address in their environment (the API's definition names them,
// so naming it back would be a dependency cycle), but every request carries it.
func LinksFromRequest(req httpapi.Request) Links {
	host := req.RequestContext.DomainName
	if host == "" {
		return Links{}
	}
	scheme := "https"
	if httpapi.Header(req, "X-Forwarded-Proto") == "http" {
		scheme = "http"
	}
	return Links{Base: scheme + "://" + host + "/app"}
}

type linksKey struct{}

// WithLinks returns ctx carrying the links of the request being served (see LinksFromRequest).
func WithLinks(ctx context.Context, l Links) context.Context {
	return context.WithValue(ctx, linksKey{}, l)
}

// linksIn returns the links ctx carries, or else l.
func linksIn(ctx context.Context, l Links) Links {
	if c, ok := ctx.Value(linksKey{}).(Links); ok && c.Base != "" {
		return c
	}
	return l
}

// webLink renders a mrkdwn link to a page, or "" without a web address.
func webLink(url, text string) string {
	if url == "" {
		return ""
	}
	return "<" + url + "|" + text + ">"
}

func (l Links) at(path string) string {
	if l.Base == "" {
		return ""
	}
	return l.Base + path
}

func seg(s string) string { return url.PathEscape(s) }

// Home is the signed-in home page.
func (l Links) Home() string { return l.at("") }

// Standup is a standup's page: what was done, the plan, blockers and review state.
func (l Links) Standup(id ID) string {
	return l.at("/standups/" + seg(id.Client) + "/" + seg(id.Person) + "/" + id.Date.String())
}

// Edit is the form that fills in or edits a standup (its developer only, until reviewed).
func (l Links) Edit(id ID) string {
	if s := l.Standup(id); s != "" {
		return s + "/edit"
	}
	return ""
}

// Person lists a person's standups, newest first; client "" means every client.
func (l Links) Person(person, client string) string {
	u := l.at("/people/" + seg(person))
	if u != "" && client != "" {
		u += "?client=" + url.QueryEscape(client)
	}
	return u
}

// TeamDay is a team's day: plans, availability, blockers, who has not submitted.
func (l Links) TeamDay(team string, day config.Date) string {
	return l.at("/teams/" + seg(team) + "/" + day.String())
}

// ClientDay lists a client's standups of a day.
func (l Links) ClientDay(client string, day config.Date) string {
	return l.at("/clients/" + seg(client) + "/" + day.String())
}

// Queue is a client's review queue (the reviewer and management).
func (l Links) Queue(client string) string { return l.at("/review/" + seg(client)) }

// Review is a standup's review view (the client's reviewer).
func (l Links) Review(id ID) string {
	return l.at("/review/" + seg(id.Client) + "/" + seg(id.Person) + "/" + id.Date.String())
}
