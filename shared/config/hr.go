package config

import "slices"

// Management returns the ids of the people client.HR.Management names: the holders of each
// role in the teams working for the client, and each person named, each once, in that order.
// The client's reviewer is not included unless named.
func (c *Config) Management(client *Client) []string {
	var out []string
	add := func(id string) {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	for _, e := range client.HR.Management {
		role := false
		for _, t := range c.Teams {
			if !slices.Contains(t.Clients, client.ID) {
				continue
			}
			if people := t.RolePeople(e); len(people) > 0 && e != RoleMembers {
				role = true
				for _, p := range people {
					add(p)
				}
			}
		}
		if !role && c.PersonByID(e) != nil {
			add(e)
		}
	}
	return out
}

// IsManagement reports whether personID is management for the client (see Management): they
// may read reviewer-only fields of its standups, but not review them.
func (c *Config) IsManagement(clientID, personID string) bool {
	cl := c.Client(clientID)
	return cl != nil && slices.Contains(c.Management(cl), personID)
}
