package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/rituals-dev/rituals/infra/deployment"
)

var conduitURLParam = regexp.MustCompile(`(?i)^(phabricator|conduit)\w*url$`)

// conduit finds the Conduit endpoint and token: the local stand-in's, or in AWS the SSM
// parameter behind a function's CONDUIT_API_TOKEN and a Phabricator/Conduit URL parameter of
// the stack. ok is false when the stack has no Phabricator.
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
	var keys []string
	for k := range s.stack.Parameters {
		if conduitURLParam.MatchString(k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if len(keys) == 0 || s.stack.Parameters[keys[0]] == "" {
		return "", "", tokenParam, true, "the stack names a Conduit token but no Phabricator URL parameter"
	}
	return s.stack.Parameters[keys[0]], s.params[tokenParam], tokenParam, true, ""
}

// conduitCall runs a Conduit method; a Conduit error comes back as an error with its code.
func (d *Doctor) conduitCall(ctx context.Context, base, token, method string, params url.Values, out any) error {
	if params == nil {
		params = url.Values{}
	}
	params.Set("api.token", token)
	u := strings.TrimSuffix(base, "/") + "/api/" + method
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(params.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := d.httpClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var r struct {
		Result    json.RawMessage `json:"result"`
		ErrorCode *string         `json:"error_code"`
		ErrorInfo *string         `json:"error_info"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("%s answered %s, not Conduit JSON: is %s the Phabricator URL?", u, resp.Status, base)
	}
	if r.ErrorCode != nil {
		info := ""
		if r.ErrorInfo != nil {
			info = *r.ErrorInfo
		}
		return fmt.Errorf("%s: %s", *r.ErrorCode, info)
	}
	return json.Unmarshal(r.Result, out)
}

// checkPhabricator: the Conduit token works, and every Phabricator project the config names
// resolves.
func (d *Doctor) checkPhabricator(ctx context.Context, s *state) []Result {
	const name = "phabricator"
	base, token, param, ok, problem := d.conduit(s)
	switch {
	case !ok:
		return []Result{{name, Skip, "Phabricator is not part of this stack (no Conduit token)", ""}}
	case problem != "":
		return []Result{{name, Fail, problem, "deploy with the Phabricator URL parameter set (sam deploy --guided)"}}
	case token == "":
		return []Result{{name, Skip, "no Conduit token (see ssm)", ""}}
	}
	settings := strings.TrimSuffix(strings.TrimSuffix(base, "/"), "/api") + "/settings/"
	var who struct {
		UserName string `json:"userName"`
	}
	if err := d.conduitCall(ctx, base, token, "user.whoami", nil, &who); err != nil {
		return []Result{{name, Fail, fmt.Sprintf("Conduit refused the token in %s: %v", param, err), "create a bot's Conduit API token at " + settings + " (Conduit API Tokens) and store it: " + d.putParam(param, "api-…")}}
	}
	var projects []string
	if d.PhabricatorProjects != nil && s.cfg != nil {
		projects = d.PhabricatorProjects(s.cfg)
	}
	var out []Result
	for _, p := range projects {
		q := url.Values{}
		if strings.HasPrefix(p, "PHID-") {
			q.Set("constraints[phids][0]", p)
		} else {
			q.Set("constraints[slugs][0]", p)
		}
		var res struct {
			Data []struct {
				PHID string `json:"phid"`
			} `json:"data"`
		}
		if err := d.conduitCall(ctx, base, token, "project.search", q, &res); err != nil {
			out = append(out, Result{name, Fail, fmt.Sprintf("project.search %s: %v", p, err), ""})
			continue
		}
		if len(res.Data) == 0 {
			out = append(out, Result{name, Fail, fmt.Sprintf("the config names the Phabricator project %q, which does not exist or @%s cannot see", p, who.UserName), "correct it in the config and push it, or add @" + who.UserName + " to the project"})
		}
	}
	if len(out) > 0 {
		return out
	}
	msg := fmt.Sprintf("Conduit token works (@%s)", who.UserName)
	if len(projects) > 0 {
		msg += fmt.Sprintf("; all %d projects of the config resolve", len(projects))
	}
	return []Result{{name, OK, msg, ""}}
}
