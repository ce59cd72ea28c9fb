package config

// Rotation returns the team's rotation called name (RotationSupport, RotationClinic), or nil
// when the team has none by that name.
func (t *Team) Rotation(name string) *Rotation {
	switch name {
	case RotationSupport:
		if t.Support != nil && len(t.Support.Rotation.Members) > 0 {
			return &t.Support.Rotation
		}
	case RotationClinic:
		if t.Clinic != nil && len(t.Clinic.Rotation.Members) > 0 {
			return &t.Clinic.Rotation
		}
	}
	return nil
}

// Member returns the team member with that id (nil for anyone else): the people a rotation's
// calendar is read for.
func (t *Team) Member(id string) *Person {
	if !t.members[id] {
		return nil
	}
	return t.people[id]
}

// Insider reports whether the person is part of the team: a member, or someone holding one of
// its roles (the EM, the PM, QA...). Their review of an outside patch is a first response.
func (t *Team) Insider(personID string) bool {
	if personID == "" {
		return false
	}
	if t.HasMember(personID) {
		return true
	}
	for _, role := range t.RoleNames() {
		if t.HasRole(personID, role) {
			return true
		}
	}
	return false
}

// ClinicApprovers returns the ids of the people who may accept Clinic Duty sign-ups: everyone
// holding a role named in clinic.approvers, and the people named there; nil without a clinic.
func (t *Team) ClinicApprovers() []string {
	if t.Clinic == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, a := range t.Clinic.Approvers {
		ids := t.RolePeople(a)
		if len(ids) == 0 && t.people[a] != nil {
			ids = []string{a}
		}
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}

// ClinicChannel is where Clinic Duty posts: clinic.channel, else the team's channel.
func (t *Team) ClinicChannel() string {
	if t.Clinic != nil && t.Clinic.Channel != "" {
		return t.Clinic.Channel
	}
	return t.Slack.Channel
}

// ClinicWatches reports whether repo ("owner/name", any case) is one whose outside pull
// requests the team's Clinic Duty routes: one of clinic.repos, else any repository of the
// team's clients.
func (t *Team) ClinicWatches(repo string) bool {
	if t.Clinic == nil {
		return false
	}
	if len(t.Clinic.Repos) > 0 {
		if t.Clinic.repos == nil {
			return contains(lowerAll(t.Clinic.Repos), lower(repo))
		}
		return t.Clinic.repos[lower(repo)]
	}
	for _, c := range t.clients {
		if c.Watches(repo) {
			return true
		}
	}
	return false
}

// ClinicReviewers returns the round-robin's people (clinic.reviewers, else the rotation's
// members).
func (t *Team) ClinicReviewers() []string {
	if t.Clinic == nil {
		return nil
	}
	if len(t.Clinic.Reviewers) > 0 {
		return t.Clinic.Reviewers
	}
	return t.Clinic.Rotation.Members
}
