package standup

import (
	"fmt"
	"strings"

	"github.com/rituals-dev/rituals/shared/config"
)

// ID names one standup: a person's standup for a client on a day of the person's calendar.
type ID struct {
	Client, Person string
	Date           config.Date
}

// String renders "client/person/YYYY-MM-DD", the form carried in button values and modal
// metadata.
func (id ID) String() string { return id.Client + "/" + id.Person + "/" + id.Date.String() }

// IsZero reports whether the id is unset.
func (id ID) IsZero() bool { return id.Client == "" && id.Person == "" && id.Date.IsZero() }

// ParseID reads the form String renders.
func ParseID(s string) (ID, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return ID{}, fmt.Errorf("standup id %q: want client/person/YYYY-MM-DD", s)
	}
	d, err := config.ParseDate(parts[2])
	if err != nil {
		return ID{}, fmt.Errorf("standup id %q: %w", s, err)
	}
	return ID{Client: parts[0], Person: parts[1], Date: d}, nil
}
