package standins

import (
	"context"

	"github.com/rituals-dev/rituals/shared/conduit"
)

// EditTask makes an edit through the Conduit stand-in at base as the user whose token it is,
// creating the task when task is "" — what a person does in Phabricator's UI, for tests. It
// returns the task's PHID and the transactions applied.
func EditTask(ctx context.Context, base, token, task string, edits ...conduit.Edit) (string, []string, error) {
	c, err := conduit.New(conduit.Options{BaseURL: ConduitAPIURL(base), Token: token})
	if err != nil {
		return "", nil, err
	}
	params := map[string]any{"transactions": edits}
	if task != "" {
		params["objectIdentifier"] = task
	}
	var r struct {
		Object       struct{ PHID string }
		Transactions []struct{ PHID string }
	}
	if err := c.Call(ctx, conduit.MethodTaskEdit, params, &r); err != nil {
		return "", nil, err
	}
	var out []string
	for _, x := range r.Transactions {
		out = append(out, x.PHID)
	}
	return r.Object.PHID, out, nil
}
