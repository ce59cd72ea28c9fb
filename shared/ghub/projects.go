package ghub

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rituals-dev/rituals/shared/retry"
	"github.com/rituals-dev/rituals/shared/store"
)

// GitHub Projects (v2) boards, which only GraphQL reaches: find a project's node ids, add an
// issue or pull request to it, set its single-select status. Support triage and label rules
// both put issues on boards.

// GraphQLer runs a GraphQL query; the features' GitHub clients implement it with GraphQL.
type GraphQLer interface {
	// GraphQL runs query with variables and decodes the response's data into out. GraphQL
	// errors (a well-formed answer listing errors) are returned as *retry.GraphQLError.
	GraphQL(ctx context.Context, query string, variables map[string]any, out any) error
}

// Project names a board and the option of one of its single-select fields to set.
type Project struct {
	// Owner is the organisation or user owning the project; Number is from its URL.
	Owner  string
	Number int
	// StatusField is the single-select field ("Status"); Status the option to set.
	StatusField, Status string
}

// ProjectIDs are the node ids needed to put an item on a board with a status.
type ProjectIDs struct {
	Project, Field, Option string
}

const projectQuery = `query($login: String!, $number: Int!) {
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

// LookupProject finds p's ids with GraphQL: the project of an organisation, else of a user,
// and the option of its status field (names compared case-insensitively). A project, field or
// option that does not exist is a *retry.GraphQLError (permanent), naming what is missing.
func LookupProject(ctx context.Context, g GraphQLer, p Project) (ProjectIDs, error) {
	var ans projectAnswer
	for _, owner := range []string{"organization", "user"} {
		var data map[string]*projectAnswer
		err := g.GraphQL(ctx, fmt.Sprintf(projectQuery, owner), map[string]any{"login": p.Owner, "number": p.Number}, &data)
		var ge *retry.GraphQLError
		if errors.As(err, &ge) && !ge.Transient() {
			continue // not an organization (or not visible): try a user
		}
		if err != nil {
			return ProjectIDs{}, err
		}
		if a := data[owner]; a != nil && a.ProjectV2 != nil {
			ans = *a
			break
		}
	}
	if ans.ProjectV2 == nil {
		return ProjectIDs{}, &retry.GraphQLError{Messages: []string{fmt.Sprintf("no project %d owned by %s is visible to the token", p.Number, p.Owner)}}
	}
	ids := ProjectIDs{Project: ans.ProjectV2.ID}
	for _, f := range ans.ProjectV2.Fields.Nodes {
		if !strings.EqualFold(f.Name, p.StatusField) {
			continue
		}
		ids.Field = f.ID
		for _, o := range f.Options {
			if strings.EqualFold(o.Name, p.Status) {
				ids.Option = o.ID
			}
		}
	}
	if ids.Field == "" || ids.Option == "" {
		return ProjectIDs{}, &retry.GraphQLError{Messages: []string{fmt.Sprintf("project %s/%d has no single-select field %q with an option %q", p.Owner, p.Number, p.StatusField, p.Status)}}
	}
	return ids, nil
}

// AddProjectItem adds the issue or pull request with node id contentID to the project and
// returns the item's id. Adding an item that is already there returns the existing item.
func AddProjectItem(ctx context.Context, g GraphQLer, projectID, contentID string) (string, error) {
	var res struct {
		Add struct {
			Item struct {
				ID string `json:"id"`
			} `json:"item"`
		} `json:"addProjectV2ItemById"`
	}
	if err := g.GraphQL(ctx, addItemMutation, map[string]any{"projectId": projectID, "contentId": contentID}, &res); err != nil {
		return "", err
	}
	if res.Add.Item.ID == "" {
		return "", &retry.GraphQLError{Messages: []string{"addProjectV2ItemById returned no item"}}
	}
	return res.Add.Item.ID, nil
}

// SetProjectStatus sets the item's status field to the option in ids.
func SetProjectStatus(ctx context.Context, g GraphQLer, ids ProjectIDs, itemID string) error {
	vars := map[string]any{"projectId": ids.Project, "fieldId": ids.Field, "optionId": ids.Option, "itemId": itemID}
	return g.GraphQL(ctx, setStatusMutation, vars, nil)
}

// ProjectCacheAPI is the part of the DynamoDB client ProjectCache needs.
type ProjectCacheAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

var _ ProjectCacheAPI = (*dynamodb.Client)(nil)

// ProjectCache keeps looked-up project ids in the state table (pk GHPROJECT#<owner>#<number>,
// sk <field>#<status>), so a board costs one GraphQL query per project and status, ever.
type ProjectCache struct {
	API   ProjectCacheAPI
	Table string
}

// IDs returns p's ids from the cache, or looks them up (LookupProject) and caches them.
func (c ProjectCache) IDs(ctx context.Context, g GraphQLer, p Project) (ProjectIDs, error) {
	k := store.Key("GHPROJECT#"+strings.ToLower(p.Owner)+"#"+strconv.Itoa(p.Number), strings.ToLower(p.StatusField)+"#"+strings.ToLower(p.Status))
	out, err := c.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(c.Table), Key: k})
	if err != nil {
		return ProjectIDs{}, fmt.Errorf("read project cache: %w", err)
	}
	if out.Item != nil {
		return ProjectIDs{Project: store.Str(out.Item, "project"), Field: store.Str(out.Item, "field"), Option: store.Str(out.Item, "option")}, nil
	}
	ids, err := LookupProject(ctx, g, p)
	if err != nil {
		return ProjectIDs{}, err
	}
	item := k
	item["project"], item["field"], item["option"] = store.S(ids.Project), store.S(ids.Field), store.S(ids.Option)
	if _, err := c.API.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(c.Table), Item: item}); err != nil {
		return ProjectIDs{}, fmt.Errorf("cache project ids: %w", err)
	}
	return ids, nil
}
