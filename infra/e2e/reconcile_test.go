package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/infra/faults"
	"github.com/rituals-dev/rituals/infra/standins"
)

// The missed-delivery reconcile end to end: the GitHub stand-in delivers webhooks to the stack
// as GitHub does and remembers what the stack answered; GitHubReconcileFunction (its real
// bootstrap, on its schedule fired by hand) finds Rituals' hook on the config's organisation,
// lists its deliveries through the stand-in's hook-deliveries API and asks for redeliveries.

// labeledIssue is the real issues.labeled payload as issue number n (a support request of
// team "triage" in the support test config).
func labeledIssue(t *testing.T, n int) []byte {
	return fixture(t, "github/issues.labeled.json", func(m map[string]any) {
		supportIssue(m)["number"] = n
		supportIssue(m)["html_url"] = fmt.Sprintf("https://github.com/Codertocat/Hello-World/issues/%d", n)
	})
}

// hookDeliver makes the GitHub stand-in deliver payload through the Codertocat org's hook.
func (h *harness) hookDeliver(event, guid string, payload []byte) map[string]any {
	h.t.Helper()
	d, err := h.st.Standins.Deliver(standins.DeliverRequest{Event: event, GUID: guid, Payload: payload, Org: "Codertocat"})
	if err != nil {
		h.t.Fatal(err)
	}
	h.waitPasses(h.settle)
	return d
}

func (h *harness) arm(spec faults.Spec) {
	h.t.Helper()
	if _, err := h.st.Faults().Set(spec); err != nil {
		h.t.Fatal(err)
	}
}

// announcements counts the support channel's top-level posts per issue number.
func announcements(h *harness) map[int]int {
	out := map[int]int{}
	for _, c := range supportTopLevel(supportCalls(h, "slack", "chat.postMessage", 0)) {
		if c.Fault != "" {
			continue
		}
		b, _ := json.Marshal(c.Request)
		for n := 1; n <= 50; n++ {
			if strings.Contains(string(b), fmt.Sprintf("Hello-World/issues/%d\\u003e", n)) || strings.Contains(string(b), fmt.Sprintf("Hello-World/issues/%d|", n)) || strings.Contains(string(b), fmt.Sprintf("Hello-World/issues/%d>", n)) {
				out[n]++
			}
		}
	}
	return out
}

// TestReconcileRecoversFailedDeliveries: a delivery the stack answered 500 (DynamoDB throttled
// every write) and one that never reached it are redelivered by the reconcile and processed
// exactly once; a delivery that succeeded is left alone, and later runs ask for nothing.
func TestReconcileRecoversFailedDeliveries(t *testing.T) {
	t.Parallel()
	h := startStackWith(t, "../../shared/support/testdata/rituals.yaml", stackOptions{Settle: 2},
		"GitHubWebhookFunction", "SupportTriageFunction", "GitHubReconcileFunction")

	h.arm(faults.Spec{Seed: 1, DynamoDB: []faults.DynamoFault{{Operation: "PutItem", Fault: faults.ProvisionedThroughputExceeded, Rate: 1}}})
	if d := h.hookDeliver("issues", "rec-throttled", labeledIssue(t, 1)); d["status_code"] != float64(500) {
		t.Fatalf("delivery while DynamoDB throttles: %v", d)
	}
	h.arm(faults.Spec{Seed: 1, APIs: []faults.APIFault{{Service: faults.ServiceHookshot, Fault: faults.Drop, Rate: 1}}})
	if d := h.hookDeliver("issues", "rec-lost", labeledIssue(t, 2)); d["status_code"] != float64(0) {
		t.Fatalf("delivery that never reached the stack: %v", d)
	}
	h.st.Faults().Clear()
	if d := h.hookDeliver("issues", "rec-ok", labeledIssue(t, 3)); d["status_code"] != float64(202) {
		t.Fatalf("delivery: %v", d)
	}
	if got := announcements(h); len(got) != 1 || got[3] != 1 {
		t.Fatalf("before the reconcile, announcements %v, want issue 3 only", got)
	}

	at := time.Now()
	for i := 0; i < 3; i++ {
		h.schedule("GitHubReconcileFunction", "Tick", at.Add(time.Duration(i)*10*time.Minute))
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := h.st.Standins.WaitHookDeliveries(ctx); err != nil {
			t.Fatal(err)
		}
		cancel()
		h.waitPasses(2)
	}
	redeliveries := supportCalls(h, "github", "orgs/redeliver-webhook-delivery", 0)
	if len(redeliveries) != 2 {
		t.Fatalf("%d redelivery requests over three runs, want 2 (one per failed delivery)", len(redeliveries))
	}
	if got := announcements(h); len(got) != 3 || got[1] != 1 || got[2] != 1 || got[3] != 1 {
		t.Fatalf("announcements per issue %v, want one each for 1, 2 and 3", got)
	}
}
