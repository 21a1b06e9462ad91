package demo_test

import (
	"context"
	"testing"

	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// Every commitment of the five seed promises has at least one linked piece of work
// (an activity, walk, dialogue, camera or action) that its follow-up counts.
func TestSeedCommitmentsHaveWork(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.Open(t)
	load(t, db)
	ctx := context.Background()
	ps, err := db.PublicPromises(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 5 {
		t.Fatalf("%d seed promises, want 5", len(ps))
	}
	for _, p := range ps {
		f, err := db.Followup(ctx, p.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Commitments) == 0 {
			t.Errorf("%s has no commitments", p.Title)
		}
		for _, c := range f.Commitments {
			if len(c.Work) == 0 || c.Progress.Achieved == 0 {
				t.Errorf("%s: commitment %d %q has no linked work (%d pieces, achieved %d)",
					p.Title, c.Position, c.Text, len(c.Work), c.Progress.Achieved)
			}
		}
	}
}
