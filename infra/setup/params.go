package setup

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Params is the part of SSM Parameter Store setup uses.
type Params interface {
	GetParameter(context.Context, *ssm.GetParameterInput, ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
	PutParameter(context.Context, *ssm.PutParameterInput, ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
	DeleteParameter(context.Context, *ssm.DeleteParameterInput, ...func(*ssm.Options)) (*ssm.DeleteParameterOutput, error)
}

var _ Params = (*ssm.Client)(nil)

// getParam returns a parameter's decrypted value; ok is false when it does not exist.
func getParam(ctx context.Context, p Params, name string) (value string, version int64, ok bool, err error) {
	out, err := p.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	var nf *types.ParameterNotFound
	if errors.As(err, &nf) {
		return "", 0, false, nil
	}
	if err != nil {
		return "", 0, false, fmt.Errorf("read SSM parameter %s: %w", name, err)
	}
	return aws.ToString(out.Parameter.Value), out.Parameter.Version, true, nil
}

// paramTx stores SecureString parameters so that they can be taken back: Rollback restores
// each one it overwrote and deletes each one it created, so a failed setup leaves SSM as it
// found it.
type paramTx struct {
	p    Params
	undo []func(context.Context) error
	put  []string
}

// Put stores value under name (a SecureString, overwriting), remembering what was there.
func (tx *paramTx) Put(ctx context.Context, name, value string) error {
	old, _, existed, err := getParam(ctx, tx.p, name)
	if err != nil {
		return err
	}
	if _, err := tx.p.PutParameter(ctx, &ssm.PutParameterInput{
		Name: aws.String(name), Value: aws.String(value), Type: types.ParameterTypeSecureString, Overwrite: aws.Bool(true),
		Description: aws.String("Rituals: written by rituals setup"),
	}); err != nil {
		return fmt.Errorf("store SSM parameter %s: %w", name, err)
	}
	tx.put = append(tx.put, name)
	if existed {
		tx.undo = append(tx.undo, func(ctx context.Context) error {
			_, err := tx.p.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(old), Type: types.ParameterTypeSecureString, Overwrite: aws.Bool(true)})
			return err
		})
	} else {
		tx.undo = append(tx.undo, func(ctx context.Context) error {
			_, err := tx.p.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String(name)})
			var nf *types.ParameterNotFound
			if errors.As(err, &nf) {
				return nil
			}
			return err
		})
	}
	return nil
}

// Rollback undoes every Put, newest first. It runs on a context of its own, so that an
// interrupted setup still cleans up.
func (tx *paramTx) Rollback() error {
	ctx := context.Background()
	var errs []error
	for i := len(tx.undo) - 1; i >= 0; i-- {
		if err := tx.undo[i](ctx); err != nil {
			errs = append(errs, fmt.Errorf("undo %s: %w", tx.put[i], err))
		}
	}
	tx.undo, tx.put = nil, nil
	if len(errs) > 0 {
		return fmt.Errorf("could not take back every SSM parameter (fix by hand with `aws ssm delete-parameter --name NAME`): %w", errors.Join(errs...))
	}
	return nil
}

// Names lists the parameters stored so far.
func (tx *paramTx) Names() string { return strings.Join(tx.put, ", ") }

// checkWritable stores and deletes a probe parameter next to dir's parameters, so that missing
// permissions are found before anything is created that would then be left behind.
func checkWritable(ctx context.Context, p Params, dir string) error {
	name := strings.TrimSuffix(dir, "/") + "/rituals-setup-probe"
	if _, err := p.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String("probe"), Type: types.ParameterTypeString, Overwrite: aws.Bool(true)}); err != nil {
		return fmt.Errorf("cannot write SSM parameters under %s (%w): use AWS credentials allowed ssm:PutParameter, ssm:GetParameter and ssm:DeleteParameter there", dir, err)
	}
	if _, err := p.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String(name)}); err != nil {
		return fmt.Errorf("cannot delete SSM parameters under %s (%w): allow ssm:DeleteParameter there, and delete %s", dir, err, name)
	}
	return nil
}
