package standup

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/activity"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

// busyActivity is a developer with months of large pull requests: every Recent call returns the
// newest limit of n PR items, each with activity.MaxPRCommits long commit lines.
type busyActivity struct {
	n     int
	asked *int
}

func (b busyActivity) Recent(_ context.Context, _ string, _ []string, from, _ time.Time, limit int) ([]activity.Item, bool, error) {
	*b.asked = limit
	var items []activity.Item
	for i := max(0, b.n-limit); i < b.n; i++ {
		it := activity.Item{Kind: activity.KindPROpened, Repo: "acme/api", Number: i, At: from.Add(time.Duration(i) * time.Minute),
			Title: strings.Repeat("t", activity.MaxTitleBytes), URL: fmt.Sprintf("https://github.com/acme/api/pull/%d", i)}
		for c := 0; c < activity.MaxPRCommits; c++ {
			it.Commits = append(it.Commits, activity.Commit{SHA: strings.Repeat("a", 40), Message: strings.Repeat("m", activity.MaxLineBytes)})
		}
		items = append(items, it)
	}
	return items, b.n > limit, nil
}

func (busyActivity) OpenAssignments(context.Context, string, []string) ([]activity.Assignment, error) {
	return nil, nil
}

// TestFootprintFitsTheEntry: 300 pull requests with their commits encoded to about 940 KB,
// and the submission failed on DynamoDB's 400 KB item limit. The footprint now keeps the newest
// items within its byte budget, says older ones were left out, and the entry is stored.
func TestFootprintFitsTheEntry(t *testing.T) {
	t.Parallel()
	client, tables := dynamotest.New(t)
	ctx := context.Background()
	st := Store{API: client, Table: tables.State, Events: tables.Events}
	p := &config.Person{ID: "hana", GitHub: "hana"}
	c := &config.Client{ID: "acme", GitHub: config.ClientGitHub{Orgs: []string{"acme"}}}
	from := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	asked := 0
	fp, err := ReadFootprint(ctx, busyActivity{n: 2000, asked: &asked}, p, c, from, from.Add(120*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if asked != maxSnapshotItems || !fp.Truncated || len(fp.Items) == 0 || fp.Items[len(fp.Items)-1].Number != 1999 {
		t.Fatalf("asked for %d items, kept %d (truncated %v); want the newest within the budget", asked, len(fp.Items), fp.Truncated)
	}
	id := ID{Client: "acme", Person: "hana", Date: config.Date{Year: 2026, Month: 5, Day: 5}}
	if err := st.EnsureSlot(ctx, Slot{ID: id, Team: "core", Due: from, Nag: from}); err != nil {
		t.Fatal(err)
	}
	now := from.Add(120 * 24 * time.Hour)
	if _, err := st.Submit(ctx, Submission{ID: id, Entry: Entry{Submitted: now, Edited: now, Comment: "back", Footprint: fp}, Now: now, OverdueAt: now}); err != nil {
		t.Fatalf("submit with a busy footprint: %v", err)
	}
	if sd, err := st.Standup(ctx, id); err != nil || len(sd.Entry.Footprint.Items) != len(fp.Items) {
		t.Fatalf("stored footprint: %v", err)
	}
}
