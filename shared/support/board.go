package support

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/retry"
	"github.com/rituals-dev/rituals/shared/store"
)

// BoardIDs are the GraphQL node ids needed to put an issue on a board with a status.
type BoardIDs struct {
	Project, Field, Option string
}

const boardQuery = `query($login: String!, $number: Int!) {
  %s(login: $login) {
    projectV2(number: $number) {
      id
      fields(first: 50) {
        nodes {
          ... on ProjectV2SingleSelectField { id name options { id name } }
        }
      }
    }
  }
}`

const addItemMutation = `mutation($projectId: ID!, $contentId: ID!) {
  addProjectV2ItemById(input: {projectId: $projectId, contentId: $contentId}) { item { id } }
}`

const setStatusMutation = `mutation($projectId: ID!, $itemId: ID!, $fieldId: ID!, $optionId: String!) {
  updateProjectV2ItemFieldValue(input: {projectId: $projectId, itemId: $itemId, fieldId: $fieldId, value: {singleSelectOptionId: $optionId}}) {
    projectV2Item { id }
  }
}`

type projectAnswer struct {
	ProjectV2 *struct {
		ID     string `json:"id"`
		Fields struct {
			Nodes []struct {
				ID      string `json:"id"`
				Name    string `json:"name"`
				Options []struct {
					ID   string `json:"id"`
					Name string `json:"name"`
				} `json:"options"`
			} `json:"nodes"`
		} `json:"fields"`
	} `json:"projectV2"`
}

func boardSK(b *config.Board) string {
	return "BOARD#" + strings.ToLower(b.Owner) + "#" + strconv.Itoa(b.Project) + "#" + b.StatusField + "#" + b.Status
}

// boardIDs returns the board's ids from the cache in the state table, or looks them up with
// GraphQL (organization, then user, owning the project) and caches them.
func (p *Processor) boardIDs(ctx context.Context, team *config.Team) (BoardIDs, error) {
	b := team.Support.Board
	k := store.Key(teamPK(team.ID), boardSK(b))
	out, err := p.Store.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(p.Store.Table), Key: k})
	if err != nil {
		return BoardIDs{}, fmt.Errorf("read board cache: %w", err)
	}
	if out.Item != nil {
		return BoardIDs{Project: store.Str(out.Item, "project"), Field: store.Str(out.Item, "field"), Option: store.Str(out.Item, "option")}, nil
	}
	var ans projectAnswer
	for _, owner := range []string{"organization", "user"} {
		var data map[string]*projectAnswer
		err := p.GitHub.GraphQL(ctx, fmt.Sprintf(boardQuery, owner), map[string]any{"login": b.Owner, "number": b.Project}, &data)
		var ge *retry.GraphQLError
		if errors.As(err, &ge) {
			continue // not an organization (or not visible): try a user
		}
		if err != nil {
			return BoardIDs{}, err
		}
		if a := data[owner]; a != nil && a.ProjectV2 != nil {
			ans = *a
			break
		}
	}
	if ans.ProjectV2 == nil {
		return BoardIDs{}, &retry.GraphQLError{Messages: []string{fmt.Sprintf("no project %d owned by %s is visible to the token", b.Project, b.Owner)}}
	}
	ids := BoardIDs{Project: ans.ProjectV2.ID}
	for _, f := range ans.ProjectV2.Fields.Nodes {
		if !strings.EqualFold(f.Name, b.StatusField) {
			continue
		}
		ids.Field = f.ID
		for _, o := range f.Options {
			if strings.EqualFold(o.Name, b.Status) {
				ids.Option = o.ID
			}
		}
	}
	if ids.Field == "" || ids.Option == "" {
		return BoardIDs{}, &retry.GraphQLError{Messages: []string{fmt.Sprintf("project %s/%d has no single-select field %q with an option %q (support.board in the config)", b.Owner, b.Project, b.StatusField, b.Status)}}
	}
	item := k
	item["project"], item["field"], item["option"] = store.S(ids.Project), store.S(ids.Field), store.S(ids.Option)
	if _, err := p.Store.API.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(p.Store.Table), Item: item}); err != nil {
		return BoardIDs{}, fmt.Errorf("cache board ids: %w", err)
	}
	return ids, nil
}

// addToBoard puts the request's issue on the team's board with the configured status, once.
// A board that cannot be found or used is logged and skipped (see Processor.github).
func (p *Processor) addToBoard(ctx context.Context, team *config.Team, r *Request, now time.Time) error {
	if team.Support.Board == nil || r.NodeID == "" {
		return nil
	}
	res, err := p.github(ctx, effectKey(r.ID, "board"), now, func(ctx context.Context) (string, error) {
		ids, err := p.boardIDs(ctx, team)
		if err != nil {
			return "", err
		}
		var res struct {
			Add struct {
				Item struct {
					ID string `json:"id"`
				} `json:"item"`
			} `json:"addProjectV2ItemById"`
		}
		if err := p.GitHub.GraphQL(ctx, addItemMutation, map[string]any{"projectId": ids.Project, "contentId": r.NodeID}, &res); err != nil {
			return "", err
		}
		itemID := res.Add.Item.ID
		if itemID == "" {
			return "", &retry.GraphQLError{Messages: []string{"addProjectV2ItemById returned no item"}}
		}
		return ids.Project + "|" + ids.Field + "|" + ids.Option + "|" + itemID, nil
	})
	parts := strings.Split(res, "|")
	if err != nil || retry.Skipped(res) || len(parts) != 4 {
		return err // not on the board (skipped), so no status to set
	}
	_, err = p.github(ctx, effectKey(r.ID, "board-status"), now, func(ctx context.Context) (string, error) {
		vars := map[string]any{"projectId": parts[0], "fieldId": parts[1], "optionId": parts[2], "itemId": parts[3]}
		if err := p.GitHub.GraphQL(ctx, setStatusMutation, vars, nil); err != nil {
			return "", err
		}
		return "status set", nil
	})
	return err
}
