// Package phab holds Rituals' Phabricator/Phorge side: the Conduit-backed task mirror, the
// team directory, revisions and the processor that turns Herald deliveries into transactions.
package phab

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rituals-dev/rituals/shared/conduit"
	"github.com/rituals-dev/rituals/shared/config"
)

// Server is what Rituals reads about the server once per container: the bot it acts as, and the
// server's priorities and statuses (never hard-coded: every installation configures its own).
type Server struct {
	Bot        conduit.User
	Priorities []conduit.Priority
	Statuses   []conduit.Status
}

// UBN is the value of the Unbreak Now! priority: the priority whose keywords include
// "unbreak" (upstream's and Wikimedia's keyword for it), else the highest one.
func (s *Server) UBN() int {
	for _, p := range s.Priorities {
		if slices.Contains(p.Keywords, "unbreak") {
			return p.Value
		}
	}
	if len(s.Priorities) > 0 {
		return s.Priorities[0].Value
	}
	return 100
}

// PriorityName is the server's name for a priority value.
func (s *Server) PriorityName(v int) string {
	for _, p := range s.Priorities {
		if p.Value == v {
			return p.Name
		}
	}
	return fmt.Sprintf("priority %d", v)
}

// Closed reports whether a status key is a closed status on this server.
func (s *Server) Closed(status string) bool {
	for _, st := range s.Statuses {
		if st.Value == status {
			return st.Closed
		}
	}
	return false
}

// StatusName is the server's name for a status key.
func (s *Server) StatusName(status string) string {
	for _, st := range s.Statuses {
		if st.Value == status {
			return st.Name
		}
	}
	return status
}

// Board is a team's workboard with the config's names resolved to PHIDs.
type Board struct {
	Team string
	// Project is the team's project; Family is it and every project below it (milestones and
	// subprojects), whose tasks are the team's too.
	Project conduit.Project
	Family  map[string]bool
	// Columns are the board's columns in board order.
	Columns []conduit.Column
	// Triage is the column new tasks wait in ("" when it could not be told).
	Triage string
	// Rules are the column rules by column PHID.
	Rules map[string]config.ColumnRule
	// Milestones are the project's milestones (its sprints, when the team runs them), oldest
	// first.
	Milestones []conduit.Project
}

// Column returns the board's column with that PHID.
func (b *Board) Column(phid string) (conduit.Column, bool) {
	for _, c := range b.Columns {
		if c.PHID == phid {
			return c, true
		}
	}
	return conduit.Column{}, false
}

// ColumnName is a column's name, or its PHID when the board does not have it.
func (b *Board) ColumnName(phid string) string {
	if c, ok := b.Column(phid); ok {
		return c.Name
	}
	return phid
}

// InFamily reports whether any of projects is the team's project or below it.
func (b *Board) InFamily(projects []string) bool {
	for _, p := range projects {
		if b.Family[p] {
			return true
		}
	}
	return false
}

// Finding is one line of what resolving the config found: a name resolved, or a problem and
// what to do about it.
type Finding struct {
	Team    string // "" for the server and people
	Problem bool
	Text    string
}

func (f Finding) String() string {
	mark := "ok"
	if f.Problem {
		mark = "PROBLEM"
	}
	if f.Team != "" {
		return fmt.Sprintf("%-7s team %s: %s", mark, f.Team, f.Text)
	}
	return fmt.Sprintf("%-7s %s", mark, f.Text)
}

// Directory is the config resolved against the server: the boards, and people by PHID.
type Directory struct {
	Server   *Server
	Boards   map[string]*Board // by team id
	Findings []Finding

	byPHID map[string]*config.Person
	phidOf map[string]string // person id → user PHID
}

// Person returns the config's person whose Phabricator account has that PHID, or nil.
func (d *Directory) Person(phid string) *config.Person { return d.byPHID[phid] }

// PHIDOf returns the user PHID of a config person ("" when they have no account found).
func (d *Directory) PHIDOf(personID string) string { return d.phidOf[personID] }

// TeamsFor returns the teams (in cfg's order) whose project family holds any of projects.
func (d *Directory) TeamsFor(cfg *config.Config, projects []string) []*config.Team {
	var out []*config.Team
	for _, t := range cfg.Teams {
		if b := d.Boards[t.ID]; b != nil && b.InFamily(projects) {
			out = append(out, t)
		}
	}
	return out
}

// Problems returns the findings that are problems.
func (d *Directory) Problems() []Finding {
	var out []Finding
	for _, f := range d.Findings {
		if f.Problem {
			out = append(out, f)
		}
	}
	return out
}

