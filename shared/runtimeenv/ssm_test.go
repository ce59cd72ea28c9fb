package runtimeenv_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/runtimeenv"
)

// TestSSMOverTheProtocol: the hand-written Parameter Store client is signed as AWS checks it
// (the stand-in verifies SigV4), reads and writes SecureStrings, says when a parameter is
// missing, and is refused with other credentials.
func TestSSMOverTheProtocol(t *testing.T) {
	st := standins.New(standins.Options{})
	srv := httptest.NewServer(st)
	t.Cleanup(srv.Close)
	ctx := context.Background()
	ssm := func(key, secret string) runtimeenv.SSM {
		return runtimeenv.SSM{Endpoint: standins.SSMURL(srv.URL), Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")}
	}
	good := ssm(standins.AWSAccessKeyID, standins.AWSSecretAccessKey)

	st.SetParameter("/rituals/slack-bot-token", "xoxb-1")
	if v, err := good.Parameter(ctx, "/rituals/slack-bot-token"); err != nil || v != "xoxb-1" {
		t.Fatalf("Parameter = %q, %v", v, err)
	}
	if err := good.Put(ctx, "/rituals/slack-bot-token", "xoxb-2"); err != nil {
		t.Fatal(err)
	}
	if v, _ := st.Parameter("/rituals/slack-bot-token"); v != "xoxb-2" {
		t.Errorf("after Put the stand-in holds %q", v)
	}
	_, err := good.Parameter(ctx, "/rituals/nope")
	if !errors.Is(err, runtimeenv.ErrParamNotFound) || !strings.Contains(err.Error(), "/rituals/nope") {
		t.Errorf("a missing parameter: %v", err)
	}
	_, err = ssm(standins.AWSAccessKeyID, "not-the-secret").Parameter(ctx, "/rituals/slack-bot-token")
	if err == nil || errors.Is(err, runtimeenv.ErrParamNotFound) || !strings.Contains(err.Error(), "InvalidSignatureException") {
		t.Errorf("a wrong secret key: %v", err)
	}
}

// TestSSMRetriesThrottling: Parameter Store's throttling (400 ThrottlingException) and 5xx are
// retried until the stand-in answers.
func TestSSMRetriesThrottling(t *testing.T) {
	st := standins.New(standins.Options{})
	st.SetParameter("/rituals/github-token", "ghp_1")
	refusals := []struct {
		status int
		body   string
	}{{400, `{"__type":"ThrottlingException","message":"Rate exceeded"}`}, {503, `{"__type":"InternalServerError"}`}}
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n := int(calls.Add(1)); n <= len(refusals) {
			w.WriteHeader(refusals[n-1].status)
			_, _ = io.WriteString(w, refusals[n-1].body)
			return
		}
		st.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	good := runtimeenv.SSM{Endpoint: standins.SSMURL(srv.URL), Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider(standins.AWSAccessKeyID, standins.AWSSecretAccessKey, "")}
	if v, err := good.Parameter(context.Background(), "/rituals/github-token"); err != nil || v != "ghp_1" || calls.Load() != 3 {
		t.Fatalf("after a throttled and a failed answer: %q, %v (%d calls)", v, err, calls.Load())
	}
}

// TestSSMEndpoint: the SDK's endpoint overrides, then the region's endpoint in its partition.
func TestSSMEndpoint(t *testing.T) {
	for _, tc := range []struct {
		env    map[string]string
		region string
		want   string
	}{
		{nil, "eu-west-1", "https://ssm.eu-west-1.amazonaws.com"},
		{nil, "cn-north-1", "https://ssm.cn-north-1.amazonaws.com.cn"},
		{map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:3000/x"}, "eu-west-1", "http://127.0.0.1:3000/x"},
		{map[string]string{"AWS_ENDPOINT_URL": "http://a", "AWS_ENDPOINT_URL_SSM": "http://b"}, "eu-west-1", "http://b"},
	} {
		if got := runtimeenv.SSMEndpoint(func(k string) string { return tc.env[k] }, tc.region); got != tc.want {
			t.Errorf("%v %s: %s, want %s", tc.env, tc.region, got, tc.want)
		}
	}
}
