package localrun

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/rituals-dev/rituals/infra/samtemplate"
	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/ghapp"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
)

// StackName is the local stack's name in the CloudFormation stand-in.
const StackName = "rituals-local"

// StackInfoPath answers GET with the local stack's LocalInfo: where `rituals setup` and
// `rituals doctor --local` find the stand-ins standing in for AWS, GitHub, Slack and Conduit.
const StackInfoPath = "/_local/stack"

// LocalInfo is what GET /_local/stack answers.
type LocalInfo struct {
	StackName string            `json:"stack_name"`
	Region    string            `json:"region"`
	URL       string            `json:"url"`
	DynamoDB  string            `json:"dynamodb"`
	Tables    map[string]string `json:"tables"`
	// AWS endpoints and the credentials they accept.
	SSM             string `json:"ssm"`
	CloudFormation  string `json:"cloudformation"`
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key"`
	// The Slack, GitHub and Conduit stand-ins.
	SlackAPI         string `json:"slack_api"`
	SlackConfigToken string `json:"slack_config_token"`
	GitHubAPI        string `json:"github_api"`
	GitHubWeb        string `json:"github_web"`
	ConduitAPI       string `json:"conduit_api"`
	ConduitToken     string `json:"conduit_token"`
	DeadLetters      string `json:"dead_letters"`
}

// Info describes the running stack for the admin commands.
func (s *Stack) Info() LocalInfo {
	return LocalInfo{
		StackName: StackName, Region: Region, URL: s.URL, DynamoDB: s.DynamoDBEndpoint, Tables: s.Tables,
		SSM: standins.SSMURL(s.URL), CloudFormation: standins.CloudFormationURL(s.URL),
		AccessKeyID: standins.AWSAccessKeyID, SecretAccessKey: standins.AWSSecretAccessKey,
		SlackAPI: standins.SlackAPIURL(s.URL), SlackConfigToken: standins.SlackConfigToken,
		GitHubAPI: standins.GitHubAPIURL(s.URL), GitHubWeb: standins.GitHubWebURL(s.URL),
		ConduitAPI: standins.ConduitAPIURL(s.URL), ConduitToken: s.opts.Secrets["CONDUIT_API_TOKEN"],
		DeadLetters: s.URL + DeadLettersPath,
	}
}

func (s *Stack) serveStackInfo(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Info())
}

// localOrigin is what the template's API URLs resolve to locally before they are rewritten to
// the stack's own URL: the HttpApi's Ref is "local".
func localOrigin() string { return "https://local.execute-api." + Region + ".amazonaws.com" }

// publishStack makes the local stack look deployed to `rituals setup` and `rituals doctor`:
// the CloudFormation stand-in describes it with the template's parameters (their defaults) and
// outputs (with the local URLs), and every secret a function of the template reads from SSM is
// in the SSM stand-in under its parameter's name, with the value the functions run with. A
// GitHub App given as local secrets is registered with the GitHub stand-in so its JWTs verify.
func (s *Stack) publishStack(r samtemplate.Resolver, ec envContext) error {
	st := standins.Stack{Name: StackName, Parameters: map[string]string{}, Outputs: map[string]string{}, OutputDescriptions: map[string]string{}, Created: s.opts.Now()}
	for name := range s.tmpl.Parameters {
		v, err := r.Ref(name)
		if err == nil {
			st.Parameters[name] = v
		}
	}
	for key, out := range s.tmpl.Outputs {
		v, err := r.String(samtemplate.Get(out, "Value"))
		if err != nil {
			return fmt.Errorf("output %s: %w", key, err)
		}
		st.Outputs[key] = strings.Replace(v, localOrigin(), s.URL, 1)
		if d := samtemplate.Get(out, "Description"); d != nil {
			st.OutputDescriptions[key] = d.Value
		}
	}
	s.Standins.SetStack(st)
	fns, err := s.tmpl.Functions()
	if err != nil {
		return err
	}
	secret := func(name string) string {
		if v, ok := ec.secrets[name]; ok {
			return v
		}
		if ec.getenv != nil {
			return ec.getenv(name)
		}
		return ""
	}
	for _, f := range fns {
		vars, err := f.ResolveEnv(r)
		if err != nil {
			return err
		}
		keys := make([]string, 0, len(vars))
		for k := range vars {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !strings.HasSuffix(k, runtimeenv.ParamSuffix) || declaredVar(f.LogicalID, k) {
				continue
			}
			if v := secret(strings.TrimSuffix(k, runtimeenv.ParamSuffix)); v != "" {
				s.Standins.SetParameter(vars[k], v)
			}
		}
	}
	if id, key := secret("GITHUB_APP_ID"), secret("GITHUB_APP_PRIVATE_KEY"); id != "" && key != "" {
		appID, err := ghapp.ParseAppID(id)
		if err != nil {
			return fmt.Errorf("GITHUB_APP_ID: %w", err)
		}
		pk, err := ghapp.ParsePrivateKey([]byte(key))
		if err != nil {
			return fmt.Errorf("GITHUB_APP_PRIVATE_KEY: %w", err)
		}
		s.Standins.RegisterGitHubApp(appID, "rituals-local", &pk.PublicKey, true)
	}
	return nil
}
