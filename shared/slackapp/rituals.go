package slackapp

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// Rituals is the /rituals command: the entry point that lists everything Rituals offers.
type Rituals struct {
	// Others are the other registered commands, whose help /rituals help lists.
	Others []Command
}

var _ Command = Rituals{}

// Name implements Command.
func (Rituals) Name() string { return "/rituals" }

// Help implements Command.
func (Rituals) Help() []Usage {
	return []Usage{{Syntax: "/rituals help", Summary: "list every Rituals command"}}
}

// Run answers `/rituals` and `/rituals help` with every command's usage, ephemerally.
func (r Rituals) Run(_ context.Context, cmd slack.SlashCommand, _ time.Time) (*slack.Msg, error) {
	switch strings.ToLower(cmd.Text) {
	case "", "help":
		return Ephemeral(r.helpText()), nil
	}
	return nil, &UsageError{Problem: fmt.Sprintf("`/rituals %s` is not a Rituals command.", cmd.Text), Usage: r.Help()}
}

func (r Rituals) helpText() string {
	var b strings.Builder
	b.WriteString("*Rituals commands*")
	for _, c := range append([]Command{r}, r.Others...) {
		for _, u := range c.Help() {
			b.WriteString(u.Line())
		}
	}
	return b.String()
}
