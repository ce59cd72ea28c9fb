package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/infra/localrun"
	"github.com/rituals-dev/rituals/infra/signing"
	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/conduit"
)

// The Phabricator workboard scenario: a Herald delivery for a task just raised to Unbreak Now!
// until its post is in the Slack stand-in's outbox, and the Conduit calls each delivery costs.

const (
	phabBenchConfig = "shared/workboard/testdata/rituals.yaml"
	phabBenchSeed   = "shared/workboard/testdata/conduit-seed.json"
	// budgetConduitCalls is the budget of Conduit calls per delivery.
	budgetConduitCalls = 3
	benchRaiserToken   = "api-mallory000000000000000000000"
)

// ubnToPost raises n fresh tasks to Unbreak Now! one at a time (each edit made through the
// Conduit stand-in as a person, then delivered as Herald would) and reports the delivery's
// latency to its post, and the Conduit reads per delivery, besides those a container makes once
// to resolve the config; then the reads of a column move on each server flavor.
func (b *bench) ubnToPost(ctx context.Context, n int) error {
	cfg, err := os.ReadFile(phabBenchConfig)
	if err != nil {
		return err
	}
	pb := *b
	pb.config = cfg
	st, err := pb.start(ctx, "PhabricatorWebhookFunction", "PhabricatorProcessorFunction")
	if err != nil {
		return err
	}
	defer st.Close()
	raw, err := os.ReadFile(phabBenchSeed)
	if err != nil {
		return err
	}
	var seed standins.ConduitSeed
	if err := json.Unmarshal(raw, &seed); err != nil {
		return err
	}
	if _, err := st.Standins.SeedConduit(seed); err != nil {
		return err
	}
	raiser, err := conduit.New(conduit.Options{BaseURL: standins.ConduitAPIURL(st.URL), Token: benchRaiserToken})
	if err != nil {
		return err
	}
	// The first delivery of a container also resolves the config.
	_, first, err := b.oneUBN(ctx, st, raiser, 0)
	if err != nil {
		return err
	}
	var lat []time.Duration
	maxCalls, total := 0, 0
	for i := 1; i <= n; i++ {
		d, calls, err := b.oneUBN(ctx, st, raiser, i)
		if err != nil {
			return err
		}
		lat = append(lat, d)
		total += calls
		maxCalls = max(maxCalls, calls)
	}
	m := measure(lat, 0)
	fmt.Fprintf(b.out, "\n## Phabricator: Herald delivery → Unbreak Now! post in the outbox (one delivery at a time, %d)\n\n", n)
	fmt.Fprintln(b.out, "| p50 | p99 | Conduit reads per delivery (mean / max) | budget |")
	fmt.Fprintln(b.out, "|---|---|---|---|")
	fmt.Fprintf(b.out, "| %s | %s | %.1f / %d | ≤ %d: %s |\n", ms(m.p50), ms(m.p99), float64(total)/float64(n), maxCalls, budgetConduitCalls,
		b.check(maxCalls <= budgetConduitCalls, "Conduit calls per delivery"))
	fmt.Fprintf(b.out, "\nThe first delivery of a container made %d Conduit calls: the same reads plus resolving the config (bot, priorities, statuses, users, projects, columns; cached ten minutes).\n", first)

	fmt.Fprintln(b.out, "\n| column move delivery | Conduit reads | budget |")
	fmt.Fprintln(b.out, "|---|---|---|")
	for _, flavor := range []string{standins.FlavorPhabricator, standins.FlavorPhorge} {
		calls, err := b.oneMove(ctx, st, flavor)
		if err != nil {
			return err
		}
		fmt.Fprintf(b.out, "| %s | %d | ≤ %d: %s |\n", flavorName(flavor), calls, budgetConduitCalls, b.check(calls <= budgetConduitCalls, "Conduit calls per move on "+flavor))
	}
	return nil
}

func flavorName(f string) string {
	if f == standins.FlavorPhorge {
		return "Phorge master (transaction.search reports core:columns)"
	}
	return "Phabricator / Phorge stable (moves hidden; read from maniphest.gettasktransactions)"
}

