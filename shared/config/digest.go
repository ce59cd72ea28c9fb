package config

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
)

// Digest is the SHA-256 Push records for a config file's bytes.
func Digest(yamlBytes []byte) string {
	sum := sha256.Sum256(yamlBytes)
	return hex.EncodeToString(sum[:])
}

// StoredDigest returns the current version in table and the Digest of its bytes (0 and ""
// before the first push), reading only the small version item. `rituals doctor` compares it
// with a local file to tell whether the file was pushed.
func StoredDigest(ctx context.Context, api Reader, table string) (version int, digest string, err error) {
	h, _, err := readHead(ctx, api, table)
	return h.version, h.sha256, err
}
