package deployment

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rituals-dev/rituals/shared/config"
)

func TestReadSamConfig(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, file    string
		stack, region string
		err           string
	}{
		{"what sam deploy --guided writes", `version = 0.1
[default.deploy.parameters]
stack_name = "rituals"
resolve_s3 = true
s3_prefix = "rituals"
region = "eu-west-1"
capabilities = "CAPABILITY_IAM"
`, "rituals", "eu-west-1", ""},
		{"global parameters, deploy wins", `[default.global.parameters]
stack_name = 'from-global'
region = "us-east-2"
[default.deploy.parameters]
stack_name = "from-deploy"
[prod.deploy.parameters]
stack_name = "prod"
`, "from-deploy", "us-east-2", ""},
		{"another environment only", "[prod.deploy.parameters]\nstack_name = \"prod\"\n", "", "", ""},
		{"a broken string", "[default.deploy.parameters]\nstack_name = \"rituals\n", "", "", `samconfig.toml:2: stack_name: unterminated string "rituals`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := filepath.Join(t.TempDir(), "samconfig.toml")
			if err := os.WriteFile(p, []byte(tc.file), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := ReadSamConfig(p)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || c.StackName != tc.stack || c.Region != tc.region {
				t.Fatalf("%+v %v", c, err)
			}
		})
	}
	if _, err := ReadSamConfig(filepath.Join(t.TempDir(), "none.toml")); !os.IsNotExist(err) {
		t.Errorf("a missing file: %v", err)
	}
}

func TestGitHubOwners(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../config/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range GitHubOwners(cfg) {
		got = append(got, o.Login+":"+map[bool]string{true: "all", false: "some"}[o.All]+":"+strings.Join(o.Repos, "+")+map[bool]string{true: ":board", false: ""}[o.Board])
	}
	want := "acme:all:acme/hr:board globex-corp:all:globex-corp/invoices+globex-corp/payments+globex-corp/people-ops partner:some:partner/shared-lib"
	if strings.Join(got, " ") != want {
		t.Errorf("owners\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}

// The app subscribes to exactly the GitHub events the stream mappings consume.
func TestTemplateGitHubEvents(t *testing.T) {
	t.Parallel()
	events, err := TemplateGitHubEvents("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"issues", "issue_comment", "pull_request", "pull_request_review", "push"} {
		found := false
		for _, e := range events {
			found = found || e == want
		}
		if !found {
			t.Errorf("%s missing from %v", want, events)
		}
	}
	secrets, err := TemplateSecretParams("../../template.yaml")
	if err != nil || secrets["GITHUB_APP_PRIVATE_KEY"] != "GitHubAppKeyParam" || secrets["SLACK_BOT_TOKEN"] != "SlackBotTokenParam" {
		t.Errorf("secret params %v %v", secrets, err)
	}
}
