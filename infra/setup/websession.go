package setup

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/rituals-dev/rituals/infra/deployment"
)

// ensureWebSessionKey stores a random key in the stack's WebSessionKeyParam when it is not set:
// the web pages sign in with the Slack app's OAuth credentials that this setup stores, and derive
// their session cookies' keys from this one, which nobody should have to invent. A stack without
// the web pages has no such parameter; a key already there is kept (replacing it would sign
// everyone out).
func ensureWebSessionKey(ctx context.Context, t *deployment.Target, st deployment.Stack, out io.Writer) error {
	name := st.Parameters["WebSessionKeyParam"]
	if name == "" {
		return nil
	}
	if _, _, ok, err := getParam(ctx, t.SSM, name); err != nil || ok {
		return err
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24+)
	tx := &paramTx{p: t.SSM}
	if err := tx.Put(ctx, name, hex.EncodeToString(key)); err != nil {
		return err
	}
	fmt.Fprintf(out, "Stored a new key for the web pages' sign-in sessions in %s.\n", name)
	return nil
}
