package localrun

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/rituals-dev/rituals/infra/samtemplate"
	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/killpoint"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
)

// envContext is what a function's local environment is derived from.
type envContext struct {
	resolver samtemplate.Resolver
	secrets  map[string]string
	// getenv supplies secrets that are not in secrets (names DefaultSecrets does not know).
	getenv  func(string) string
	dynamo  string
	baseURL string
	extra   map[string]string
	region  string
	// apiURL is the HTTP API's URL as the template resolves it locally (samtemplate.HTTPAPIURL);
	// a variable built on it (GITHUB_WEBHOOK_URL) is given baseURL in its place.
	apiURL string
}

// functionEnv builds a function's environment: the template's variables (Globals overlaid with
// the function's, intrinsics resolved to local names), every X_PARAM replaced by X holding
// the local secret (runtimeenv.Load reads X before X_PARAM), the Lambda runtime variables, and
// the overrides that point clients at DynamoDB Local and the stand-ins. Nothing else of the
// runner's environment leaks in, as in Lambda.
func functionEnv(f samtemplate.Function, bin string, c envContext) ([]string, error) {
	vars, err := f.ResolveEnv(c.resolver)
	if err != nil {
		return nil, err
	}
	for k, v := range vars {
		if c.apiURL != "" && strings.HasPrefix(v, c.apiURL) {
			vars[k] = strings.TrimSuffix(c.baseURL, "/") + strings.TrimPrefix(v, c.apiURL)
		}
		if !strings.HasSuffix(k, runtimeenv.ParamSuffix) || declaredVar(f.LogicalID, k) {
			continue // a parameter name the function uses as such (it reads SSM at run time)
		}
		name := strings.TrimSuffix(k, runtimeenv.ParamSuffix)
		secret, ok := c.secrets[name]
		if !ok && c.getenv != nil {
			secret = c.getenv(name)
		}
		if secret == "" && runtimeenv.IsChoice(name) {
			delete(vars, k) // one form of a credential given in another (a GitHub token, an app)
			continue
		}
		if secret == "" {
			return nil, fmt.Errorf("function %s: %s names an SSM parameter, but there is no local value for %s: set %s in the environment", f.LogicalID, k, name, name)
		}
		delete(vars, k)
		vars[name] = secret
	}
	level := f.LogLevel
	if level == "" {
		level = "INFO"
	}
	format := f.LogFormat
	if format == "" {
		format = "JSON"
	}
	fixed := map[string]string{
		"AWS_REGION":                      c.region,
		"AWS_DEFAULT_REGION":              c.region,
		"AWS_ACCESS_KEY_ID":               "local",
		"AWS_SECRET_ACCESS_KEY":           "local",
		"AWS_LAMBDA_FUNCTION_NAME":        f.LogicalID,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(f.MemorySize),
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_LOG_FORMAT":           format,
		"AWS_LAMBDA_LOG_LEVEL":            level,
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + f.LogicalID,
		"_HANDLER":                        "bootstrap",
		"LAMBDA_TASK_ROOT":                filepath.Dir(bin),
		"TZ":                              "UTC",
		"DYNAMODB_ENDPOINT":               c.dynamo,
		"SLACK_API_URL":                   standins.SlackAPIURL(c.baseURL),
		"GITHUB_API_URL":                  standins.GitHubAPIURL(c.baseURL),
		"CONDUIT_API_URL":                 standins.ConduitAPIURL(c.baseURL),
		"OIDC_ISSUER_URL":                 standins.OIDCIssuerURL(c.baseURL),
		"AWS_ENDPOINT_URL_SSM":            standins.SSMURL(c.baseURL),
		"RITUALS_LOCAL":                   "1",
		killpoint.EnvVar:                  "1",
	}
	for k, v := range fixed {
		vars[k] = v
	}
	// Coverage of end-to-end runs: a binary built with -cover writes where GOCOVERDIR says.
	if d := os.Getenv("GOCOVERDIR"); d != "" {
		vars["GOCOVERDIR"] = d
	}
	for k, v := range c.extra {
		vars[k] = v
	}
	out := make([]string, 0, len(vars))
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out, nil
}

// declaredVar reports whether function's runtimeenv.Spec lists name among its plain variables.
func declaredVar(function, name string) bool {
	for _, v := range runtimeenv.Specs[function].Vars {
		if v == name {
			return true
		}
	}
	return false
}
