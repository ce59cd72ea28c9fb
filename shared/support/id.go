package support

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ID identifies one support request: a team and a GitHub issue. An issue carrying two teams'
// labels is two requests. Its string form, "<team>:<owner>/<name>#<number>", is what button
// values and modal metadata carry.
type ID struct {
	Team   string
	Repo   string // owner/name, as GitHub spells it
	Number int
}

// String renders "<team>:<owner>/<name>#<number>".
func (id ID) String() string { return id.Team + ":" + id.Repo + "#" + strconv.Itoa(id.Number) }

// Issue renders "<owner>/<name>#<number>", how people refer to the issue.
func (id ID) Issue() string { return id.Repo + "#" + strconv.Itoa(id.Number) }

// key is the request's part of DynamoDB keys: the lowercased repo and the number.
func (id ID) key() string { return strings.ToLower(id.Repo) + "#" + strconv.Itoa(id.Number) }

// ErrBadID is returned (wrapped) by ParseID.
var ErrBadID = errors.New("not a support request id")

// ParseID reads the String form back.
func ParseID(s string) (ID, error) {
	team, rest, ok := strings.Cut(s, ":")
	hash := strings.LastIndexByte(rest, '#')
	if !ok || team == "" || hash < 0 {
		return ID{}, fmt.Errorf("%q: %w", s, ErrBadID)
	}
	repo, num := rest[:hash], rest[hash+1:]
	n, err := strconv.Atoi(num)
	owner, name, slash := strings.Cut(repo, "/")
	if err != nil || n <= 0 || !slash || owner == "" || name == "" || strings.Contains(name, "/") {
		return ID{}, fmt.Errorf("%q: %w", s, ErrBadID)
	}
	return ID{Team: team, Repo: repo, Number: n}, nil
}
