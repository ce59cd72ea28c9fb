package activity

// The DynamoDB contract suite pins the DynamoDB behaviours the mirror's store code relies on:
// conditional version checks, key ordering and BETWEEN windows, filters across pages, Limit
// with a descending Query, item sizes, and batch writes. It runs against DynamoDB Local on
// every `go test`, and against real AWS only when asked:
//
//	RITUALS_CONTRACT_AWS=1 RITUALS_CONTRACT_STATE_TABLE=<state table of a dev stack> \
//	    go test ./shared/activity -run TestContract
//
// or `go test ./shared/activity -run TestContract -args -aws` with the same table variable.
// It uses the default AWS credential chain and region, writes only under partitions named
// with a random rituals-contract-<hex> login and repo, and deletes them when it ends.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/store"
	"github.com/rituals-dev/rituals/shared/store/dynamotest"
)

var contractAWS = flag.Bool("aws", false, "also run the DynamoDB contract suite against real AWS (needs RITUALS_CONTRACT_STATE_TABLE)")

// contractAPI is what the suite needs: the Recorder's and Reader's calls plus DeleteItem for
// cleaning up in AWS.
type contractAPI interface {
	RecorderAPI
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

var _ contractAPI = (*dynamodb.Client)(nil)

// contractEnv is one case's view of a backend: a login and repo of its own.
type contractEnv struct {
	api   contractAPI
	rec   Recorder
	read  Reader
	login string
	repo  string
}

type backend struct {
	name    string
	enabled func(t *testing.T) // skips t when the backend was not asked for
	open    func(t *testing.T) (contractAPI, string)
}

func localBackend(t *testing.T) (contractAPI, string) {
	client, tables := dynamotest.New(t)
	return client, tables.State
}

func always(*testing.T) {}

func awsRequested(t *testing.T) {
	if !*contractAWS && os.Getenv("RITUALS_CONTRACT_AWS") != "1" {
		t.Skip("real AWS not requested: set RITUALS_CONTRACT_AWS=1 or pass -args -aws")
	}
}

func awsBackend(t *testing.T) (contractAPI, string) {
	table := os.Getenv("RITUALS_CONTRACT_STATE_TABLE")
	if table == "" {
		t.Fatal("RITUALS_CONTRACT_STATE_TABLE must name a state table (e.g. a dev stack's StateTableName output)")
	}
	client, err := store.NewClient(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return client, table
}

func newContractEnv(t *testing.T, b backend) contractEnv {
	t.Helper()
	api, table := b.open(t)
	id := make([]byte, 6)
	_, _ = rand.Read(id)
	ns := "rituals-contract-" + hex.EncodeToString(id)
	env := contractEnv{api: api, rec: Recorder{API: api, Table: table}, read: Reader{API: api, Table: table},
		login: ns, repo: ns + "/repo"}
	t.Cleanup(func() { env.cleanup(t) })
	return env
}

// cleanup deletes every item the case could have written: its login's partitions and its
// repo's branch partitions.
func (e contractEnv) cleanup(t *testing.T) {
	ctx := context.Background()
	pks := []string{activityPK(e.login), assignmentPK(e.login)}
	for _, b := range []string{"main", "feature"} {
		pks = append(pks, branchPK(e.repo, b))
	}
	for _, pk := range pks {
		out, err := e.api.Query(ctx, &dynamodb.QueryInput{
			TableName: aws.String(e.rec.Table), KeyConditionExpression: aws.String("pk = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": store.S(pk)},
		})
		if err != nil {
			t.Logf("cleanup %s: %v", pk, err)
			continue
		}
		for _, it := range out.Items {
			_, _ = e.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(e.rec.Table),
				Key: map[string]types.AttributeValue{attrPK: it[attrPK], attrSK: it[attrSK]}})
		}
	}
}

var contractCases = []struct {
	name string
	run  func(t *testing.T, e contractEnv)
}{
	{"versioned put applies only newer versions", contractVersions},
	{"footprint window, order, filter and paging", contractFootprint},
	{"largest items fit and round-trip", contractItemSize},
	{"latest branch commits with Limit on a descending query", contractBranchCommits},
	{"batch write with a repeated key", contractDuplicates},
	{"open assignments hide tombstones", contractAssignments},
}

func TestContract(t *testing.T) {
	t.Parallel()
	for _, b := range []backend{{"dynamodb-local", always, localBackend}, {"aws", awsRequested, awsBackend}} {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			b.enabled(t)
			for _, c := range contractCases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					c.run(t, newContractEnv(t, b))
				})
			}
		})
	}
}

