package dynamotest

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Table is one of the stack's DynamoDB tables as the tests create it.
type Table struct {
	// LogicalID is the table's logical id in template.yaml.
	LogicalID string
	// Create has every field but TableName filled in.
	Create dynamodb.CreateTableInput
	// TTLAttribute is the attribute DynamoDB expires items by.
	TTLAttribute string
}

// Tables are template.yaml's tables, written out here so that test support in shared/ does not
// read the template through infra/. template.yaml stays the source of truth:
// infra/stackcheck's TestTestTablesMatchTemplate fails when the two differ.
var Tables = []Table{
	{
		LogicalID: "EventsTable",
		Create: dynamodb.CreateTableInput{
			BillingMode:          types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{attr("pk")},
			KeySchema:            []types.KeySchemaElement{key("pk", types.KeyTypeHash)},
			StreamSpecification:  &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewImage},
		},
		TTLAttribute: "expires",
	},
	{
		LogicalID: "StateTable",
		Create: dynamodb.CreateTableInput{
			BillingMode:          types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{attr("pk"), attr("sk"), attr("gsi1pk"), attr("gsi1sk")},
			KeySchema:            []types.KeySchemaElement{key("pk", types.KeyTypeHash), key("sk", types.KeyTypeRange)},
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
				IndexName:  aws.String("gsi1"),
				KeySchema:  []types.KeySchemaElement{key("gsi1pk", types.KeyTypeHash), key("gsi1sk", types.KeyTypeRange)},
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
			}},
		},
		TTLAttribute: "expires",
	},
}

func attr(name string) types.AttributeDefinition {
	return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: types.ScalarAttributeTypeS}
}

func key(name string, kt types.KeyType) types.KeySchemaElement {
	return types.KeySchemaElement{AttributeName: aws.String(name), KeyType: kt}
}
