// Command hello is the smallest aws-lambda-go function: the yardstick `make bench` measures the
// functions' cold starts against (started, and timed to its first request for work, exactly as
// they are), so that the budget is a ratio that holds on any machine.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, struct{}) (string, error) { return "hello", nil })
}
