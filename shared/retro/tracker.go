package retro

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/ghub"
)

// Tracker opens a team's action items as tickets and assigns them. GitHubTracker opens GitHub
// issues in the team's retro.repo; a Phabricator tracker (a Maniphest task in the team's
// project) is another implementation of the same two calls, chosen by Trackers.
type Tracker interface {
	// Open creates the ticket for an action item. It runs inside store.Effects.Once, at most
	// once per action item.
	Open(ctx context.Context, team *config.Team, d Draft) (Ticket, error)
	// Assign makes owner the ticket's assignee.
	Assign(ctx context.Context, t Ticket, owner *config.Person) error
}

// Draft is what a ticket is opened with.
type Draft struct {
	Action *Action
	// Board links to the retro's board in Slack, where the owner is chosen.
	Board string
	// TeamName names the team in the ticket.
	TeamName string
}

// Trackers picks the tracker of each team: GitHub when the team's retro.repo is set; nil when
// it has none (its action items then live in Slack only). Phabricator slots in here.
type Trackers struct {
	GitHub *GitHubTracker
}

// For returns team's tracker, or nil.
func (ts Trackers) For(team *config.Team) Tracker {
	if team.RetroSettings().Repo != "" && ts.GitHub != nil {
		return ts.GitHub
	}
	return nil
}

// Issues is the part of go-github's IssuesService the GitHub tracker needs.
type Issues interface {
	Create(ctx context.Context, owner, repo string, req *github.IssueRequest) (*github.Issue, *github.Response, error)
	AddAssignees(ctx context.Context, owner, repo string, number int, assignees []string) (*github.Issue, *github.Response, error)
}

var _ Issues = (*github.IssuesService)(nil)

// GitHubTracker opens action items as issues in the team's retro.repo, labelled with
// retro.labels.
type GitHubTracker struct{ Issues Issues }

var _ Tracker = (*GitHubTracker)(nil)

// TrackerGitHub is GitHubTracker's name in tickets.
const TrackerGitHub = "github"

// maxIssueTitle keeps a title readable in GitHub's lists (GitHub allows 256 characters).
const maxIssueTitle = 120

// IssueTitle is an action item's issue title. A title is plain text on GitHub: it renders no
// HTML and notifies no @mention, so the item's text goes in as typed (ghub.Escape's entities
// would show literally); the body, which GitHub renders, is escaped.
func IssueTitle(a *Action) string {
	return clip.Runes("Retro action: "+strings.Join(strings.Fields(a.Text), " "), maxIssueTitle)
}

// IssueBody is an action item's issue body: the item quoted (escaped), where it came from, and
// where its owner is chosen.
func IssueBody(d Draft) string {
	a := d.Action
	var b strings.Builder
	fmt.Fprintf(&b, "An action item from the retro **%s** of %s: %d dot(s) in *%s*.\n\n", ghub.Escape(a.RetroTitle), ghub.Escape(d.TeamName), a.Dots, ghub.Escape(a.Field))
	for _, line := range strings.Split(a.Text, "\n") {
		fmt.Fprintf(&b, "> %s\n", ghub.Escape(line))
	}
	if d.Board != "" {
		fmt.Fprintf(&b, "\nThe owner is chosen in Slack, in the retro's thread: %s\n", d.Board)
	}
	b.WriteString("\n<sub>Opened by Rituals when the retro closed.</sub>\n")
	return b.String()
}

// Open implements Tracker.
func (g *GitHubTracker) Open(ctx context.Context, team *config.Team, d Draft) (Ticket, error) {
	rs := team.RetroSettings()
	owner, repo, _ := strings.Cut(rs.Repo, "/")
	title, body := IssueTitle(d.Action), IssueBody(d)
	req := &github.IssueRequest{Title: &title, Body: &body}
	if len(rs.Labels) > 0 {
		labels := append([]string(nil), rs.Labels...)
		req.Labels = &labels
	}
	iss, _, err := g.Issues.Create(ctx, owner, repo, req)
	if err != nil {
		return Ticket{}, fmt.Errorf("open an issue in %s: %w", rs.Repo, err)
	}
	return Ticket{Tracker: TrackerGitHub, Ref: rs.Repo + "#" + strconv.Itoa(iss.GetNumber()), URL: iss.GetHTMLURL()}, nil
}

// Assign implements Tracker. An owner without a GitHub login is not assigned (nil).
func (g *GitHubTracker) Assign(ctx context.Context, t Ticket, owner *config.Person) error {
	if owner == nil || owner.GitHub == "" {
		return nil
	}
	repo, num, ok := strings.Cut(t.Ref, "#")
	n, err := strconv.Atoi(num)
	if !ok || err != nil {
		return fmt.Errorf("ticket %q is not owner/repo#number", t.Ref)
	}
	o, r, _ := strings.Cut(repo, "/")
	if _, _, err := g.Issues.AddAssignees(ctx, o, r, n, []string{owner.GitHub}); err != nil {
		return fmt.Errorf("assign %s to %s: %w", t.Ref, owner.GitHub, err)
	}
	return nil
}
