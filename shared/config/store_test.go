package config

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func exampleBytes(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// variant returns the example with the first team renamed, so versions are told apart.
func variant(t *testing.T, name string) []byte {
	t.Helper()
	return []byte(strings.Replace(string(exampleBytes(t)), "name: Repo Management", "name: "+name, 1))
}

func getItem(t *testing.T, api Reader, table, sk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := api.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(table), Key: configKey(sk), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestPushAndLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, tables := dynamotest.New(t)
	table := tables.State

	_, _, err := Load(ctx, client, table)
	if !errors.Is(err, ErrNoConfig) || !strings.Contains(err.Error(), "run `rituals config push FILE`") {
		t.Fatalf("Load before any push = %v, want ErrNoConfig telling to push", err)
	}
	if v, err := StoredVersion(ctx, client, table); err != nil || v != 0 {
		t.Fatalf("StoredVersion before any push = %d, %v", v, err)
	}

	first := exampleBytes(t)
	if v, err := Push(ctx, client, table, first, "alice", t0); err != nil || v != 1 {
		t.Fatalf("first Push = %d, %v; want 1", v, err)
	}
	cfg, v, err := Load(ctx, client, table)
	if err != nil || v != 1 || cfg.Team("repo-management").Name != "Repo Management" {
		t.Fatalf("Load = %v, %d, %v", cfg, v, err)
	}
	cur := getItem(t, client, table, "current")
	for attr, want := range map[string]string{"yaml": string(first), "pushed_by": "alice", "pushed_at": "2026-03-02T09:00:00Z", "sha256": sha(first)} {
		if got := stringAttr(cur, attr); got != want {
			t.Errorf("current.%s = %.60q, want %.60q", attr, got, want)
		}
	}
	if got := getItem(t, client, table, "v#000001"); stringAttr(got, "yaml") != string(first) || stringAttr(got, "pushed_by") != "alice" {
		t.Errorf("history item v#000001 = %v", got)
	}
	if got := getItem(t, client, table, "version"); stringAttr(got, "sha256") != sha(first) || got["yaml"] != nil {
		t.Errorf("version item must be small: %v", got)
	}

	if v, err := Push(ctx, client, table, first, "bob", t0.Add(time.Hour)); err != nil || v != 1 {
		t.Fatalf("identical re-push = %d, %v; want 1", v, err)
	}
	if got := getItem(t, client, table, "v#000002"); got != nil {
		t.Error("identical re-push wrote a history item")
	}
	if got := stringAttr(getItem(t, client, table, "current"), "pushed_by"); got != "alice" {
		t.Errorf("identical re-push changed pushed_by to %q", got)
	}

	second := variant(t, "Repo Mgmt")
	if v, err := Push(ctx, client, table, second, "bob", t0.Add(2*time.Hour)); err != nil || v != 2 {
		t.Fatalf("changed Push = %d, %v; want 2", v, err)
	}
	cfg, v, err = Load(ctx, client, table)
	if err != nil || v != 2 || cfg.Team("repo-management").Name != "Repo Mgmt" {
		t.Fatalf("Load after second push = %d, %v", v, err)
	}
	if got := stringAttr(getItem(t, client, table, "v#000001"), "yaml"); got != string(first) {
		t.Error("history of version 1 was overwritten")
	}
	if got := stringAttr(getItem(t, client, table, "v#000002"), "pushed_at"); got != "2026-03-02T11:00:00Z" {
		t.Errorf("v#000002 pushed_at = %q", got)
	}
	if v, err := StoredVersion(ctx, client, table); err != nil || v != 2 {
		t.Errorf("StoredVersion = %d, %v; want 2", v, err)
	}
}

func TestPushRefusesAndStoresNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, tables := dynamotest.New(t)
	table := tables.State
	invalid := []byte(strings.Replace(string(exampleBytes(t)), "members: [priya, sam]", "members: [priya, samm]", 1))

	_, err := Push(ctx, client, table, invalid, "alice", t0)
	var verr *ValidationError
	if !errors.As(err, &verr) || !strings.Contains(err.Error(), `unknown person "samm"`) {
		t.Fatalf("Push(invalid) = %v, want a *ValidationError", err)
	}
	if _, _, err := Load(ctx, client, table); !errors.Is(err, ErrNoConfig) {
		t.Fatalf("an invalid first push stored something: Load = %v", err)
	}

	if _, err := Push(ctx, client, table, exampleBytes(t), "alice", t0); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		data    []byte
		by      string
		wantErr string
	}{
		{name: "invalid", data: invalid, by: "bob", wantErr: "config not pushed: "},
		{name: "no pusher", data: variant(t, "X"), by: "", wantErr: "by is empty"},
		{name: "too large", data: append(variant(t, "Y"), strings.Repeat("# padding\n", MaxSize/10+1)...), by: "bob", wantErr: "more than the"},
	}
	for _, tt := range tests {
		if _, err := Push(ctx, client, table, tt.data, tt.by, t0.Add(time.Hour)); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: Push = %v, want error containing %q", tt.name, err, tt.wantErr)
		}
	}
	if _, v, err := Load(ctx, client, table); err != nil || v != 1 {
		t.Fatalf("after refused pushes Load = %d, %v; want version 1 untouched", v, err)
	}
	if got := getItem(t, client, table, "v#000002"); got != nil {
		t.Error("a refused push wrote history")
	}
}

func TestConcurrentPushesGetDistinctVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, tables := dynamotest.New(t)
	const n = 8
	docs := make([][]byte, n)
	versions := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		docs[i] = variant(t, fmt.Sprintf("Team %d", i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			versions[i], errs[i] = Push(ctx, client, tables.State, docs[i], fmt.Sprintf("pusher-%d", i), t0)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
	}
	sorted := slices.Sorted(slices.Values(versions))
	for i, v := range sorted {
		if v != i+1 {
			t.Fatalf("versions = %v, want each of 1..%d exactly once", versions, n)
		}
	}
	for i, v := range versions {
		h := getItem(t, client, tables.State, historySK(v))
		if stringAttr(h, "sha256") != sha(docs[i]) || stringAttr(h, "pushed_by") != fmt.Sprintf("pusher-%d", i) {
			t.Errorf("history v%d does not hold push %d", v, i)
		}
	}
	last := slices.Index(versions, n)
	cfg, v, err := Load(ctx, client, tables.State)
	if err != nil || v != n || cfg.Team("repo-management").Name != fmt.Sprintf("Team %d", last) {
		t.Fatalf("current = version %d (%v), want version %d from push %d", v, err, n, last)
	}
}

func TestConcurrentIdenticalPushesAreOneVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, tables := dynamotest.New(t)
	data := exampleBytes(t)
	versions := make([]int, 6)
	var wg sync.WaitGroup
	for i := range versions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := Push(ctx, client, tables.State, data, "alice", t0)
			if err != nil {
				t.Error(err)
			}
			versions[i] = v
		}()
	}
	wg.Wait()
	for _, v := range versions {
		if v != 1 {
			t.Fatalf("versions = %v, want all 1", versions)
		}
	}
}

func TestLoadReportsAStoredConfigThatNoLongerValidates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, tables := dynamotest.New(t)
	item := configKey("current")
	item["yaml"] = &types.AttributeValueMemberS{Value: "version: 1\npeople: []\nbogus: true\n"}
	item["version"] = &types.AttributeValueMemberN{Value: "3"}
	item["pushed_by"] = &types.AttributeValueMemberS{Value: "carol"}
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(tables.State), Item: item}); err != nil {
		t.Fatal(err)
	}
	_, _, err := Load(ctx, client, tables.State)
	var verr *ValidationError
	if !errors.As(err, &verr) || !strings.Contains(err.Error(), "config version 3") || !strings.Contains(err.Error(), "pushed by carol") ||
		!strings.Contains(err.Error(), "config v3:3:1: bogus: unknown key") {
		t.Fatalf("Load = %v", err)
	}
}

// countingReader records which config items are read.
type countingReader struct {
	Reader
	mu    sync.Mutex
	reads []string
}

func (c *countingReader) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.mu.Lock()
	c.reads = append(c.reads, stringAttr(in.Key, "sk"))
	c.mu.Unlock()
	return c.Reader.GetItem(ctx, in, opts...)
}

func (c *countingReader) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.reads
	c.reads = nil
	return r
}

func TestSourceCachesAndPollsTheVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, tables := dynamotest.New(t)
	reader := &countingReader{Reader: client}
	src := NewSource(reader, tables.State, time.Minute)

	if _, err := src.Current(ctx, t0); !errors.Is(err, ErrNoConfig) {
		t.Fatalf("Current before any push = %v, want ErrNoConfig", err)
	}
	reader.take()
	if _, err := Push(ctx, client, tables.State, exampleBytes(t), "alice", t0); err != nil {
		t.Fatal(err)
	}
	first, err := src.Current(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}

	type step struct {
		name      string
		at        time.Duration // after t0
		push      string        // push a variant with this team name before the call
		wantReads []string
		wantName  string
	}
	steps := []step{
		{name: "within the TTL: no I/O", at: 30 * time.Second, wantName: "Repo Management"},
		{name: "clock earlier than the last check: no I/O", at: -5 * time.Second, wantName: "Repo Management"},
		{name: "TTL passed, version unchanged: only the small item", at: 61 * time.Second, wantReads: []string{"version"}, wantName: "Repo Management"},
		{name: "pushed, but within the TTL of the last check", at: 90 * time.Second, push: "Repo Mgmt", wantName: "Repo Management"},
		{name: "TTL passed, version changed: reload", at: 122 * time.Second, wantReads: []string{"version", "current"}, wantName: "Repo Mgmt"},
		{name: "cached again", at: 150 * time.Second, wantName: "Repo Mgmt"},
	}
	if got := reader.take(); !slices.Equal(got, []string{"current"}) {
		t.Fatalf("first Current read %v, want only the current item", got)
	}
	for _, s := range steps {
		if s.push != "" {
			if _, err := Push(ctx, client, tables.State, variant(t, s.push), "bob", t0.Add(s.at)); err != nil {
				t.Fatal(err)
			}
		}
		cfg, err := src.Current(ctx, t0.Add(s.at))
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := reader.take(); !slices.Equal(got, s.wantReads) {
			t.Errorf("%s: reads %v, want %v", s.name, got, s.wantReads)
		}
		if got := cfg.Team("repo-management").Name; got != s.wantName {
			t.Errorf("%s: team name %q, want %q", s.name, got, s.wantName)
		}
		if s.wantName == "Repo Management" && cfg != first {
			t.Errorf("%s: the cached *Config should be reused", s.name)
		}
	}
	if NewSource(client, tables.State, 0).ttl != DefaultTTL {
		t.Error("ttl 0 should mean DefaultTTL")
	}
}

func TestSourceConcurrentUse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, tables := dynamotest.New(t)
	if _, err := Push(ctx, client, tables.State, exampleBytes(t), "alice", t0); err != nil {
		t.Fatal(err)
	}
	reader := &countingReader{Reader: client}
	src := NewSource(reader, tables.State, time.Minute)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg, err := src.Current(ctx, t0.Add(time.Duration(i)*time.Second))
			if err != nil || cfg.Team("billing") == nil {
				t.Errorf("Current: %v", err)
			}
		}()
	}
	wg.Wait()
	if got := reader.take(); !slices.Equal(got, []string{"current"}) {
		t.Errorf("16 concurrent first calls read %v, want one load", got)
	}
}

// A push that read a version another push has since replaced must fail as a lost race (so
// Push retries) and write nothing.
func TestStaleWriteLosesTheRace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, tables := dynamotest.New(t)
	if _, err := Push(ctx, client, tables.State, exampleBytes(t), "alice", t0); err != nil {
		t.Fatal(err)
	}
	stale := variant(t, "Stale")
	tests := []struct {
		name      string
		version   int
		replacing bool
	}{
		{name: "thinks it is the first push", version: 1, replacing: false},
		{name: "thinks version 0 is current", version: 1, replacing: true},
	}
	for _, tt := range tests {
		err := writeVersion(ctx, client, tables.State, tt.version, tt.replacing, stale, sha(stale), "mallory", t0)
		if err == nil || !lostRace(err) {
			t.Errorf("%s: err = %v, want a lost race", tt.name, err)
		}
	}
	if cfg, v, err := Load(ctx, client, tables.State); err != nil || v != 1 || cfg.Team("repo-management").Name != "Repo Management" {
		t.Fatalf("a stale write changed the config: version %d, %v", v, err)
	}
	if lostRace(errors.New("throttled")) {
		t.Error("an unrelated error is not a lost race")
	}
}
