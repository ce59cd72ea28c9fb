// Package runtimeenv reads a function's environment: the variables template.yaml sets, the
// secrets (plain env vars locally, SSM SecureString parameters in AWS) and the local-only
// overrides that point clients at stand-ins. It reports every missing variable at once.
package runtimeenv

import (
	"context"
	"errors"
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
	// Choices are credentials that may be given in one of several forms (a GitHub App or a
	// personal token); each needs one of its options complete.
	Choices []Choice
}

// Choice is a credential given in one of several forms. Every secret of every option is read
// as Secrets are (NAME, else the SSM parameter in NAME_PARAM), but a missing one is not an
// error: the first option whose secrets are all present is used, and Env.Secret returns "" for
// the others. Only when no option is complete does Load fail, saying what to do.
type Choice struct {
	// What names the credential in errors: "GitHub credentials".
	What string
	// Options are the alternative sets of secrets, preferred first.
	Options [][]string
	// Fix says how to provide one: "run `rituals setup github`".
	Fix string
}

// ErrParamNotFound is wrapped by a ParamReader's error for a parameter that does not exist.
var ErrParamNotFound = errors.New("parameter not found")

// IsChoice reports whether name is a secret of some Choice in Specs: one that may be absent.
func IsChoice(name string) bool {
	for _, spec := range Specs {
		for _, c := range spec.Choices {
			for _, o := range c.Options {
				for _, s := range o {
					if s == name {
						return true
					}
				}
			}
		}
	}
	return false
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
	// params read the secrets that came from SSM, by name of secret in fromSSM (Reread).
	params  ParamReader
	fromSSM map[string]string
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
	env := Env{vars: map[string]string{}, secrets: map[string]string{}, params: params, fromSSM: map[string]string{}}
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
		env.fromSSM[f.name] = f.param
	}
	for _, c := range spec.Choices {
		if err := loadChoice(ctx, c, getenv, params, env.secrets); err != nil {
			return env, err
		}
	}
	return env, nil
}

// loadChoice sets the secrets of c's first complete option. Plain values win over SSM, as for
// Secrets; options are tried in order and SSM is read only until one is complete.
func loadChoice(ctx context.Context, c Choice, getenv func(string) string, params ParamReader, secrets map[string]string) error {
	for _, opt := range c.Options {
		if complete(opt, getenv) {
			for _, name := range opt {
				secrets[name] = getenv(name)
			}
			return nil
		}
	}
	var tried []string
	for _, opt := range c.Options {
		got := map[string]string{}
		for _, name := range opt {
			if v := getenv(name); v != "" {
				got[name] = v
				continue
			}
			param := getenv(name + ParamSuffix)
			if param == "" {
				tried = append(tried, name)
				break
			}
			if params == nil {
				return fmt.Errorf("%s: secret %s: no parameter store configured", c.What, name)
			}
			v, err := params.Parameter(ctx, param)
			if errors.Is(err, ErrParamNotFound) || (err == nil && v == "") {
				tried = append(tried, name+" (SSM "+param+")")
				break
			}
			if err != nil {
				return fmt.Errorf("%s: read secret %s from SSM parameter %s: %w", c.What, name, param, err)
			}
			got[name] = v
		}
		if len(got) == len(opt) {
			for k, v := range got {
				secrets[k] = v
			}
			return nil
		}
	}
	var forms []string
	for _, opt := range c.Options {
		forms = append(forms, strings.Join(opt, " and "))
	}
	return fmt.Errorf("%s missing: give %s (absent: %s); %s", c.What, strings.Join(forms, ", or "), strings.Join(tried, ", "), c.Fix)
}

func complete(names []string, getenv func(string) string) bool {
	for _, n := range names {
		if getenv(n) == "" {
			return false
		}
	}
	return len(names) > 0
}

// NeedsParams reports whether Load will have to read SSM, so that main can skip creating an SSM
// client (and its cold-start cost) when every secret is given directly.
func NeedsParams(spec Spec, getenv func(string) string) bool {
	for _, name := range spec.Secrets {
		if strings.TrimSpace(getenv(name)) == "" {
			return true
		}
	}
	for _, c := range spec.Choices {
		given := false
		for _, opt := range c.Options {
			given = given || complete(opt, getenv)
		}
		if !given {
			return true
		}
	}
	return false
}
