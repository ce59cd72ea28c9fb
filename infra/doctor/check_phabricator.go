package doctor

import (
	"context"
	"fmt"
	"strings"

	"github.com/rituals-dev/rituals/infra/deployment"
	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/config"
)

// conduit finds the Conduit server and token: the local stand-in's, or in AWS the config's
// phabricator.url and the SSM parameter behind the functions' CONDUIT_API_TOKEN. ok is false
// when the stack has no Phabricator.
func (d *Doctor) conduit(s *state) (base, token, tokenParam string, ok bool, problem string) {
	if l := d.Target.Local; l != nil {
		return l.ConduitAPI, l.ConduitToken, "CONDUIT_API_TOKEN", l.ConduitToken != "", ""
	}
	secrets, err := deployment.TemplateSecretParams(d.Template)
	if err != nil {
		return "", "", "", false, ""
	}
	key := secrets["CONDUIT_API_TOKEN"]
	if key == "" {
		return "", "", "", false, ""
	}
	tokenParam = s.stack.Parameters[key]
	if s.cfg == nil || s.cfg.Phabricator == nil || s.cfg.Phabricator.URL == "" {
		return "", "", tokenParam, false, ""
	}
	return s.cfg.Phabricator.URL, s.params[tokenParam], tokenParam, true, ""
}

// phabricatorProjects lists the projects the config's teams name (slugs or PHIDs).
func phabricatorProjects(cfg *config.Config) []string {
	var out []string
	for _, t := range cfg.Teams {
		if t.Phabricator != nil && t.Phabricator.Project != "" {
			out = append(out, t.Phabricator.Project)
		}
	}
	return out
}

// checkPhabricator: the Conduit token works, and every Phabricator project the config names
// resolves. It talks to Conduit with the same client the functions use.
func (d *Doctor) checkPhabricator(ctx context.Context, s *state) []Result {
	const name = "phabricator"
	base, token, param, ok, problem := d.conduit(s)
	switch {
	case !ok:
		return []Result{{name, Skip, "no team uses Phabricator (no phabricator.url in the config, or no Conduit token in the stack)", ""}}
	case problem != "":
		return []Result{{name, Fail, problem, "deploy with the Phabricator URL parameter set (sam deploy --guided)"}}
	case token == "":
		return []Result{{name, Skip, "no Conduit token (see ssm)", ""}}
	}
	settings := strings.TrimSuffix(strings.TrimSuffix(base, "/"), "/api") + "/settings/"
	c, err := conduit.New(conduit.Options{BaseURL: base, Token: token, HTTP: d.httpClient()})
	if err != nil {
		return []Result{{name, Fail, fmt.Sprintf("phabricator.url %q: %v", base, err), "set phabricator.url in the config to the server's root, e.g. https://phabricator.example.org, and push it"}}
	}
	who, err := c.WhoAmI(ctx)
	if err != nil {
		return []Result{{name, Fail, fmt.Sprintf("Conduit refused the token in %s: %v", param, err), "create a bot's Conduit API token at " + settings + " (Conduit API Tokens) and store it: " + d.putParam(param, "api-…")}}
	}
	projects := d.PhabricatorProjects
	if projects == nil {
		projects = phabricatorProjects
	}
	var names []string
	if s.cfg != nil {
		names = projects(s.cfg)
	}
	var out []Result
	for _, p := range names {
		q := conduit.ProjectQuery{Slugs: []string{strings.TrimPrefix(p, "#")}}
		if strings.HasPrefix(p, "PHID-") {
			q = conduit.ProjectQuery{PHIDs: []string{p}}
		}
		found, err := c.SearchProjects(ctx, q)
		if err != nil {
			out = append(out, Result{name, Fail, fmt.Sprintf("project.search %s: %v", p, err), "check the server, then run: rituals phab check"})
			continue
		}
		if len(found) == 0 {
			out = append(out, Result{name, Fail, fmt.Sprintf("the config names the Phabricator project %q, which does not exist or @%s cannot see", p, who.Username), "correct it in the config and push it, or add @" + who.Username + " to the project; rituals phab check shows every name"})
		}
	}
	if len(out) > 0 {
		return out
	}
	msg := fmt.Sprintf("Conduit token works (@%s)", who.Username)
	switch len(names) {
	case 0:
	case 1:
		msg += fmt.Sprintf("; the config's project %s resolves", names[0])
	default:
		msg += fmt.Sprintf("; all %d projects of the config resolve", len(names))
	}
	return []Result{{name, OK, msg, ""}}
}
