package standins

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

func awsConfig(key, secret string) aws.Config {
	return aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")}
}

// The real SDK talks to the SSM stand-in: parameters are created, refused without Overwrite,
// read decrypted or not, listed with the missing ones, deleted; bad signatures are refused.
func TestSSMWithTheSDK(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	srv := httptest.NewServer(s)
	defer srv.Close()
	ctx := context.Background()
	c := ssm.NewFromConfig(awsConfig(AWSAccessKeyID, AWSSecretAccessKey), func(o *ssm.Options) { o.BaseEndpoint = aws.String(SSMURL(srv.URL)) })

	if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/rituals/x"), Value: aws.String("v1"), Type: ssmtypes.ParameterTypeSecureString}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/rituals/x"), Value: aws.String("v2"), Type: ssmtypes.ParameterTypeSecureString})
	var exists *ssmtypes.ParameterAlreadyExists
	if !errors.As(err, &exists) {
		t.Fatalf("second put without Overwrite: %v", err)
	}
	out, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/rituals/x"), Value: aws.String("v2"), Type: ssmtypes.ParameterTypeSecureString, Overwrite: aws.Bool(true)})
	if err != nil || out.Version != 2 {
		t.Fatalf("overwrite: %v %+v", err, out)
	}
	got, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/rituals/x"), WithDecryption: aws.Bool(true)})
	if err != nil || aws.ToString(got.Parameter.Value) != "v2" || got.Parameter.Type != ssmtypes.ParameterTypeSecureString {
		t.Fatalf("get: %v %+v", err, got)
	}
	enc, _ := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/rituals/x")})
	if v := aws.ToString(enc.Parameter.Value); v == "v2" || v == "" {
		t.Errorf("a SecureString read without decryption must not show the value: %q", v)
	}
	many, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/rituals/x", "/rituals/none"}, WithDecryption: aws.Bool(true)})
	if err != nil || len(many.Parameters) != 1 || len(many.InvalidParameters) != 1 || many.InvalidParameters[0] != "/rituals/none" {
		t.Fatalf("get many: %v %+v", err, many)
	}
	if _, err := c.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("/rituals/x")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/rituals/x")})
	var nf *ssmtypes.ParameterNotFound
	if !errors.As(err, &nf) {
		t.Fatalf("after delete: %v", err)
	}
	for _, bad := range []struct{ name, code string }{{"awsfoo", "ValidationException"}, {"no/leading", "ValidationException"}} {
		_, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(bad.name), Value: aws.String("v"), Type: ssmtypes.ParameterTypeString})
		var api smithy.APIError
		if !errors.As(err, &api) || api.ErrorCode() != bad.code {
			t.Errorf("%s: %v", bad.name, err)
		}
	}
	wrong := ssm.NewFromConfig(awsConfig(AWSAccessKeyID, "not-the-secret"), func(o *ssm.Options) { o.BaseEndpoint = aws.String(SSMURL(srv.URL)) })
	_, err = wrong.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/rituals/x")})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "InvalidSignatureException" {
		t.Errorf("wrong secret: %v", err)
	}
	for _, c := range s.Outbox().Calls(Filter{Service: "ssm"}) {
		if strings.Contains(toJSON(c), "v2") {
			t.Errorf("the outbox shows a parameter value: %s", toJSON(c))
		}
	}
}

func TestDescribeStacksWithTheSDK(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	srv := httptest.NewServer(s)
	defer srv.Close()
	s.SetStack(Stack{Name: "rituals", Parameters: map[string]string{"SlackBotTokenParam": "/rituals/slack-bot-token"}, Outputs: map[string]string{"ApiUrl": "https://x.example"}})
	c := cloudformation.NewFromConfig(awsConfig(AWSAccessKeyID, AWSSecretAccessKey), func(o *cloudformation.Options) { o.BaseEndpoint = aws.String(CloudFormationURL(srv.URL)) })
	out, err := c.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String("rituals")})
	if err != nil {
		t.Fatal(err)
	}
	st := out.Stacks[0]
	if aws.ToString(st.StackName) != "rituals" || st.StackStatus != "CREATE_COMPLETE" || aws.ToString(st.Outputs[0].OutputValue) != "https://x.example" || aws.ToString(st.Parameters[0].ParameterValue) != "/rituals/slack-bot-token" {
		t.Fatalf("stack %+v", st)
	}
	_, err = c.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String("other")})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "ValidationError" || !strings.Contains(api.ErrorMessage(), "does not exist") {
		t.Fatalf("missing stack: %v", err)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
