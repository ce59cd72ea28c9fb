package samtemplate

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TableAPI is the part of the DynamoDB client that creating tables needs.
type TableAPI interface {
	CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	UpdateTimeToLive(context.Context, *dynamodb.UpdateTimeToLiveInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
}

var _ TableAPI = (*dynamodb.Client)(nil)

// CreateTables creates every table of the template, named by name(logicalID), with its TTL
// attribute enabled. A table that already exists is left as it is, so a restart is harmless.
// It returns logical id → table name.
func (t *Template) CreateTables(ctx context.Context, api TableAPI, name func(logicalID string) string) (map[string]string, error) {
	tables, err := t.Tables()
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(tables))
	for _, tab := range tables {
		in := tab.Create
		in.TableName = aws.String(name(tab.LogicalID))
		names[tab.LogicalID] = *in.TableName
		_, err := api.CreateTable(ctx, &in)
		var exists *types.ResourceInUseException
		if errors.As(err, &exists) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("create table %s: %w", *in.TableName, err)
		}
		if tab.TTLAttribute != "" {
			_, err := api.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
				TableName:               in.TableName,
				TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(tab.TTLAttribute), Enabled: aws.Bool(true)},
			})
			if err != nil {
				return nil, fmt.Errorf("enable TTL on %s: %w", *in.TableName, err)
			}
		}
	}
	return names, nil
}
