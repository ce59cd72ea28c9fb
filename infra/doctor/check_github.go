package doctor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/rituals-dev/rituals/infra/deployment"
	"github.com/rituals-dev/rituals/shared/ghapp"
	"github.com/rituals-dev/rituals/shared/ghub"
)

// githubCreds are the stored GitHub credentials: the app's, or a token.
type githubCreds struct {
	appID, key, token string
	// Set by checkGitHub.
	app     *ghapp.App
	appInfo *github.App
	client  *github.Client // as the installations, or with the token
}

// checkGitHub: the app (or token) authenticates, and reaches every account and repository the
// config names.
func (d *Doctor) checkGitHub(ctx context.Context, s *state) []Result {
	const name = "github"
	if s.github == nil {
		return []Result{{name, Skip, "no GitHub credentials (see ssm)", ""}}
	}
	if s.github.token == "" {
		return d.checkApp(ctx, s)
	}
	c, err := ghub.NewClient(s.github.token, d.Target.GitHubAPI)
	if err != nil {
		return []Result{{name, Fail, err.Error(), ""}}
	}
	s.github.client = c
	user, _, err := c.Users.Get(ctx, "")
	if err != nil {
		return []Result{{name, Fail, fmt.Sprintf("the token in %s does not authenticate: %v", s.stack.Parameters["GitHubTokenParam"], err), d.rituals("setup github") + " (a GitHub App), or store a new token: " + d.putParam(s.stack.Parameters["GitHubTokenParam"], "ghp_…")}}
	}
	if s.cfg == nil {
		return []Result{{name, OK, fmt.Sprintf("the token authenticates as @%s (no team config to check its reach against: see config)", user.GetLogin()), ""}}
	}
	var out []Result
	for _, o := range deployment.GitHubOwners(s.cfg) {
		if o.All || o.Board {
			if _, _, err := c.Organizations.Get(ctx, o.Login); err != nil {
				out = append(out, Result{name, Fail, fmt.Sprintf("the token (@%s) cannot see the organisation %s: %v", user.GetLogin(), o.Login, short(err)), "give the token access to " + o.Login + ", or use the app: " + d.rituals("setup github")})
				continue
			}
		}
		for _, r := range o.Repos {
			owner, repo, _ := strings.Cut(r, "/")
			if _, _, err := c.Repositories.Get(ctx, owner, repo); err != nil {
				out = append(out, Result{name, Fail, fmt.Sprintf("the token (@%s) cannot see %s: %v", user.GetLogin(), r, short(err)), "give the token access to " + r + ", or use the app: " + d.rituals("setup github")})
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	return []Result{{name, OK, fmt.Sprintf("a token (@%s) reaches every account the config names", user.GetLogin()), ""}}
}

func (d *Doctor) checkApp(ctx context.Context, s *state) []Result {
	const name = "github"
	fix := d.rituals("setup github --replace")
	id, err := ghapp.ParseAppID(s.github.appID)
	if err != nil {
		return []Result{{name, Fail, fmt.Sprintf("%s: %v", s.stack.Parameters["GitHubAppIdParam"], err), fix}}
	}
	app, err := ghapp.NewApp(id, []byte(s.github.key), d.Target.GitHubAPI)
	if err != nil {
		return []Result{{name, Fail, fmt.Sprintf("%s: %v", s.stack.Parameters["GitHubAppKeyParam"], err), fix}}
	}
	ac, err := app.AppClient()
	if err != nil {
		return []Result{{name, Fail, err.Error(), ""}}
	}
	info, _, err := ac.Apps.Get(ctx, "")
	if err != nil {
		return []Result{{name, Fail, fmt.Sprintf("GitHub App %d does not authenticate with the key in %s: %v", id, s.stack.Parameters["GitHubAppKeyParam"], short(err)), fix}}
	}
	s.github.app, s.github.appInfo = app, info
	s.github.client, _ = app.Client()
	installs, err := app.Installations(ctx)
	if err != nil {
		return []Result{{name, Fail, fmt.Sprintf("list GitHub App %s's installations: %v", info.GetSlug(), short(err)), ""}}
	}
	link := strings.TrimSuffix(info.GetHTMLURL(), "/") + "/installations/new"
	byAccount := map[string]ghapp.Installation{}
	for _, i := range installs {
		byAccount[strings.ToLower(i.Account)] = i
	}
	if s.cfg == nil {
		if len(installs) == 0 {
			return []Result{{name, Fail, fmt.Sprintf("GitHub App %s is installed nowhere", info.GetSlug()), "install it: " + link}}
		}
		return []Result{{name, OK, fmt.Sprintf("GitHub App %s (id %d) is installed on %d accounts (no team config to check against: see config)", info.GetSlug(), id, len(installs)), ""}}
	}
	var out []Result
	named := map[string]bool{}
	var covered []string
	for _, o := range deployment.GitHubOwners(s.cfg) {
		named[strings.ToLower(o.Login)] = true
		inst, ok := byAccount[strings.ToLower(o.Login)]
		if !ok {
			out = append(out, Result{name, Fail, fmt.Sprintf("GitHub App %s is not installed on %s (%s)", info.GetSlug(), o.Login, needs(o)), "install it on " + o.Login + ": " + link})
			continue
		}
		covered = append(covered, o.Login)
		if inst.AllRepositories || len(o.Repos) == 0 {
			continue
		}
		repos, err := installationRepos(ghapp.WithOwner(ctx, o.Login), s.github.client)
		if err != nil {
			out = append(out, Result{name, Fail, fmt.Sprintf("list the repositories of the installation on %s: %v", o.Login, short(err)), ""})
			continue
		}
		for _, r := range o.Repos {
			if !repos[strings.ToLower(r)] {
				out = append(out, Result{name, Fail, fmt.Sprintf("the installation on %s does not include %s", o.Login, r), fmt.Sprintf("add %s to the installation (%s/settings/installations/%d → Repository access)", r, installationsBase(d.Target.GitHubWeb, o.Login), inst.ID)})
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	msg := fmt.Sprintf("GitHub App %s (id %d) is installed on every account the config names: %s", info.GetSlug(), id, join(covered))
	var extra []string
	for _, i := range installs {
		if !named[strings.ToLower(i.Account)] {
			extra = append(extra, i.Account)
		}
	}
	if len(extra) > 0 {
		msg += fmt.Sprintf(" (also on %s, which the config does not name: its events are stored but not acted on)", join(extra))
	}
	return []Result{{name, OK, msg, ""}}
}

func needs(o deployment.Owner) string {
	var what []string
	if o.All {
		what = append(what, "all its repositories")
	}
	if len(o.Repos) > 0 {
		what = append(what, join(o.Repos))
	}
	if o.Board {
		what = append(what, "a support board")
	}
	return "the config names " + join(what)
}

func installationsBase(web, owner string) string {
	return web + "/organizations/" + owner
}

// installationRepos lists the repositories of the installation ctx's owner picks.
func installationRepos(ctx context.Context, c *github.Client) (map[string]bool, error) {
	out := map[string]bool{}
	opt := &github.ListOptions{PerPage: 100}
	for {
		list, resp, err := c.Apps.ListRepos(ctx, opt)
		if err != nil {
			return nil, err
		}
		for _, r := range list.Repositories {
			out[strings.ToLower(r.GetFullName())] = true
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

// short is an API error without go-github's request line.
func short(err error) string {
	var ge *github.ErrorResponse
	if errors.As(err, &ge) && ge.Response != nil {
		if ge.Response.StatusCode == http.StatusNotFound {
			return "404 Not Found (missing, or not visible to these credentials)"
		}
		return fmt.Sprintf("%d %s", ge.Response.StatusCode, ge.Message)
	}
	var ni *ghapp.NotInstalledError
	if errors.As(err, &ni) {
		return ni.Error()
	}
	return err.Error()
}
