package standup

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/clip"
)

// Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks).
const (
	MaxModalBlocks   = 100
	MaxMessageBlocks = 50
	MaxText          = 3000
	maxOptionText    = 75
	maxOptions       = 100
	maxCheckboxes    = 10
	maxTitle         = 24
	maxHeaderText    = 150
	maxInputLength   = 3000
)

func mrkdwn(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, text, false, false)
}

func plain(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, text, true, false)
}

func section(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(mrkdwn(text), nil, nil)
}

func header(text string) *slack.HeaderBlock {
	return slack.NewHeaderBlock(plain(clip.Runes(text, maxHeaderText)))
}

func contextText(text string) *slack.ContextBlock {
	return slack.NewContextBlock("", mrkdwn(clip.Bytes(text, MaxText)))
}

func button(actionID, value, text string) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(actionID, value, plain(text))
}

// fitLines joins lines under head into one mrkdwn text of at most MaxText characters; lines
// that do not fit are replaced by "…and N more".
func fitLines(head string, lines []string) string {
	var b strings.Builder
	b.WriteString(head)
	for i, l := range lines {
		l = clip.Bytes(l, MaxText-200)
		sep := "\n"
		if b.Len() == 0 {
			sep = ""
		}
		more := fmt.Sprintf("\n…and %d more", len(lines)-i)
		if b.Len()+len(sep)+len(l)+len(more) > MaxText {
			if b.Len()+len(sep)+len(l) <= MaxText && i == len(lines)-1 {
				b.WriteString(sep + l)
				break
			}
			b.WriteString(more)
			break
		}
		b.WriteString(sep + l)
	}
	return clip.Bytes(b.String(), MaxText)
}

// budget builds a block list that never exceeds max blocks: blocks past the room left for
// the reserved tail are dropped and counted, so the caller can say "and N more".
type budget struct {
	max    int
	blocks []slack.Block
}

func (b *budget) room() int { return b.max - len(b.blocks) }

func (b *budget) add(bl ...slack.Block) bool {
	if len(bl) > b.room() {
		return false
	}
	b.blocks = append(b.blocks, bl...)
	return true
}
