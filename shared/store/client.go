// Package store holds Rituals' DynamoDB access: the events table that every inbound delivery is
// written to before it is acknowledged, and the state table that mirrors and domain records live in.
package store

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Tables names the stack's DynamoDB tables.
type Tables struct {
	// Events holds every verified inbound delivery, keyed by its idempotency key; its stream
	// feeds the processors.
	Events string
	// State holds everything derived: activity mirror, assignments, config, domain records.
	State string
}

// NewClient returns a DynamoDB client for the Lambda's region and role. When endpoint is not
// empty (DynamoDB Local), it is used instead of AWS and static dummy credentials are supplied,
// so nothing on a developer machine needs an AWS profile.
func NewClient(ctx context.Context, endpoint string) (*dynamodb.Client, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if endpoint != "" {
		opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
		if os.Getenv("AWS_REGION") == "" && os.Getenv("AWS_DEFAULT_REGION") == "" {
			opts = append(opts, awsconfig.WithRegion("us-east-1"))
		}
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
			// DynamoDB Local's x-amz-crc32 does not match the body the SDK checks it against,
			// which only produces a warning per response; AWS's own endpoint keeps the check.
			o.DisableValidateResponseChecksum = true
		}
	}), nil
}
