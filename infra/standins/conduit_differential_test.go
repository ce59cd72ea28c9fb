package standins

import (
	"context"
	"testing"

	"github.com/rituals-dev/rituals/shared/conduit"
)

// TestConduitRevisions: differential.revision.search answers what conduit.DecodeRevision
// reads (reviewers and projects attachments), differential.revision.edit records a comment and
// a review by the calling user, and transaction.search shows them on the revision, on both
// flavors; a revision's author cannot accept it.
func TestConduitRevisions(t *testing.T) {
	t.Parallel()
	for _, flavor := range []string{FlavorPhabricator, FlavorPhorge} {
		t.Run(flavor, func(t *testing.T) {
			t.Parallel()
			s, srv := newServer(t)
			_, err := s.SeedConduit(ConduitSeed{
				Flavor:   flavor,
				Users:    []ConduitUser{{PHID: "PHID-USER-vera", Username: "vera", Token: "api-vera"}, {PHID: "PHID-USER-alice", Username: "alice", Token: "api-alice"}},
				Projects: []ConduitProject{{PHID: "PHID-PROJ-team", Name: "Team", Slug: "team"}},
				Revisions: []ConduitRevision{{ID: 40, Title: "Fix the <b>parser</b>", AuthorPHID: "PHID-USER-vera", Projects: []string{"PHID-PROJ-team"},
					Reviewers: []ConduitReviewer{{PHID: "PHID-PROJ-team"}}, Created: 1780000000}},
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			client := func(token string) *conduit.Client {
				c, err := conduit.New(conduit.Options{BaseURL: ConduitAPIURL(srv.URL), Token: token})
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			bot := client(conduitToken)
			rev, found, err := bot.Revision(ctx, "PHID-DREV-local000000000000040")
			if err != nil || !found {
				t.Fatalf("revision: %v %v", found, err)
			}
			if rev.ID != 40 || rev.Title != "Fix the <b>parser</b>" || rev.AuthorPHID != "PHID-USER-vera" || rev.Status != "needs-review" || rev.Closed ||
				len(rev.Projects) != 1 || len(rev.Reviewers) != 1 || rev.Reviewers[0].PHID != "PHID-PROJ-team" || rev.Reviewers[0].Status != "added" || rev.URI != "http://phabricator.local/D40" {
				t.Fatalf("decoded %+v", rev)
			}
			if _, err := client("api-vera").EditRevision(ctx, "D40", conduit.Edit{Type: "accept", Value: true}); conduit.CodeOf(err) != "ERR-CONDUIT-CORE" {
				t.Fatalf("the author accepting: %v", err)
			}
			phids, err := client("api-alice").EditRevision(ctx, "D40", conduit.Edit{Type: "comment", Value: "Looks good"}, conduit.Edit{Type: "accept", Value: true})
			if err != nil || len(phids) != 2 {
				t.Fatalf("edit: %v %v", phids, err)
			}
			xs, err := bot.Transactions(ctx, rev.PHID, phids)
			if err != nil || len(xs) != 2 {
				t.Fatalf("transactions: %+v %v", xs, err)
			}
			types := map[string]bool{}
			for _, x := range xs {
				types[x.Type] = true
				if x.AuthorPHID != "PHID-USER-alice" || x.TaskPHID != rev.PHID {
					t.Errorf("transaction %+v", x)
				}
				if x.Type == "comment" && (!x.HasComment || x.Comment != "Looks good") {
					t.Errorf("comment %+v", x)
				}
			}
			if !types["comment"] || !types["accept"] {
				t.Fatalf("types %v", types)
			}
			after, _ := s.ConduitRevision(40)
			if after.Status != "accepted" {
				t.Fatalf("status after accept: %s", after.Status)
			}
		})
	}
}