// Resolve reads from the server what the config names — the bot, priorities, statuses, every
// person's account, each team's project, its descendants and its columns — and matches them.
// Nothing it cannot match is an error: it is a Finding (a team whose project is not found has
// no Board); only a failed call is.
func Resolve(ctx context.Context, c *conduit.Client, cfg *config.Config) (*Directory, error) {
	d := &Directory{Boards: map[string]*Board{}, byPHID: map[string]*config.Person{}, phidOf: map[string]string{}}
	bot, err := c.WhoAmI(ctx)
	if err != nil {
		return nil, err
	}
	prios, err := c.Priorities(ctx)
	if err != nil {
		return nil, err
	}
	statuses, err := c.Statuses(ctx)
	if err != nil {
		return nil, err
	}
	d.Server = &Server{Bot: bot, Priorities: prios, Statuses: statuses}
	d.add("", false, "bot: %s (%s); Unbreak Now! is priority %d %q", bot.Username, bot.PHID, d.Server.UBN(), d.Server.PriorityName(d.Server.UBN()))

	if err := d.resolvePeople(ctx, c, cfg); err != nil {
		return nil, err
	}
	var teams []*config.Team
	for _, t := range cfg.Teams {
		if t.Phabricator != nil {
			teams = append(teams, t)
		}
	}
	if len(teams) == 0 {
		return d, nil
	}
	projects, err := resolveProjects(ctx, c, teams)
	if err != nil {
		return nil, err
	}
	var found []string
	for _, t := range teams {
		if p, ok := projects[t.Phabricator.Project]; ok {
			d.Boards[t.ID] = &Board{Team: t.ID, Project: p, Family: map[string]bool{p.PHID: true}, Rules: map[string]config.ColumnRule{}}
			found = append(found, p.PHID)
			continue
		}
		d.add(t.ID, true, "project %q not found: use the slug from the project's URL (/tag/<slug>/) or its PHID, and make sure the bot %s can see the project", t.Phabricator.Project, bot.Username)
	}
	if len(found) == 0 {
		return d, nil
	}
	below, err := c.SearchProjects(ctx, conduit.ProjectQuery{Ancestors: found})
	if err != nil {
		return nil, err
	}
	cols, err := c.Columns(ctx, found)
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		b := d.Boards[t.ID]
		if b == nil {
			continue
		}
		for _, p := range below {
			if p.PHID != b.Project.PHID && isBelow(p, b.Project.PHID, below) {
				b.Family[p.PHID] = true
				if p.Milestone != 0 && p.ParentPHID == b.Project.PHID {
					b.Milestones = append(b.Milestones, p)
				}
			}
		}
		sort.SliceStable(b.Milestones, func(i, j int) bool { return b.Milestones[i].Milestone < b.Milestones[j].Milestone })
		for _, col := range cols {
			if col.BoardPHID == b.Project.PHID {
				b.Columns = append(b.Columns, col)
			}
		}
		d.resolveBoard(t, b)
	}
	return d, nil
}

func (d *Directory) add(team string, problem bool, format string, args ...any) {
	d.Findings = append(d.Findings, Finding{Team: team, Problem: problem, Text: fmt.Sprintf(format, args...)})
}

// resolvePeople finds the account of everyone with a Phabricator username, with one search.
func (d *Directory) resolvePeople(ctx context.Context, c *conduit.Client, cfg *config.Config) error {
	var names []string
	byName := map[string]*config.Person{}
	for _, p := range cfg.People {
		if p.Phabricator != "" {
			names = append(names, p.Phabricator)
			byName[strings.ToLower(p.Phabricator)] = p
		}
	}
	if len(names) == 0 {
		return nil
	}
	users, err := c.SearchUsers(ctx, conduit.UserQuery{Usernames: names})
	if err != nil {
		return err
	}
	for _, u := range users {
		if p := byName[strings.ToLower(u.Username)]; p != nil {
			d.byPHID[u.PHID] = p
			d.phidOf[p.ID] = u.PHID
		}
	}
	for _, p := range cfg.People {
		if p.Phabricator != "" && d.phidOf[p.ID] == "" {
			d.add("", true, "person %s: no Phabricator user %q (fix people[].phabricator: the username as in the profile URL /p/<username>/)", p.ID, p.Phabricator)
		}
	}
	d.add("", false, "people: %d of %d Phabricator usernames found", len(d.phidOf), len(names))
	return nil
}

// resolveProjects finds each team's project by slug or PHID (two searches at most).
func resolveProjects(ctx context.Context, c *conduit.Client, teams []*config.Team) (map[string]conduit.Project, error) {
	var slugs, phids []string
	for _, t := range teams {
		if ref := t.Phabricator.Project; strings.HasPrefix(ref, "PHID-") {
			phids = append(phids, ref)
		} else {
			slugs = append(slugs, ref)
		}
	}
	out := map[string]conduit.Project{}
	if len(slugs) > 0 {
		ps, err := c.SearchProjects(ctx, conduit.ProjectQuery{Slugs: slugs})
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			for _, s := range slugs {
				if strings.EqualFold(p.Slug, s) {
					out[s] = p
				}
			}
		}
	}
	if len(phids) > 0 {
		ps, err := c.SearchProjects(ctx, conduit.ProjectQuery{PHIDs: phids})
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			out[p.PHID] = p
		}
	}
	return out, nil
}

// isBelow reports whether p is below the project root, following parents through all.
func isBelow(p conduit.Project, root string, all []conduit.Project) bool {
	byPHID := map[string]conduit.Project{}
	for _, q := range all {
		byPHID[q.PHID] = q
	}
	for i := 0; i < 16 && p.ParentPHID != ""; i++ {
		if p.ParentPHID == root {
			return true
		}
		next, ok := byPHID[p.ParentPHID]
		if !ok {
			return false
		}
		p = next
	}
	return false
}

