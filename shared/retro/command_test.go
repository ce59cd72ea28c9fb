package retro

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// TestBadInputChangesNothing: every refusal answers with what to do instead, and leaves the
// retro and the events table as they were.
func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.must(pia, product, "start Sprint 42")
	w.must(eli, product, "add 1 Pairing on the release")
	w.drain()
	long := strings.Repeat("x", MaxItemText+1)
	collecting := []struct{ name, user, channel, text, want string }{
		{"start outside a team channel", pia, "C0RANDOM01", "start Another", "Start a retro in your team's channel, where its board is posted: <#C0PRODUCT1> (Product), <#C0INFRA001> (Infra)."},
		{"start while one is open", eli, product, "start Another", "Product already has an open retro, *Sprint 42*"},
		{"unknown field", eli, product, "add kudos Thanks Ana", `*Sprint 42* has no field "kudos". Its fields: 1 went well, 2 not working, 3 open questions`},
		{"field number out of range", eli, product, "add 4 something", `*Sprint 42* has no field "4".`},
		{"item without text", eli, product, "add went well", "Say what the item is"},
		{"item too long", eli, product, "add 1 " + long, "An item is at most 500 characters (this one has 501)"},
		{"vote while collecting", eli, product, "vote 1", "*Sprint 42* is not voting yet: it is collecting. The facilitator opens voting with `/retro voting`."},
		{"voting by someone else", eli, product, "voting", "Only the facilitator (<@U0PIA00001>) or the team's EM can open voting in *Sprint 42*."},
		{"close while collecting", pia, product, "close", "*Sprint 42* is still collecting items: open voting first"},
		{"dots out of range", pia, product, "dots 50", "Give the dots per person as a number from 1 to 20"},
		{"unknown subcommand", pia, product, "dance", "`/retro dance` is not a /retro command."},
		{"no open retro in the other team", zed, "C0INFRA001", "add keep on-call", "Infra has no open retro."},
	}
	check := func(name, user, channel, text, want string) {
		t.Helper()
		before, err := w.store.Load(context.Background(), ID{"product", 1})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := w.run(user, channel, text)
		if !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q\nwant prefix %q", name, got, want)
		}
		if evs := w.events.Take(); len(evs) > 0 && !strings.Contains(name, "while one is open") {
			t.Errorf("%s: put %d events", name, len(evs))
		}
		after, err := w.store.Load(context.Background(), ID{"product", 1})
		if err != nil {
			t.Fatal(err)
		}
		if after.Retro.Rev != before.Retro.Rev || len(after.Items) != len(before.Items) || len(after.Ballots) != len(before.Ballots) {
			t.Errorf("%s changed the retro: rev %d → %d, items %d → %d", name, before.Retro.Rev, after.Retro.Rev, len(before.Items), len(after.Items))
		}
	}
	for _, tt := range collecting {
		check(tt.name, tt.user, tt.channel, tt.text, tt.want)
	}
	w.must(pia, product, "voting")
	if out := w.must(eli, product, "vote 1 1 1 1"); out != "Placed dots on `#1`, `#1` and `#1`. You have no dots left: all 3 are placed. Take one back (`/retro unvote &lt;#item&gt;`) to move it." {
		t.Errorf("four dots of three: %q", out)
	}
	w.drain()
	for _, tt := range []struct{ name, user, channel, text, want string }{
		{"add while voting", ana, product, "add 1 late idea", "*Sprint 42* is voting: items can only be added while it collects them."},
		{"no dots left", eli, product, "vote 1", "You have no dots left: all 3 are placed."},
		{"unknown item", ana, product, "vote 9", "*Sprint 42* has no item `#9`: its items are `#1` to `#1`."},
		{"not an item number", ana, product, "vote first", `"first" is not an item number`},
		{"unvote without a dot", ana, product, "unvote 1", "You have no dot on `#1` to take back."},
		{"close by someone else", ana, product, "close", "Only the facilitator (<@U0PIA00001>) or the team's EM can close *Sprint 42*."},
		{"dots while voting", pia, product, "dots 5", "*Sprint 42* is voting: the dots can only change before voting starts."},
	} {
		check(tt.name, tt.user, tt.channel, tt.text, tt.want)
	}
	// The EM may close it in the facilitator's place; after that votes are refused.
	w.must(emma, product, "close")
	w.drain()
	check("vote in a closed retro", ana, product, "vote 1", "Voting in *Sprint 42* has ended: it is closed, and its results are in the board's thread.")
	check("close twice", pia, product, "close", "*Sprint 42* is already closed")
}

