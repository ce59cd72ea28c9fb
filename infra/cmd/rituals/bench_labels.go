package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/rituals-dev/rituals/infra/localrun"
	"github.com/rituals-dev/rituals/infra/standins"
)

// labelsBenchConfig has a team whose needs-info rule watches the sample payloads' repository
// (Codertocat/Hello-World): its first action is a GitHub comment.
const labelsBenchConfig = "shared/labels/testdata/rituals.yaml"

// labelRuleToAction sends n needs-info labeled-issue deliveries one at a time (each a new issue
// number, so a new activation) through the webhook, the stream and LabelRulesFunction, and
// reports how long each takes until the rule's first action (its comment) is in the GitHub
// stand-in's outbox. Like labelToPost it runs before the load scenarios.
func (b *bench) labelRuleToAction(ctx context.Context, n int) error {
	cfg, err := os.ReadFile(labelsBenchConfig)
	if err != nil {
		return err
	}
	lb := *b
	lb.config = cfg
	st, err := lb.start(ctx, "GitHubWebhookFunction", "LabelRulesFunction")
	if err != nil {
		return err
	}
	defer st.Close()
	raw, err := os.ReadFile("events/github/issues.labeled.json")
	if err != nil {
		return err
	}
	secret := []byte(localrun.DefaultSecrets["GITHUB_WEBHOOK_SECRET"])
	all, err := fanOut(n, 1, func(i int) (time.Duration, error) { return oneRuleLabel(ctx, st, raw, secret, 200000+i) })
	if err != nil {
		return err
	}
	b.oneAtATime("Label rules: needs-info label webhook → its comment in the outbox", all)
	return nil
}

// oneRuleLabel sends the real labeled payload, relabelled needs-info, as issue number and waits
// for the rule's comment on it.
func oneRuleLabel(ctx context.Context, st *localrun.Stack, raw, secret []byte, number int) (time.Duration, error) {
	var payload map[string]any
	if err := json.Unmarshal(raw, &payload); err != nil {
		return 0, err
	}
	issue := payload["issue"].(map[string]any)
	issue["number"] = number
	issue["html_url"] = fmt.Sprintf("https://github.com/Codertocat/Hello-World/issues/%d", number)
	issue["updated_at"] = time.Now().UTC().Format(time.RFC3339)
	issue["labels"] = []any{map[string]any{"name": "needs-info"}}
	payload["label"].(map[string]any)["name"] = "needs-info"
	body, err := json.Marshal(payload)
	if err != nil {
		return 0, err
	}
	path := fmt.Sprintf("/repos/Codertocat/Hello-World/issues/%d/comments", number)
	return deliverAndWait(ctx, st, secret, "issues", "bench-rule-"+strconv.Itoa(number), body,
		standins.Filter{Service: "github", API: "issues/create-comment"}, func(call standins.Call) bool { return call.Path == path })
}