func contractVersions(t *testing.T, e contractEnv) {
	ctx := context.Background()
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	put := func(sec int, live bool) bool {
		t.Helper()
		st := state{what: "contract", pk: assignmentPK(e.login), sk: assignmentSK(e.repo, 1),
			ver: version(base.Add(time.Duration(sec)*time.Second), base), live: live,
			attrs: assignmentAttributes(Assignment{Login: e.login, Repo: e.repo, Number: 1, Title: "v" + itoa(sec), UpdatedAt: base})}
		applied, err := e.rec.putState(ctx, st, received)
		if err != nil {
			t.Fatal(err)
		}
		return applied
	}
	for i, s := range []struct {
		sec     int
		live    bool
		applied bool
	}{
		{2, true, true},   // first write
		{1, false, false}, // older
		{2, false, false}, // same version (a retry)
		{3, false, true},  // newer tombstone
		{4, true, true},   // newer again
	} {
		if got := put(s.sec, s.live); got != s.applied {
			t.Errorf("step %d (version %d): applied = %v, want %v", i, s.sec, got, s.applied)
		}
	}
	as, err := e.read.OpenAssignments(ctx, e.login, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 || as[0].Title != "v4" {
		t.Errorf("assignments = %+v, want the version-4 one", as)
	}
}

func contractFootprint(t *testing.T, e contractEnv) {
	ctx := context.Background()
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	other := strings.Replace(e.repo, "/repo", "/other", 1)
	var c change
	for i := range 30 {
		repo := e.repo
		if i%3 == 0 {
			repo = other
		}
		c.add(Item{Kind: KindIssueComment, Repo: repo, Number: i, At: day.Add(time.Duration(i) * time.Minute), Actor: e.login}, itoa(i))
	}
	if _, err := e.rec.apply(ctx, c, received); err != nil {
		t.Fatal(err)
	}
	r := e.read
	r.PageSize = 4 // many pages, most of them partly filtered out
	items, err := r.Footprint(ctx, strings.ToUpper(e.login), []string{other}, day.Add(3*time.Minute), day.Add(27*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, it := range items {
		got = append(got, it.Number)
	}
	if want := []int{3, 6, 9, 12, 15, 18, 21, 24}; !reflect.DeepEqual(got, want) {
		t.Errorf("numbers %v, want %v", got, want)
	}
}

func contractItemSize(t *testing.T, e contractEnv) {
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	wide := "x" + strings.Repeat("𝄞", MaxMessageBytes) // 4-byte runes cut mid-sequence: the worst case
	pr := Item{Kind: KindPRMerged, Repo: e.repo, Number: 7, Title: clip.Prefix(wide, MaxTitleBytes), URL: "https://github.com/" + e.repo + "/pull/7",
		At: at, Actor: e.login, Branch: strings.Repeat("b", 255)}
	for i := range MaxPRCommits {
		pr.Commits = append(pr.Commits, Commit{SHA: commitID("ffff", i), Message: clip.Prefix(wide, MaxLineBytes)})
	}
	commit := Item{Kind: KindCommit, Repo: e.repo, Title: clip.Prefix(wide, MaxTitleBytes), URL: "https://github.com/x", At: at.Add(time.Second),
		Actor: e.login, Branch: "main", SHA: commitID("eeee", 0), Message: clip.Prefix(wide, MaxMessageBytes), PR: 7}
	var c change
	c.add(pr, "7")
	c.add(commit, commit.SHA)
	if _, err := e.rec.apply(ctx, c, received); err != nil {
		t.Fatal(err)
	}
	items, err := e.read.Footprint(ctx, e.login, nil, at, at.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if want := []Item{pr, commit}; !reflect.DeepEqual(items, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", items, want)
	}
}

func contractBranchCommits(t *testing.T, e contractEnv) {
	ctx := context.Background()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	p := &branchPush{branchRef: branchRef{repo: e.repo, name: "feature"}}
	for i := range 60 {
		p.commits = append(p.commits, branchCommit{sha: commitID("abcd", i), line: "c" + itoa(i), at: start.Add(time.Duration(i) * time.Second)})
	}
	if _, err := e.rec.apply(ctx, change{push: p}, received); err != nil {
		t.Fatal(err)
	}
	got, err := e.rec.branchCommits(ctx, p.branchRef)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != MaxPRCommits || got[0].Message != "c10" || got[MaxPRCommits-1].Message != "c59" {
		t.Errorf("got %d commits %v..., want c10..c59", len(got), got[:min(2, len(got))])
	}
}

func contractDuplicates(t *testing.T, e contractEnv) {
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var c change
	it := Item{Kind: KindIssueOpened, Repo: e.repo, Number: 1, At: at, Actor: e.login}
	c.add(it, "1")
	it.Title = "second write wins"
	c.add(it, "1")
	if _, err := e.rec.apply(ctx, c, received); err != nil {
		var ve interface{ ErrorCode() string }
		if errors.As(err, &ve) {
			t.Fatalf("%s: %v", ve.ErrorCode(), err)
		}
		t.Fatal(err)
	}
	items, err := e.read.Footprint(ctx, e.login, nil, at, at.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Title != "second write wins" {
		t.Errorf("items = %+v, want one with the last title", items)
	}
}

func contractAssignments(t *testing.T, e contractEnv) {
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var c change
	for i := 1; i <= 6; i++ {
		c.states = append(c.states, state{what: "contract", pk: assignmentPK(e.login), sk: assignmentSK(e.repo, i),
			ver: version(at, at), live: i%2 == 0,
			attrs: assignmentAttributes(Assignment{Login: e.login, Repo: e.repo, Number: i, UpdatedAt: at})})
	}
	if _, err := e.rec.apply(ctx, c, received); err != nil {
		t.Fatal(err)
	}
	r := e.read
	r.PageSize = 1
	as, err := r.OpenAssignments(ctx, e.login, []string{owner(e.repo) + "/*"})
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, a := range as {
		got = append(got, a.Number)
	}
	if want := []int{2, 4, 6}; !reflect.DeepEqual(got, want) {
		t.Errorf("open assignments %v, want %v", got, want)
	}
}