// oneUBN seeds a task, raises it as a person, delivers the edit and waits for the post; it
// returns the latency and the Conduit calls the processor made.
func (b *bench) oneUBN(ctx context.Context, st *localrun.Stack, raiser *conduit.Client, i int) (time.Duration, int, error) {
	out, err := st.Standins.SeedConduit(standins.ConduitSeed{Tasks: []standins.ConduitTask{{
		Name: fmt.Sprintf("Bench outage %d", i), Priority: 80, AuthorPHID: "PHID-USER-mallory", Projects: []string{"PHID-PROJ-rocket"},
	}}})
	if err != nil {
		return 0, 0, err
	}
	task := out["tasks"].([]any)[0].(map[string]any)
	phid, id := task["phid"].(string), task["id"].(int)
	xacts, err := raiser.EditTask(ctx, phid, conduit.Edit{Type: "priority", Value: "unbreak"})
	if err != nil {
		return 0, 0, err
	}
	marker := "Unbreak Now! T" + strconv.Itoa(id) + ":"
	since := st.Outbox().Last()
	start := time.Now()
	if err := heraldPost(ctx, st, phid, xacts); err != nil {
		return 0, 0, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		calls := st.Outbox().Calls(standins.Filter{Since: since})
		for _, c := range calls {
			if c.Service == "slack" && c.API == "chat.postMessage" {
				if text, _ := c.Request.(map[string]any)["text"].(string); strings.HasPrefix(text, marker) {
					return time.Since(start), conduitReads(calls), nil
				}
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	return 0, 0, errors.New("no Unbreak Now! post for T" + strconv.Itoa(id) + " within 30s")
}

// oneMove delivers an unauthorized move on the given flavor and counts the reads it cost.
func (b *bench) oneMove(ctx context.Context, st *localrun.Stack, flavor string) (int, error) {
	out, err := st.Standins.SeedConduit(standins.ConduitSeed{Flavor: flavor, Tasks: []standins.ConduitTask{{
		Name: "Bench move " + flavor, Priority: 50, AuthorPHID: "PHID-USER-mallory", Projects: []string{"PHID-PROJ-rocket"},
	}}})
	if err != nil {
		return 0, err
	}
	phid := out["tasks"].([]any)[0].(map[string]any)["phid"].(string)
	mover, err := conduit.New(conduit.Options{BaseURL: standins.ConduitAPIURL(st.URL), Token: benchRaiserToken})
	if err != nil {
		return 0, err
	}
	xacts, err := mover.EditTask(ctx, phid, conduit.Edit{Type: "column", Value: []string{"PHID-PCOL-rocketready"}})
	if err != nil {
		return 0, err
	}
	since := st.Outbox().Last()
	if err := heraldPost(ctx, st, phid, xacts); err != nil {
		return 0, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		calls := st.Outbox().Calls(standins.Filter{Since: since})
		for _, c := range calls {
			if c.API == conduit.MethodTaskEdit {
				return conduitReads(calls), nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	return 0, errors.New("the move on " + flavor + " was not enforced within 30s")
}

// conduitReads counts the Conduit calls that are not edits.
func conduitReads(calls []standins.Call) int {
	n := 0
	for _, c := range calls {
		if c.Service == "conduit" && c.API != conduit.MethodTaskEdit {
			n++
		}
	}
	return n
}

// heraldPost sends the real-shaped Herald body of the transactions, signed.
func heraldPost(ctx context.Context, st *localrun.Stack, task string, xacts []string) error {
	var list []map[string]string
	for _, x := range xacts {
		list = append(list, map[string]string{"phid": x})
	}
	body, _ := json.MarshalIndent(map[string]any{
		"object": map[string]string{"type": "TASK", "phid": task}, "triggers": []map[string]string{{"phid": "PHID-HRUL-ritualsglobal001"}},
		"action": map[string]any{"test": false, "silent": false, "secure": false, "epoch": time.Now().Unix()}, "transactions": list,
	}, "", "  ")
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, st.URL+"/webhooks/phabricator", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Phabricator-Webhook-Signature", signing.Phabricator([]byte(localrun.DefaultSecrets["PHABRICATOR_WEBHOOK_HMAC_KEY"]), body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("the Herald delivery was answered %d", resp.StatusCode)
	}
	return nil
}