// resolveBoard matches the triage column and the rules' columns to the board's columns.
func (d *Directory) resolveBoard(t *config.Team, b *Board) {
	tp := t.Phabricator
	var names []string
	for _, c := range b.Columns {
		if c.ProxyPHID == "" {
			names = append(names, c.Name)
		}
	}
	if len(b.Columns) == 0 {
		d.add(t.ID, true, "project %s (%s) has no workboard columns: create its workboard, or column rules and triage cannot work", b.Project.Name, b.Project.PHID)
	} else {
		d.add(t.ID, false, "project %s → %s %q, %d columns (%s); %d milestones or subprojects below it count too", tp.Project, b.Project.PHID, b.Project.Name, len(names), strings.Join(names, ", "), len(b.Family)-1)
	}
	match := func(ref string) (conduit.Column, bool) {
		for _, c := range b.Columns {
			if c.PHID == ref || strings.EqualFold(c.Name, ref) {
				return c, true
			}
		}
		return conduit.Column{}, false
	}
	switch {
	case tp.TriageColumn != "":
		if c, ok := match(tp.TriageColumn); ok {
			b.Triage = c.PHID
			d.add(t.ID, false, "triage column %q → %s", tp.TriageColumn, c.PHID)
		} else if len(b.Columns) > 0 {
			d.add(t.ID, true, "triage column %q is not on the board (columns: %s): fix triage_column", tp.TriageColumn, strings.Join(names, ", "))
		}
	default:
		for _, c := range b.Columns {
			if c.DefaultKnown && c.Default {
				b.Triage = c.PHID
				d.add(t.ID, false, "triage column: the board's default column %q (%s)", c.Name, c.PHID)
				break
			}
		}
		if b.Triage == "" && len(b.Columns) > 0 {
			d.add(t.ID, true, "the server does not say which column is the board's default (Phabricator and Phorge before 2023-06 do not): set triage_column to the column new tasks land in")
		}
	}
	for _, r := range tp.Columns {
		c, ok := match(r.Column)
		if !ok {
			if len(b.Columns) > 0 {
				hint := ""
				if s := closestName(r.Column, names); s != "" {
					hint = fmt.Sprintf(" (did you mean %q?)", s)
				}
				d.add(t.ID, true, "column rule %q: no such column on the board%s; columns: %s", r.Column, hint, strings.Join(names, ", "))
			}
			continue
		}
		b.Rules[c.PHID] = r
		who := "anyone"
		if len(r.Allow) > 0 {
			who = strings.Join(r.Allow, ", ")
		}
		points := ""
		if r.RequirePoints {
			points = ", points required"
		}
		d.add(t.ID, false, "column rule %q → %s: %s may move tasks in%s (%s)", r.Column, c.PHID, who, points, r.Mode)
	}
	var people []string
	for _, id := range append(append([]string{}, t.Members...), t.RolePeople(config.RolePM)...) {
		if !slices.Contains(people, id) {
			people = append(people, id)
		}
	}
	sort.Strings(people)
	var without []string
	for _, id := range people {
		if d.phidOf[id] == "" {
			without = append(without, id)
		}
	}
	if len(without) > 0 {
		d.add(t.ID, true, "no Phabricator account for %s: add people[].phabricator, or their comments and moves count as an outsider's", strings.Join(without, ", "))
	}
}

// closestName suggests the column name nearest to s (case-insensitive, small edit distance).
func closestName(s string, names []string) string {
	best, bestD := "", 1<<30
	for _, n := range names {
		if d := editDistance(strings.ToLower(s), strings.ToLower(n)); d < bestD {
			best, bestD = n, d
		}
	}
	if bestD <= max(1, len(s)/3) {
		return best
	}
	return ""
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}

// Resolver caches one Directory per config version for TTL, per container: resolving costs a
// few Conduit calls, and boards, columns and accounts change rarely.
type Resolver struct {
	TTL time.Duration
	// Clock is the wall clock the cache is timed on (time.Now when nil).
	Clock func() time.Time

	mu  sync.Mutex
	cfg *config.Config
	dir *Directory
	at  time.Time
}

// Directory returns the Directory of cfg, resolving it when the cached one is for another
// config or older than TTL (default 10 minutes).
func (r *Resolver) Directory(ctx context.Context, c *conduit.Client, cfg *config.Config) (*Directory, error) {
	now := time.Now
	if r.Clock != nil {
		now = r.Clock
	}
	ttl := r.TTL
	if ttl <= 0 {
		ttl = 10 * time.Minute
	}
	r.mu.Lock()
	if r.dir != nil && r.cfg == cfg && now().Sub(r.at) < ttl {
		d := r.dir
		r.mu.Unlock()
		return d, nil
	}
	r.mu.Unlock()
	d, err := Resolve(ctx, c, cfg)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.cfg, r.dir, r.at = cfg, d, now()
	r.mu.Unlock()
	return d, nil
}
