package standins

import (
	"fmt"
	"unicode/utf8"
)

// Block Kit's limits, which Slack enforces by refusing the whole call (invalid_blocks for a
// message, invalid_arguments for a view) with one message per problem in response_metadata —
// a digest or a board that grows past one of them is never seen. From Slack's Block Kit
// reference: a message holds at most 50 blocks and a view 100; a section's text at most 3,000
// characters and its fields 10 of at most 2,000; a header 150; a context block 10 elements; an
// actions block 25; a button's text 75 and its value 2,000; a block_id or action_id 255; a
// modal's title, submit and close 24; a select's options 100; a message's text 40,000
// (msg_too_long).
const (
	maxMessageBlocks = 50
	maxViewBlocks    = 100
	maxMessageText   = 40000
)

// blocksProblems lists the limits blocks break, as Slack words them, with JSON pointers.
func blocksProblems(blocks any, maxBlocks int, at string) []string {
	list, ok := blocks.([]any)
	if !ok {
		if blocks == nil {
			return nil
		}
		return []string{fmt.Sprintf("[ERROR] must be an array [json-pointer:%s]", at)}
	}
	var out []string
	bad := func(ptr, msg string) { out = append(out, fmt.Sprintf("[ERROR] %s [json-pointer:%s]", msg, ptr)) }
	if len(list) > maxBlocks {
		bad(at, fmt.Sprintf("no more than %d items allowed", maxBlocks))
	}
	for i, b := range list {
		block, _ := b.(map[string]any)
		p := fmt.Sprintf("%s/%d", at, i)
		if block == nil {
			bad(p, "must be an object")
			continue
		}
		if id, _ := block["block_id"].(string); utf8.RuneCountInString(id) > 255 {
			bad(p+"/block_id", "must be less than 256 characters")
		}
		switch block["type"] {
		case "section":
			textLimit(bad, block["text"], 3000, p+"/text")
			if fields, ok := block["fields"].([]any); ok {
				if len(fields) > 10 {
					bad(p+"/fields", "no more than 10 items allowed")
				}
				for j, f := range fields {
					textLimit(bad, f, 2000, fmt.Sprintf("%s/fields/%d", p, j))
				}
			}
			if acc, ok := block["accessory"].(map[string]any); ok {
				elementProblems(bad, acc, p+"/accessory")
			}
		case "header":
			textLimit(bad, block["text"], 150, p+"/text")
		case "context":
			if els, ok := block["elements"].([]any); ok && len(els) > 10 {
				bad(p+"/elements", "no more than 10 items allowed")
			}
		case "actions":
			els, _ := block["elements"].([]any)
			if len(els) > 25 {
				bad(p+"/elements", "no more than 25 items allowed")
			}
			for j, e := range els {
				if el, ok := e.(map[string]any); ok {
					elementProblems(bad, el, fmt.Sprintf("%s/elements/%d", p, j))
				}
			}
		case "input":
			textLimit(bad, block["label"], 2000, p+"/label")
			if el, ok := block["element"].(map[string]any); ok {
				elementProblems(bad, el, p+"/element")
			}
		}
	}
	return out
}

// elementProblems checks an interactive element: buttons and selects.
func elementProblems(bad func(ptr, msg string), el map[string]any, p string) {
	if id, _ := el["action_id"].(string); utf8.RuneCountInString(id) > 255 {
		bad(p+"/action_id", "must be less than 256 characters")
	}
	switch el["type"] {
	case "button":
		textLimit(bad, el["text"], 75, p+"/text")
		if v, _ := el["value"].(string); utf8.RuneCountInString(v) > 2000 {
			bad(p+"/value", "must be less than 2001 characters")
		}
	case "static_select", "multi_static_select":
		if opts, ok := el["options"].([]any); ok && len(opts) > 100 {
			bad(p+"/options", "no more than 100 items allowed")
		}
	}
}

// textLimit checks a text object's text against max characters.
func textLimit(bad func(ptr, msg string), t any, max int, p string) {
	obj, _ := t.(map[string]any)
	if s, _ := obj["text"].(string); utf8.RuneCountInString(s) > max {
		bad(p+"/text", fmt.Sprintf("must be less than %d characters", max+1))
	}
}

// messageRefusal is Slack's answer to a message whose text or blocks break a limit, or nil.
func messageRefusal(p slackParams) map[string]any {
	if utf8.RuneCountInString(p.str("text")) > maxMessageText {
		return slackErr("msg_too_long")
	}
	blocks, _ := p.obj("blocks")
	if msgs := blocksProblems(blocks, maxMessageBlocks, "/blocks"); len(msgs) > 0 {
		return map[string]any{"ok": false, "error": "invalid_blocks", "response_metadata": map[string]any{"messages": msgs}}
	}
	return nil
}

// viewRefusal is Slack's answer to a view that breaks a limit, or nil.
func viewRefusal(v map[string]any) map[string]any {
	msgs := blocksProblems(v["blocks"], maxViewBlocks, "/view/blocks")
	for _, k := range []string{"title", "submit", "close"} {
		textLimit(func(ptr, msg string) {
			msgs = append(msgs, fmt.Sprintf("[ERROR] %s [json-pointer:%s]", msg, ptr))
		}, v[k], 24, "/view/"+k)
	}
	if len(msgs) > 0 {
		return map[string]any{"ok": false, "error": "invalid_arguments", "response_metadata": map[string]any{"messages": msgs}}
	}
	return nil
}
