package deployment

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/rituals-dev/rituals/shared/config"
)

// Config reads the team configuration the functions use from the stack's state table.
func (t *Target) Config(ctx context.Context, st Stack) (*config.Config, int, error) {
	if t.DynamoDB == nil {
		return nil, 0, errors.New("no DynamoDB client to read the team config with")
	}
	table, err := st.Output("StateTableName")
	if err != nil {
		return nil, 0, err
	}
	return config.Load(ctx, t.DynamoDB, table)
}

// Owner is a GitHub account the config names, and what of it Rituals needs to reach.
type Owner struct {
	Login string
	// All is true when the config takes every repository of the account (a client's orgs).
	All bool
	// Repos are the owner/name repositories named one by one (client repos, HR repos,
	// support repos), sorted.
	Repos []string
	// Board is true when a support board belongs to the account.
	Board bool
}

// GitHubOwners lists every account the config names on GitHub, sorted by login (compared
// case-insensitively, as GitHub does).
func GitHubOwners(cfg *config.Config) []Owner {
	by := map[string]*Owner{}
	get := func(login string) *Owner {
		k := strings.ToLower(login)
		if by[k] == nil {
			by[k] = &Owner{Login: login}
		}
		return by[k]
	}
	repo := func(full string) {
		owner, _, ok := strings.Cut(full, "/")
		if !ok {
			return
		}
		o := get(owner)
		for _, r := range o.Repos {
			if strings.EqualFold(r, full) {
				return
			}
		}
		o.Repos = append(o.Repos, full)
	}
	for _, c := range cfg.Clients {
		for _, org := range c.GitHub.Orgs {
			get(org).All = true
		}
		for _, r := range c.GitHub.Repos {
			repo(r)
		}
		if c.HR.Repo != "" {
			repo(c.HR.Repo)
		}
	}
	for _, t := range cfg.Teams {
		if t.Support == nil {
			continue
		}
		for _, r := range t.Support.Repos {
			repo(r)
		}
		if t.Support.Board != nil {
			get(t.Support.Board.Owner).Board = true
		}
	}
	out := make([]Owner, 0, len(by))
	for _, o := range by {
		sort.Strings(o.Repos)
		out = append(out, *o)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Login) < strings.ToLower(out[j].Login) })
	return out
}
