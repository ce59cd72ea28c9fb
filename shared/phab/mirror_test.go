package phab

import (
	"context"
	"testing"
	"time"

	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

// TestMirrorKeepsTheNewestRead: reads applied out of order leave the newest snapshot and
// positions; a transaction is recorded once however often it is applied.
func TestMirrorKeepsTheNewestRead(t *testing.T) {
	t.Parallel()
	ddb, tables := dynamotest.New(t)
	m := Mirror{API: ddb, Table: tables.State}
	ctx := context.Background()
	at := func(min int) time.Time { return time.Date(2026, 11, 23, 10, min, 0, 0, time.UTC) }
	snap := func(min int, col string, closed bool) Snapshot {
		return Snapshot{PHID: "PHID-TASK-m", ID: 7, Title: "Mirror me", Status: "open", Closed: closed, Priority: 50,
			Projects: []string{"PHID-PROJ-b"}, Columns: map[string]string{"PHID-PROJ-b": col}, Modified: at(min)}
	}
	move := conduit.Xact{PHID: "PHID-XACT-TASK-mv", Type: conduit.KindColumns, Created: at(5),
		Moves: []conduit.Move{{ColumnPHID: "PHID-PCOL-doing", BoardPHID: "PHID-PROJ-b", FromColumnPHIDs: conduit.PHIDs{"PHID-PCOL-new"}}}}
	tag := conduit.Xact{PHID: "PHID-XACT-TASK-tag", Type: conduit.KindProjects, Created: at(1), Added: []string{"PHID-PROJ-b"}}

	// The later read (after the move) is applied first, with the move.
	fresh, err := m.Apply(ctx, snap(5, "PHID-PCOL-doing", false), nil, []conduit.Xact{move})
	if err != nil || !fresh["PHID-XACT-TASK-mv"] {
		t.Fatalf("fresh %v, %v", fresh, err)
	}
	// The older read arrives late: recorded history, no regression of the snapshot.
	fresh, err = m.Apply(ctx, snap(1, "PHID-PCOL-new", false), nil, []conduit.Xact{tag, move})
	if err != nil || !fresh["PHID-XACT-TASK-tag"] || fresh["PHID-XACT-TASK-mv"] {
		t.Fatalf("fresh %v, %v", fresh, err)
	}
	got, err := m.Get(ctx, "PHID-TASK-m")
	if err != nil || got.Columns["PHID-PROJ-b"] != "PHID-PCOL-doing" || !got.Modified.Equal(at(5)) {
		t.Fatalf("snapshot %+v, %v", got, err)
	}
	doing, _ := m.InColumn(ctx, "PHID-PCOL-doing")
	backlog, _ := m.InColumn(ctx, "PHID-PCOL-new")
	if len(doing) != 1 || !doing[0].Since.Equal(at(5)) || doing[0].Title != "Mirror me" || len(backlog) != 0 {
		t.Fatalf("doing %+v, new %+v", doing, backlog)
	}
	hist, err := m.History(ctx, "PHID-TASK-m", time.Time{})
	if err != nil || len(hist) != 2 || hist[0].PHID != "PHID-XACT-TASK-tag" || hist[1].Moves[0].From() != "PHID-PCOL-new" {
		t.Fatalf("history %+v, %v", hist, err)
	}
	// Closed: out of every column's list; off the board: the position goes.
	if _, err := m.Apply(ctx, snap(9, "PHID-PCOL-doing", true), nil, nil); err != nil {
		t.Fatal(err)
	}
	if doing, _ := m.InColumn(ctx, "PHID-PCOL-doing"); len(doing) != 0 {
		t.Fatalf("closed task still listed: %+v", doing)
	}
	off := snap(12, "", false)
	off.Columns = map[string]string{}
	if _, err := m.Apply(ctx, off, nil, nil); err != nil {
		t.Fatal(err)
	}
	if ps, _ := m.Positions(ctx, "PHID-TASK-m"); len(ps) != 0 {
		t.Fatalf("positions %+v", ps)
	}
}
