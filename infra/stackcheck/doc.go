// Package stackcheck holds the tests that keep template.yaml, the Makefile and the functions'
// environment specs in agreement, so that `sam build && sam deploy` works for what exists.
package stackcheck
