// Package deployment finds a deployed Rituals stack for the admin commands (`rituals setup`,
// `rituals doctor`): its outputs and parameters from CloudFormation's DescribeStacks, and the
// clients to reach what it uses — SSM Parameter Store, DynamoDB, GitHub and Slack. The same
// Target describes a stack in AWS or the local stack `make run` starts (its stand-ins play
// AWS, GitHub and Slack), so that the commands run one code path in both.
package deployment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"

	"github.com/rituals-dev/rituals/infra/localrun"
)

// Options say which stack to find and how to reach GitHub.
type Options struct {
	// Stack is the stack's name; from samconfig.toml when empty.
	Stack string
	// Region is the AWS region; from samconfig.toml, then the AWS configuration, when empty.
	Region string
	// SamConfig is the path of samconfig.toml; "samconfig.toml" when empty.
	SamConfig string
	// Local is the URL of a local stack (`make run`, http://127.0.0.1:3000): its stand-ins
	// replace AWS, GitHub and Slack.
	Local string
	// GitHubURL is GitHub's web address (https://github.com, or a GitHub Enterprise Server);
	// its API is https://api.github.com/ or <GitHubURL>/api/v3/.
	GitHubURL string
	// HTTP is the client for GitHub, Slack and the stack's routes; one with a 15 s timeout
	// when nil.
	HTTP *http.Client
}

// Target is a stack and the clients to act on it.
type Target struct {
	StackName string
	Region    string
	CFN       StackDescriber
	SSM       *ssm.Client
	DynamoDB  *dynamodb.Client
	AWS       aws.Config
	// GitHubWeb is GitHub's web address (no trailing slash); GitHubAPI its REST base URL
	// ("" for https://api.github.com/).
	GitHubWeb, GitHubAPI string
	// SlackAPI is the Web API's base ("" for https://slack.com/api/); SlackWeb is where the
	// OAuth authorize page is (https://slack.com/).
	SlackAPI, SlackWeb string
	HTTP               *http.Client
	// Local is the local stack's description; nil in AWS.
	Local *localrun.LocalInfo
}

// StackDescriber is the part of CloudFormation the commands use.
type StackDescriber interface {
	DescribeStacks(context.Context, *cloudformation.DescribeStacksInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
}

var _ StackDescriber = (*cloudformation.Client)(nil)

// Open finds the stack named by opts (or samconfig.toml) and builds the clients.
func Open(ctx context.Context, opts Options) (*Target, error) {
	t := &Target{HTTP: opts.HTTP}
	if t.HTTP == nil {
		t.HTTP = &http.Client{Timeout: 15 * time.Second}
	}
	if opts.Local != "" {
		return t, t.openLocal(ctx, strings.TrimSuffix(opts.Local, "/"))
	}
	sam, err := ReadSamConfig(or(opts.SamConfig, "samconfig.toml"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	t.StackName = or(opts.Stack, sam.StackName)
	if t.StackName == "" {
		return nil, errors.New("which stack? pass --stack NAME, or run from the directory where `sam deploy --guided` wrote samconfig.toml")
	}
	var lo []func(*awsconfig.LoadOptions) error
	if r := or(opts.Region, sam.Region); r != "" {
		lo = append(lo, awsconfig.WithRegion(r))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, lo...)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("no AWS region: pass --region, set AWS_REGION, or run `sam deploy --guided` (samconfig.toml)")
	}
	t.Region, t.AWS = cfg.Region, cfg
	t.CFN = cloudformation.NewFromConfig(cfg)
	t.SSM = ssm.NewFromConfig(cfg)
	t.DynamoDB = dynamodb.NewFromConfig(cfg)
	t.GitHubWeb = strings.TrimSuffix(or(opts.GitHubURL, "https://github.com"), "/")
	if t.GitHubWeb != "https://github.com" {
		t.GitHubAPI = t.GitHubWeb + "/api/v3/"
	}
	t.SlackWeb = "https://slack.com/"
	return t, nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// openLocal reads the local stack's description from GET /_local/stack.
func (t *Target) openLocal(ctx context.Context, base string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+localrun.StackInfoPath, nil)
	resp, err := t.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("no local stack at %s: start it with `make run` (%w)", base, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var info localrun.LocalInfo
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &info) != nil {
		return fmt.Errorf("%s%s answered %s: is `make run` (this version) listening there?", base, localrun.StackInfoPath, resp.Status)
	}
	cfg := aws.Config{Region: info.Region, Credentials: credentials.NewStaticCredentialsProvider(info.AccessKeyID, info.SecretAccessKey, "")}
	t.Local, t.StackName, t.Region, t.AWS = &info, info.StackName, info.Region, cfg
	t.CFN = cloudformation.NewFromConfig(cfg, func(o *cloudformation.Options) { o.BaseEndpoint = aws.String(info.CloudFormation) })
	t.SSM = ssm.NewFromConfig(cfg, func(o *ssm.Options) { o.BaseEndpoint = aws.String(info.SSM) })
	t.DynamoDB = dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(info.DynamoDB)
		o.DisableValidateResponseChecksum = true
	})
	t.GitHubWeb, t.GitHubAPI = strings.TrimSuffix(info.GitHubWeb, "/"), info.GitHubAPI
	t.SlackAPI = info.SlackAPI
	t.SlackWeb = strings.TrimSuffix(info.SlackAPI, "/_standins/slack/api/") + "/_standins/slack-web/"
	return nil
}