// TestVoteModal: the board's Vote button opens the voter's ballot; each +1 in it places a dot
// and redraws it with the dots left, and a click with none left says so and changes nothing.
func TestVoteModal(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.must(zed, "C0INFRA001", "start Q4") // infra: 2 dots, anonymous, votes hidden
	w.must(zed, "C0INFRA001", "add keep pairing on-call")
	w.must(zed, "C0INFRA001", "add change fewer pages <@U0ZED00007>")
	w.must(zed, "C0INFRA001", "voting")
	w.drain()
	board := w.calls("slack", "chat.postMessage", 0)[0]
	if b := board.Arg("blocks"); strings.Contains(b, "U0ZED00007>") && !strings.Contains(b, "facilitated by") {
		t.Errorf("an anonymous board names an author: %s", b)
	}
	for _, c := range w.calls("slack", "", 0) {
		if strings.Contains(c.Arg("blocks"), "— <@U0ZED00007>") {
			t.Errorf("%s names the author of an anonymous item", c.API)
		}
	}
	if out := w.must(zed, "C0INFRA001", "vote"); out != "Opened your ballot. You have 2 of 2 dots left." {
		t.Fatalf("/retro vote alone: %q", out)
	}
	since := w.out.Last()
	w.interact(zed, "C0INFRA001", nil, slack.BlockAction{ActionID: ActionVote, Value: "infra/1"})
	opened := w.calls("slack", "views.open", since)
	if len(opened) != 1 || !contains(opened[0].Arg("view"), "you have *2 of 2* dots left", "Totals stay hidden") || strings.Contains(opened[0].Arg("view"), "in all") {
		t.Fatalf("ballot: %+v", opened)
	}
	viewID := opened[0].Response.(map[string]any)["view"].(map[string]any)["id"].(string)
	view := &slack.View{ID: viewID, PrivateMetadata: "infra/1", CallbackID: ModalVote}
	for _, wantText := range []string{"*1 of 2* dots left", "*0 of 2* dots left", "You have no dots left"} {
		since = w.out.Last()
		w.interact(zed, "", view, slack.BlockAction{ActionID: ActionDot, Value: "2"})
		ups := w.calls("slack", "views.update", since)
		if len(ups) != 1 || ups[0].Arg("view_id") != viewID || !strings.Contains(ups[0].Arg("view"), wantText) {
			t.Fatalf("after a click, want %q: %+v", wantText, ups)
		}
	}
	ballot, _ := w.store.Ballot(context.Background(), ID{"infra", 1}, zed)
	if ballot.Used != 2 || ballot.Dots[2] != 2 {
		t.Fatalf("ballot %+v", ballot)
	}
	// Take one back through the menu.
	w.interact(zed, "", view, slack.BlockAction{ActionID: ActionUndot, SelectedOption: slack.OptionBlockObject{Value: "2"}})
	if ballot, _ = w.store.Ballot(context.Background(), ID{"infra", 1}, zed); ballot.Used != 1 {
		t.Fatalf("after taking one back: %+v", ballot)
	}
}

// TestAddModal: the form adds the item; an empty one keeps the form open with why.
func TestAddModal(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.must(pia, product, "start Sprint 42")
	if out := w.must(pia, product, "add"); out != "Opened the form to add an item to *Sprint 42*." {
		t.Fatalf("`/retro add` alone answered %q", out)
	}
	if v := w.calls("slack", "views.open", 0); len(v) != 1 || !strings.Contains(v[0].Arg("view"), `"callback_id":"retro:add_modal"`) {
		t.Fatalf("the form: %+v", v)
	}
	submit := func(field, text string) any {
		cb := slack.InteractionCallback{Type: slack.InteractionTypeViewSubmission, User: slack.User{ID: ana}}
		cb.View = slack.View{CallbackID: ModalAdd, PrivateMetadata: "product/1", State: &slack.ViewState{Values: map[string]map[string]slack.BlockAction{
			"field": {"field": {SelectedOption: slack.OptionBlockObject{Value: field}}},
			"text":  {"text": {Value: text}},
		}}}
		out, err := w.ui.Handle(context.Background(), cb, w.now)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	out, _ := json.Marshal(submit("1", "   "))
	if !strings.Contains(string(out), `"response_action":"errors"`) || !strings.Contains(string(out), "Say what the item is") {
		t.Fatalf("empty item: %s", out)
	}
	if out := submit("1", "Flaky CI"); out != nil {
		t.Fatalf("good item: %+v", out)
	}
	b, _ := w.store.Load(context.Background(), ID{"product", 1})
	if len(b.Items) != 1 || b.Items[0].Field != 1 || b.Items[0].Text != "Flaky CI" || b.Items[0].Author != ana {
		t.Fatalf("items: %+v", b.Items)
	}
}
