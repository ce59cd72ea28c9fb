package support

import (
	"context"
	"strings"
	"time"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/ghapp"
	"github.com/rituals-dev/rituals/shared/ghub"
	"github.com/rituals-dev/rituals/shared/retry"
)

// project is the team's board as ghub names it.
func project(b *config.Board) ghub.Project {
	return ghub.Project{Owner: b.Owner, Number: b.Project, StatusField: b.StatusField, Status: b.Status}
}

// addToBoard puts the request's issue on the team's board with the configured status, once.
// A board that cannot be found or used is logged and skipped (see Processor.github).
func (p *Processor) addToBoard(ctx context.Context, team *config.Team, r *Request, now time.Time) error {
	if team.Support.Board == nil || r.NodeID == "" {
		return nil
	}
	// GraphQL mutations name no owner; a GitHub App acts as its installation on the board's.
	ctx = ghapp.WithOwner(ctx, team.Support.Board.Owner)
	res, err := p.github(ctx, effectKey(r.ID, "board"), now, func(ctx context.Context) (string, error) {
		ids, err := ghub.ProjectCache{API: p.Store.API, Table: p.Store.Table}.IDs(ctx, p.GitHub, project(team.Support.Board))
		if err != nil {
			return "", err
		}
		itemID, err := ghub.AddProjectItem(ctx, p.GitHub, ids.Project, r.NodeID)
		if err != nil {
			return "", err
		}
		return ids.Project + "|" + ids.Field + "|" + ids.Option + "|" + itemID, nil
	})
	parts := strings.Split(res, "|")
	if err != nil || retry.Skipped(res) || len(parts) != 4 {
		return err // not on the board (skipped), so no status to set
	}
	_, err = p.github(ctx, effectKey(r.ID, "board-status"), now, func(ctx context.Context) (string, error) {
		ids := ghub.ProjectIDs{Project: parts[0], Field: parts[1], Option: parts[2]}
		if err := ghub.SetProjectStatus(ctx, p.GitHub, ids, parts[3]); err != nil {
			return "", err
		}
		return "status set", nil
	})
	return err
}