// Stack is a deployed stack as DescribeStacks tells it.
type Stack struct {
	Name       string
	Status     string
	Outputs    map[string]string
	Parameters map[string]string
}

// ErrNoStack is wrapped by Describe when the stack does not exist.
var ErrNoStack = errors.New("stack does not exist")

// ErrNoCredentials is wrapped by Describe when there are no AWS credentials to ask with.
var ErrNoCredentials = errors.New("no AWS credentials")

// Describe reads the stack's status, outputs and parameters.
func (t *Target) Describe(ctx context.Context) (Stack, error) {
	out, err := t.CFN.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(t.StackName)})
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == "ValidationError" && strings.Contains(api.ErrorMessage(), "does not exist") {
		return Stack{}, fmt.Errorf("%w: no stack %s in %s: deploy it with `sam build && sam deploy --guided`, or name the right one with --stack/--region", ErrNoStack, t.StackName, t.Region)
	}
	if err != nil && strings.Contains(err.Error(), "get credentials") {
		return Stack{}, fmt.Errorf("%w: configure them with `aws configure` or `aws sso login` (or set AWS_PROFILE), then run this again", ErrNoCredentials)
	}
	if err != nil {
		return Stack{}, fmt.Errorf("describe stack %s: %w", t.StackName, err)
	}
	if len(out.Stacks) == 0 {
		return Stack{}, fmt.Errorf("%w: no stack %s in %s", ErrNoStack, t.StackName, t.Region)
	}
	s := out.Stacks[0]
	st := Stack{Name: aws.ToString(s.StackName), Status: string(s.StackStatus), Outputs: map[string]string{}, Parameters: map[string]string{}}
	for _, o := range s.Outputs {
		st.Outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	for _, p := range s.Parameters {
		st.Parameters[aws.ToString(p.ParameterKey)] = aws.ToString(p.ParameterValue)
	}
	return st, nil
}

// Output returns the named output, or an error that says to deploy the current template.
func (s Stack) Output(key string) (string, error) {
	if v := s.Outputs[key]; v != "" {
		return v, nil
	}
	return "", fmt.Errorf("stack %s has no output %s: deploy this version of template.yaml (`sam build && sam deploy`)", s.Name, key)
}

// Parameter returns the named parameter's value (an SSM parameter name for the *Param ones),
// or an error that says to deploy the current template.
func (s Stack) Parameter(key string) (string, error) {
	if v := s.Parameters[key]; v != "" {
		return v, nil
	}
	return "", fmt.Errorf("stack %s has no parameter %s: deploy this version of template.yaml (`sam build && sam deploy`)", s.Name, key)
}

// ParamKeys lists the stack parameters that name SSM parameters (their keys end in "Param").
func (s Stack) ParamKeys() []string {
	var out []string
	for k := range s.Parameters {
		if strings.HasSuffix(k, "Param") {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// SetupParam is where setup keeps a value of its own (the Slack app's id) next to the
// stack's secrets: in the directory of the parameter named by key ("/rituals").
func (s Stack) SetupParam(key, name string) (string, error) {
	p, err := s.Parameter(key)
	if err != nil {
		return "", err
	}
	return path.Join(path.Dir(p), name), nil
}
