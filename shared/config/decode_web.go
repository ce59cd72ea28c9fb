package config

// Decoding of the keys the web pages read.

// management reads a client's hr.management: role names or person ids, each a slug, listed
// once. Whether each names a role or a person is settled by validateManagement, which knows the
// teams.
func (d *decoder) management(h *obj) []string {
	out := h.strs("management", "[em, director]")
	for i, s := range out {
		if err := checkSlug("role or person", s); err != nil {
			d.atPath(indexPath(h.p("management"), i), "%s", err)
		}
	}
	return out
}
