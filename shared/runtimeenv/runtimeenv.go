// Package runtimeenv reads a function's environment: the variables template.yaml sets, the
// secrets (plain env vars locally, SSM SecureString parameters in AWS) and the local-only
// overrides that point clients at stand-ins. It reports every missing variable at once.
package runtimeenv

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Spec declares everything one function reads from its environment. Specs lists them all, so
// that a test can hold template.yaml to them.
type Spec struct {
	// Vars must be set (template.yaml sets them for the function).
	Vars []string
	// Secrets are read from the env var NAME when set (local runs), otherwise from the SSM
	// parameter whose name is in NAME_PARAM (template.yaml sets that).
	Secrets []string
}

// Overrides are optional variables never set in template.yaml: they point a function at
// DynamoDB Local and the local stand-ins for Slack, GitHub, Conduit and Slack's OpenID
// provider.
var Overrides = []string{"DYNAMODB_ENDPOINT", "SLACK_API_URL", "GITHUB_API_URL", "CONDUIT_API_URL", "OIDC_ISSUER_URL"}

// ParamSuffix names the variable that holds a secret's SSM parameter name.
const ParamSuffix = "_PARAM"

// ParamReader reads SSM SecureString parameters (decrypted).
type ParamReader interface {
	Parameter(ctx context.Context, name string) (string, error)
}

// Env is a loaded environment. Its String method never prints secret values.
type Env struct {
	vars    map[string]string
	secrets map[string]string
}

// Var returns a declared variable or an override ("" when an override is unset).
func (e Env) Var(name string) string { return e.vars[name] }

// Secret returns a declared secret's value.
func (e Env) Secret(name string) string { return e.secrets[name] }

// String lists the variable names and values, and only the names of secrets.
func (e Env) String() string {
	var parts []string
	for k, v := range e.vars {
		parts = append(parts, k+"="+v)
	}
	for k := range e.secrets {
		parts = append(parts, k+"=<redacted>")
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// Load reads spec from getenv, fetching secrets without a plain value through params (which
// may be nil when every secret is set directly). The error names every missing variable.
func Load(ctx context.Context, spec Spec, getenv func(string) string, params ParamReader) (Env, error) {
	env := Env{vars: map[string]string{}, secrets: map[string]string{}}
	var missing []string
	for _, name := range spec.Vars {
		v := getenv(name)
		if v == "" {
			missing = append(missing, name)
		}
		env.vars[name] = v
	}
	for _, name := range Overrides {
		env.vars[name] = getenv(name)
	}
	type fetch struct{ name, param string }
	var fetches []fetch
	for _, name := range spec.Secrets {
		if v := getenv(name); strings.TrimSpace(v) != "" {
			env.secrets[name] = v
			continue
		}
		param := getenv(name + ParamSuffix)
		if param == "" {
			missing = append(missing, name+" (or "+name+ParamSuffix+")")
			continue
		}
		fetches = append(fetches, fetch{name, param})
	}
	if len(missing) > 0 {
		return env, fmt.Errorf("missing environment variables: %s", strings.Join(missing, ", "))
	}
	for _, f := range fetches {
		if params == nil {
			return env, fmt.Errorf("secret %s: no parameter store configured", f.name)
		}
		v, err := params.Parameter(ctx, f.param)
		if err != nil {
			return env, fmt.Errorf("read secret %s from SSM parameter %s: %w", f.name, f.param, err)
		}
		if strings.TrimSpace(v) == "" {
			return env, fmt.Errorf("secret %s: SSM parameter %s is empty", f.name, f.param)
		}
		env.secrets[f.name] = v
	}
	return env, nil
}

// NeedsParams reports whether Load will have to read SSM, so that main can skip creating an SSM
// client (and its cold-start cost) when every secret is given directly.
func NeedsParams(spec Spec, getenv func(string) string) bool {
	for _, name := range spec.Secrets {
		if strings.TrimSpace(getenv(name)) == "" {
			return true
		}
	}
	return false
}
