package samtemplate

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"gopkg.in/yaml.v3"
)

// Table is an AWS::DynamoDB::Table resource turned into the calls that create it.
type Table struct {
	LogicalID string
	// Create has every field but TableName filled in.
	Create dynamodb.CreateTableInput
	// TTLAttribute is the attribute DynamoDB expires items by, or "".
	TTLAttribute string
	// Stream reports whether the table has a stream (and so stream mappings may read it).
	Stream bool
}

// Tables lists the template's DynamoDB tables, sorted by logical id.
func (t *Template) Tables() ([]Table, error) {
	var out []Table
	for _, r := range t.OfType("AWS::DynamoDB::Table") {
		tab, err := tableFrom(r)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", r.LogicalID, err)
		}
		out = append(out, tab)
	}
	return out, nil
}

func tableFrom(r Resource) (Table, error) {
	p := r.Properties
	tab := Table{LogicalID: r.LogicalID}
	in := &tab.Create
	in.BillingMode = types.BillingModePayPerRequest
	for _, a := range seq(Get(p, "AttributeDefinitions")) {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(scalar(Get(a, "AttributeName"))),
			AttributeType: types.ScalarAttributeType(scalar(Get(a, "AttributeType"))),
		})
	}
	in.KeySchema = keySchema(Get(p, "KeySchema"))
	if len(in.KeySchema) == 0 {
		return tab, fmt.Errorf("no KeySchema")
	}
	for _, g := range seq(Get(p, "GlobalSecondaryIndexes")) {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName:  aws.String(scalar(Get(g, "IndexName"))),
			KeySchema:  keySchema(Get(g, "KeySchema")),
			Projection: &types.Projection{ProjectionType: types.ProjectionType(scalar(Get(g, "Projection", "ProjectionType")))},
		})
	}
	if v := scalar(Get(p, "StreamSpecification", "StreamViewType")); v != "" {
		tab.Stream = true
		in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewType(v)}
	}
	if on, _ := strconv.ParseBool(scalar(Get(p, "TimeToLiveSpecification", "Enabled"))); on {
		tab.TTLAttribute = scalar(Get(p, "TimeToLiveSpecification", "AttributeName"))
	}
	return tab, nil
}

func keySchema(n *yaml.Node) []types.KeySchemaElement {
	var out []types.KeySchemaElement
	for _, k := range seq(n) {
		out = append(out, types.KeySchemaElement{
			AttributeName: aws.String(scalar(Get(k, "AttributeName"))),
			KeyType:       types.KeyType(scalar(Get(k, "KeyType"))),
		})
	}
	return out
}

func seq(n *yaml.Node) []*yaml.Node { return Seq(n) }

// Seq returns a sequence's items; a scalar is a sequence of one (IAM's Action and Resource may
// be either); anything else is empty.
func Seq(n *yaml.Node) []*yaml.Node {
	switch {
	case n == nil:
		return nil
	case n.Kind == yaml.SequenceNode:
		return n.Content
	case n.Kind == yaml.ScalarNode:
		return []*yaml.Node{n}
	}
	return nil
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}
