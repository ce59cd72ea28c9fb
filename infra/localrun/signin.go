package localrun

import (
	"github.com/rituals-dev/rituals/infra/standins"
	"github.com/rituals-dev/rituals/shared/config"
)

// SeedSignIn offers the config's people on the OpenID stand-in's sign-in page, so that the web
// pages can be signed in to as anyone in the team config.
func (s *Stack) SeedSignIn(cfg *config.Config) {
	var users []standins.OIDCUser
	for _, p := range cfg.People {
		users = append(users, standins.OIDCUser{ID: p.Slack, Name: p.Name})
	}
	s.Standins.SeedOIDCUsers(users)
}
