package config

// Retro is how a team runs retros: the board's fields, the dots each participant may place,
// and where the top-voted items become action items.
type Retro struct {
	// Fields are the board's columns, in order ("went well", "not working", "open questions"
	// by default): 1 to 10 names, unique ignoring case, none a bare number (items are added
	// with `/retro add <field> <text>`, where a number means the field's position).
	Fields []string
	// Dots is how many dots each participant may place across every field (default 3; 1 to
	// 20). One retro may change it with `/retro dots N` before voting starts.
	Dots int
	// Anonymous retros store items without their author, so nothing Rituals posts can name
	// them.
	Anonymous bool
	// HideVotes keeps the dot counts hidden until the retro closes: each voter sees only their
	// own dots.
	HideVotes bool
	// Actions is how many of the top-voted items (items with at least one dot, ranked across
	// every field) become action items when the retro closes (default 3; 0 to 20).
	Actions int
	// Repo is the "owner/name" GitHub repository action items are opened in; empty when the
	// team tracks them only in Slack.
	Repo string
	// Labels are put on each action item's GitHub issue (default [retro]).
	Labels []string
}

// DefaultRetroFields are the board's fields when the config names none.
var DefaultRetroFields = []string{"went well", "not working", "open questions"}

// Retro defaults.
const (
	DefaultRetroDots    = 3
	DefaultRetroActions = 3
	MaxRetroDots        = 20
	MaxRetroActions     = 20
	MaxRetroFields      = 10
)

// DefaultRetro is the retro of a team without a retro section.
func DefaultRetro() *Retro {
	return &Retro{
		Fields: append([]string(nil), DefaultRetroFields...), Dots: DefaultRetroDots,
		Actions: DefaultRetroActions, Labels: []string{"retro"},
	}
}

// RetroSettings returns the team's retro settings, the defaults when it configured none.
func (t *Team) RetroSettings() *Retro {
	if t.Retro == nil {
		return DefaultRetro()
	}
	return t.Retro
}

// DACILetter is a role's part in a kind of decision.
type DACILetter string

// The four parts of DACI.
const (
	Drives    DACILetter = "D"
	Approves  DACILetter = "A"
	Consulted DACILetter = "C"
	Informed  DACILetter = "I"
)

// Word is the letter's meaning ("drives", "approves", "consulted", "informed").
func (l DACILetter) Word() string {
	switch l {
	case Drives:
		return "drives"
	case Approves:
		return "approves"
	case Consulted:
		return "consulted"
	case Informed:
		return "informed"
	}
	return string(l)
}

// DecisionKind is one row of a team's DACI matrix: for one kind of decision, which roles drive,
// approve, are consulted and are informed. After Parse every role is held by someone in the
// team, and at least one role drives or approves.
type DecisionKind struct {
	// ID is the lowercase slug typed in `/decision new <kind>`; unique in the team.
	ID string
	// Name is what the decision is ("Set product strategy"); defaults to ID.
	Name string
	// Roles are the involved roles in file order; roles not listed are not involved.
	Roles []RolePart

	path string
}

// RolePart is one cell of the matrix: a role (see Team.RolePeople) and its part.
type RolePart struct {
	Role   string
	Letter DACILetter
}

// DecisionKind returns the team's kind of decision with that id, or nil.
func (t *Team) DecisionKind(id string) *DecisionKind {
	for _, k := range t.DACI {
		if k.ID == id {
			return k
		}
	}
	return nil
}

// DACIPeople are the people of one kind of decision in a team, each once, in the order the
// roles are listed (and the role's people in config order).
type DACIPeople struct {
	// Drivers run the decision. Approvers make it: the roles marked A, or, when the kind has
	// none, its drivers. Someone who drives and approves is in both.
	Drivers, Approvers []string
	// Consulted are asked for input; Informed are told the outcome. Neither holds anyone
	// already listed above them.
	Consulted, Informed []string
}

// People resolves the kind's roles to person ids in team t.
func (k *DecisionKind) People(t *Team) DACIPeople {
	by := map[DACILetter][]string{}
	seen := map[DACILetter]map[string]bool{}
	for _, rp := range k.Roles {
		if seen[rp.Letter] == nil {
			seen[rp.Letter] = map[string]bool{}
		}
		for _, id := range t.RolePeople(rp.Role) {
			if !seen[rp.Letter][id] {
				seen[rp.Letter][id] = true
				by[rp.Letter] = append(by[rp.Letter], id)
			}
		}
	}
	out := DACIPeople{Drivers: by[Drives], Approvers: by[Approves]}
	if len(out.Approvers) == 0 {
		out.Approvers = out.Drivers
	}
	taken := map[string]bool{}
	for _, id := range append(append([]string(nil), out.Drivers...), out.Approvers...) {
		taken[id] = true
	}
	for _, id := range by[Consulted] {
		if !taken[id] {
			out.Consulted = append(out.Consulted, id)
			taken[id] = true
		}
	}
	for _, id := range by[Informed] {
		if !taken[id] {
			out.Informed = append(out.Informed, id)
			taken[id] = true
		}
	}
	return out
}
