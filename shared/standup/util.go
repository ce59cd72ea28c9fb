package standup

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

func itoa(n int) string { return strconv.Itoa(n) }

func hash(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:8])
}
