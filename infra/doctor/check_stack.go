package doctor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/infra/deployment"
)

// checkStack: the stack exists, its last deploy went through, and every HTTP route of the
// template reaches its function (an unsigned request gets the function's own refusal, not the
// gateway's 404 nor a failed start's 5xx).
func (d *Doctor) checkStack(ctx context.Context, s *state) []Result {
	const name = "stack"
	st, err := d.Target.Describe(ctx)
	if errors.Is(err, deployment.ErrNoCredentials) {
		return []Result{{name, Fail, "no AWS credentials to read the stack with", "aws configure (or aws sso login, or set AWS_PROFILE)"}}
	}
	if err != nil {
		return []Result{{name, Fail, err.Error(), "sam build && sam deploy --guided"}}
	}
	s.stack = st
	switch {
	case strings.HasSuffix(st.Status, "_IN_PROGRESS"):
		return []Result{{name, Fail, fmt.Sprintf("%s is %s", st.Name, st.Status), "wait for the deploy to finish, then run rituals doctor again"}}
	case strings.Contains(st.Status, "ROLLBACK") || strings.Contains(st.Status, "FAILED"):
		return []Result{{name, Fail, fmt.Sprintf("%s is %s: the last deploy did not go through", st.Name, st.Status),
			fmt.Sprintf("aws cloudformation describe-stack-events --stack-name %s (the first FAILED event says why), fix, then sam deploy", st.Name)}}
	}
	s.stackOK = true
	base := strings.TrimSuffix(st.Outputs["ApiUrl"], "/")
	if base == "" {
		if u := st.Outputs["GitHubWebhookUrl"]; u != "" {
			base = strings.TrimSuffix(u, "/webhooks/github")
		}
	}
	routes, err := deployment.TemplateRoutes(d.Template)
	if err != nil || base == "" {
		return []Result{{name, OK, fmt.Sprintf("%s is %s (routes not probed: %v)", st.Name, st.Status, or(err, "no ApiUrl output")), ""}}
	}
	var out []Result
	probed := 0
	for _, r := range routes {
		if strings.Contains(r.Path, "{") || r.Method == "ANY" || r.Path == "" {
			continue
		}
		probed++
		status, err := d.probe(ctx, r.Method, base+r.Path)
		switch {
		case err != nil:
			out = append(out, Result{name, Fail, fmt.Sprintf("%s %s (%s) does not answer: %v", r.Method, r.Path, r.Function, err), d.logs(r.Function)})
		case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
			out = append(out, Result{name, Fail, fmt.Sprintf("%s %s (%s) is not deployed (%d)", r.Method, r.Path, r.Function, status), "sam build && sam deploy"})
		case status >= 500:
			out = append(out, Result{name, Fail, fmt.Sprintf("%s %s (%s) answered %d: the function fails to start or crashed (a missing secret? see ssm below)", r.Method, r.Path, r.Function, status), d.logs(r.Function)})
		}
	}
	if len(out) > 0 {
		return out
	}
	return []Result{{name, OK, fmt.Sprintf("%s is %s; all %d routes answer", st.Name, st.Status, probed), ""}}
}

func or(err error, def string) string {
	if err != nil {
		return err.Error()
	}
	return def
}

// probe sends an empty, unsigned request: every function refuses it with a 4xx of its own.
func (d *Doctor) probe(ctx context.Context, method, url string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := d.httpClient().Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	return resp.StatusCode, nil
}
