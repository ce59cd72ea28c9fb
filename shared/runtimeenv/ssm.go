package runtimeenv

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"

	"github.com/rituals-dev/rituals/shared/retry"
)

// SSM reads (GetParameter with decryption) and writes SecureString parameters over Parameter Store's JSON
// protocol, signed with SigV4 by the SDK's signer.
//
// It speaks the protocol instead of using service/ssm on purpose: that package's generated
// schemas are built when the process starts (about 1.4 MB in 7,900 allocations, 7–15 ms of a
// cold start on this project's CI machine), in every function, for one call per secret at
// start. `rituals setup` and the doctor, which run on a laptop, keep the SDK client.
type SSM struct {
	// Endpoint is Parameter Store's URL: AWS_ENDPOINT_URL_SSM, else AWS_ENDPOINT_URL, else
	// https://ssm.<region>.<partition's domain>.
	Endpoint    string
	Region      string
	Credentials aws.CredentialsProvider
	// HTTP is the client (10-second timeout when nil); Now the signing clock (time.Now).
	HTTP *http.Client
	Now  func() time.Time
}

var _ ParamReader = SSM{}

// ssmHTTP is the client SSM uses when given none: one per process, so that the reads at start
// and the re-reads of Rotating share connections.
var ssmHTTP = &http.Client{Timeout: 10 * time.Second}

// NewSSM returns an SSM reader for the Lambda's region and role.
func NewSSM(ctx context.Context) (SSM, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return SSM{}, err
	}
	return SSM{Endpoint: SSMEndpoint(os.Getenv, cfg.Region), Region: cfg.Region, Credentials: cfg.Credentials}, nil
}

// SSMEndpoint is where Parameter Store answers in region, or the override the SDK would honour.
func SSMEndpoint(getenv func(string) string, region string) string {
	for _, k := range []string{"AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL"} {
		if v := getenv(k); v != "" {
			return v
		}
	}
	domain := "amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		domain = "amazonaws.com.cn"
	}
	return "https://ssm." + region + "." + domain
}

// Parameter returns the decrypted value of the named parameter. A missing parameter wraps
// ErrParamNotFound; throttling, 5xx and dropped connections are retried (retry.Do).
func (s SSM) Parameter(ctx context.Context, name string) (string, error) {
	body, _ := json.Marshal(map[string]any{"Name": name, "WithDecryption": true})
	var out struct {
		Parameter struct{ Value string }
	}
	err := retry.Do(ctx, func() error { return s.call(ctx, "GetParameter", body, &out) })
	if err != nil {
		return "", fmt.Errorf("ssm GetParameter %s: %w", name, err)
	}
	return out.Parameter.Value, nil
}

// Put stores value as a SecureString under name, replacing what was there (PutParameter with
// Overwrite; the SlackOAuthFunction stores the bot token it is given this way).
func (s SSM) Put(ctx context.Context, name, value string) error {
	body, _ := json.Marshal(map[string]any{"Name": name, "Value": value, "Type": "SecureString", "Overwrite": true})
	var out struct{ Version int64 }
	if err := retry.Do(ctx, func() error { return s.call(ctx, "PutParameter", body, &out) }); err != nil {
		return fmt.Errorf("ssm PutParameter %s: %w", name, err)
	}
	return nil
}

// call makes one signed JSON 1.1 request of op and decodes the answer into out. An error answer
// is a smithy.APIError (code and fault), which retry.Transient classifies like the SDK's.
func (s SSM) call(ctx context.Context, op string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(s.Endpoint, "/")+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AmazonSSM."+op)
	creds, err := s.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "ssm", s.Region, now().UTC()); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	client := s.HTTP
	if client == nil {
		client = ssmHTTP
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode == http.StatusOK {
		return json.Unmarshal(data, out)
	}
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
		Upper   string `json:"Message"`
	}
	_ = json.Unmarshal(data, &e)
	// __type may carry a namespace ("com.amazonaws.ssm#ParameterNotFound").
	code := e.Type[strings.LastIndex(e.Type, "#")+1:]
	if code == "" {
		code = http.StatusText(resp.StatusCode)
	}
	fault := smithy.FaultClient
	if resp.StatusCode >= 500 {
		fault = smithy.FaultServer
	}
	apiErr := &smithy.GenericAPIError{Code: code, Message: e.Message + e.Upper, Fault: fault}
	if code == "ParameterNotFound" {
		return fmt.Errorf("%w: %w", ErrParamNotFound, apiErr)
	}
	return apiErr
}
