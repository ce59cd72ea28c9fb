// Package dynamotest gives each test its own freshly created tables (template.yaml's, see Tables)
// in one DynamoDB Local per test process, or in the one named by DYNAMODB_ENDPOINT (as `make test`
// does, so that every package shares a single DynamoDB Local). It imports nothing from infra/.
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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamolocal"
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

// New creates every table of template.yaml (Tables) under a prefix unique to this test and
// returns a client and their names. The tables are deleted when the test ends.
func New(t testing.TB) (*dynamodb.Client, store.Tables) {
	t.Helper()
	ctx := context.Background()
	client, err := store.NewClient(ctx, Endpoint(t))
	if err != nil {
		t.Fatal(err)
	}
	prefix := "t" + randomHex(6)
	names := map[string]string{}
	for _, tab := range Tables {
		in := tab.Create
		name := prefix + "-" + tab.LogicalID
		in.TableName = aws.String(name)
		if _, err := client.CreateTable(ctx, &in); err != nil {
			t.Fatalf("create table %s: %v", name, err)
		}
		names[tab.LogicalID] = name
		t.Cleanup(func() {
			_, _ = client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
		})
		if tab.TTLAttribute != "" {
			_, err := client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
				TableName:               aws.String(name),
				TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(tab.TTLAttribute), Enabled: aws.Bool(true)},
			})
			if err != nil {
				t.Fatalf("enable TTL on %s: %v", name, err)
			}
		}
	}
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
