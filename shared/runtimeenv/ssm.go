package runtimeenv

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// SSM reads SecureString parameters with decryption.
type SSM struct{ Client *ssm.Client }

var _ ParamReader = SSM{}

// NewSSM returns an SSM reader for the Lambda's region and role.
func NewSSM(ctx context.Context) (SSM, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return SSM{}, err
	}
	return SSM{Client: ssm.NewFromConfig(cfg)}, nil
}

// Parameter returns the decrypted value of the named parameter.
func (s SSM) Parameter(ctx context.Context, name string) (string, error) {
	out, err := s.Client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	var nf *types.ParameterNotFound
	if errors.As(err, &nf) {
		return "", fmt.Errorf("%w: %w", ErrParamNotFound, err)
	}
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Parameter.Value), nil
}
