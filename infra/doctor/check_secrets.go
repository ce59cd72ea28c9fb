package doctor

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// need says when a stack parameter's SSM parameter must exist.
type need int

const (
	required need = iota
	// githubCred: the app's id and key, or the token.
	githubCred
	// optional: reported when missing, never a failure.
	optional
	// phabricator: required when the config names Phabricator users.
	phabricator
)

// paramNeeds are the stack parameters with a rule other than "required"; any other *Param
// parameter (a feature's secret) is required.
var paramNeeds = map[string]need{
	"GitHubAppIdParam": githubCred, "GitHubAppKeyParam": githubCred, "GitHubTokenParam": githubCred,
	"SlackClientIdParam": optional, "SlackClientSecretParam": optional,
	"PhabricatorWebhookKeyParam": phabricator,
}

// fix says how each parameter gets its value.
func (d *Doctor) paramFix(key, name string) string {
	switch key {
	case "GitHubWebhookSecretParam", "GitHubAppIdParam", "GitHubAppKeyParam", "GitHubTokenParam":
		return d.rituals("setup github")
	case "SlackSigningSecretParam", "SlackBotTokenParam", "SlackClientIdParam", "SlackClientSecretParam":
		return d.rituals("setup slack --config-token xoxe.xoxp-…")
	case "PhabricatorWebhookKeyParam":
		return "Phabricator: Herald → Webhooks → your webhook → View HMAC Key, then " + d.putParam(name, "KEY")
	case "WebSessionKeyParam": // any long random value; the web pages derive their cookie keys from it
		return d.putParam(name, `"$(openssl rand -hex 32)"`)
	}
	return d.putParam(name, "VALUE")
}

// checkSecrets: every SSM parameter the stack names exists and is not empty; the GitHub
// credentials are the app's id and key or a token.
func (d *Doctor) checkSecrets(ctx context.Context, s *state) []Result {
	const name = "ssm"
	if !s.stackOK {
		return []Result{{name, Skip, "needs the stack (above)", ""}}
	}
	s.cfg, _, s.cfgErr = d.Target.Config(ctx, s.stack)
	usesPhab := false
	if s.cfg != nil {
		for _, p := range s.cfg.People {
			usesPhab = usesPhab || p.Phabricator != ""
		}
	}
	var out []Result
	var notes []string
	found := 0
	missing := map[string]bool{}
	for _, key := range s.stack.ParamKeys() {
		param := s.stack.Parameters[key]
		v, err := d.param(ctx, param)
		if err != nil {
			out = append(out, Result{name, Fail, fmt.Sprintf("cannot read %s (%s): %v", param, key, err), "use AWS credentials allowed ssm:GetParameter on " + param})
			continue
		}
		if v != "" {
			s.params[param] = v
			found++
			continue
		}
		missing[key] = true
		rule := paramNeeds[key]
		switch {
		case rule == githubCred:
		case rule == optional:
			notes = append(notes, param+" not set (the Slack install route needs it)")
		case rule == phabricator && !usesPhab:
			notes = append(notes, param+" not set (no Phabricator in the config)")
		case rule == required, rule == phabricator:
			out = append(out, Result{name, Fail, fmt.Sprintf("%s (%s) is missing or empty", param, key), d.paramFix(key, param)})
		}
	}
	s.github = d.githubCreds(s)
	if s.github == nil {
		out = append(out, Result{name, Fail, fmt.Sprintf("no GitHub credentials: neither the app (%s and %s) nor a token (%s)",
			s.stack.Parameters["GitHubAppIdParam"], s.stack.Parameters["GitHubAppKeyParam"], s.stack.Parameters["GitHubTokenParam"]), d.rituals("setup github")})
	}
	if len(out) > 0 {
		return out
	}
	how := "GitHub as the app"
	if s.github.token != "" {
		how = "GitHub with a token"
	}
	msg := fmt.Sprintf("%d parameters set; %s", found, how)
	if len(notes) > 0 {
		msg += "; " + strings.Join(notes, "; ")
	}
	return []Result{{name, OK, msg, ""}}
}

// param reads a parameter's decrypted value; "" when it does not exist.
func (d *Doctor) param(ctx context.Context, name string) (string, error) {
	out, err := d.Target.SSM.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	var nf *types.ParameterNotFound
	if errors.As(err, &nf) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(aws.ToString(out.Parameter.Value)), nil
}

// githubCreds picks the credentials the functions would: the app when its id and key are both
// stored, else the token.
func (d *Doctor) githubCreds(s *state) *githubCreds {
	id := s.params[s.stack.Parameters["GitHubAppIdParam"]]
	key := s.params[s.stack.Parameters["GitHubAppKeyParam"]]
	if id != "" && key != "" {
		return &githubCreds{appID: id, key: key}
	}
	if tok := s.params[s.stack.Parameters["GitHubTokenParam"]]; tok != "" {
		return &githubCreds{token: tok}
	}
	return nil
}
