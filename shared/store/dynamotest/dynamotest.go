// Package dynamotest gives each test its own freshly created tables (from template.yaml) in one
// DynamoDB Local per test process, or in the one named by DYNAMODB_ENDPOINT (as `make test`
// does, so that every package shares a single DynamoDB Local).
package dynamotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rituals-dev/rituals/infra/dynamolocal"
	"github.com/rituals-dev/rituals/infra/samtemplate"
	"github.com/rituals-dev/rituals/shared/store"
)

var (
	once     sync.Once
	endpoint string
	startErr error
)

// Endpoint returns the DynamoDB Local endpoint for this test process, starting one if
// DYNAMODB_ENDPOINT is not set. The started server lives until the process exits.
func Endpoint(t testing.TB) string {
	t.Helper()
	once.Do(func() {
		if e := os.Getenv("DYNAMODB_ENDPOINT"); e != "" {
			endpoint = e
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		srv, err := dynamolocal.Start(ctx)
		if err != nil {
			startErr = err
			return
		}
		endpoint = srv.Endpoint
	})
	if startErr != nil {
		t.Fatalf("DynamoDB Local: %v", startErr)
	}
	return endpoint
}

// New creates every table of template.yaml under a prefix unique to this test and returns a
// client and their names. The tables are deleted when the test ends.
func New(t testing.TB) (*dynamodb.Client, store.Tables) {
	t.Helper()
	ctx := context.Background()
	client, err := store.NewClient(ctx, Endpoint(t))
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := samtemplate.Load(TemplatePath(t))
	if err != nil {
		t.Fatal(err)
	}
	prefix := "t" + randomHex(6)
	names, err := tmpl.CreateTables(ctx, client, func(id string) string { return prefix + "-" + id })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, n := range names {
			n := n
			_, _ = client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &n})
		}
	})
	return client, store.Tables{Events: names["EventsTable"], State: names["StateTable"]}
}

// TemplatePath finds template.yaml by walking up from the test's working directory.
func TemplatePath(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "template.yaml")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("template.yaml not found above the test directory")
		}
		dir = parent
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
