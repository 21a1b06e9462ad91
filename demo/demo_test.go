package demo_test

import (
	"bytes"
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/importer"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// stored returns every municipality as "code name" with its police area ids, every
// police area and every membership, to compare loads.
func stored(t *testing.T, url string) []string {
	t.Helper()
	return pgtest.Strings(t, url, `
		SELECT 'm ' || code || ' ' || name || ' ' || md5(ST_AsEWKB(boundary)) || ' ' || updated_at FROM municipality
		UNION ALL SELECT 'p ' || id || ' ' || name || ' ' || region FROM police_area
		UNION ALL SELECT 'pm ' || police_area_id || ' ' || municipality_code FROM police_area_municipality
		ORDER BY 1`)
}

func load(t *testing.T, db *postgis.DB) string {
	t.Helper()
	var out bytes.Buffer
	if err := demo.Load(context.Background(), db, &out); err != nil {
		t.Fatalf("Load: %v", err)
	}
	return out.String()
}

func TestLoad(t *testing.T) {
	t.Parallel()
	db, url := pgtest.Open(t)
	ctx := context.Background()

	loads := []struct {
		name string
		want string
	}{
		{"first", "demo: 5 municipalities (5 new, 0 updated, 0 unchanged)\ndemo: 4 police areas\n"},
		{"second", "demo: 5 municipalities (0 new, 0 updated, 5 unchanged)\ndemo: 4 police areas\n"},
	}
	var first []string
	for _, l := range loads {
		t.Run(l.name, func(t *testing.T) {
			if got := load(t, db); got != l.want {
				t.Errorf("output = %q, want %q", got, l.want)
			}
			now := stored(t, url)
			if first == nil {
				first = now
			} else if !reflect.DeepEqual(now, first) {
				t.Errorf("the second load changed stored rows:\ngot  %v\nwant %v", now, first)
			}
		})
	}

	t.Run("municipalities", func(t *testing.T) {
		ms, err := db.Municipalities(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, m := range ms {
			got[m.Code] = m.Name
		}
		want := map[string]string{"0685": "Vetlanda", "1383": "Varberg", "1470": "Vara", "1493": "Mariestad", "1494": "Lidköping"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("municipalities = %v, want %v", got, want)
		}
		codes := append([]string(nil), demo.Municipalities...)
		sort.Strings(codes)
		var gotCodes []string
		for _, m := range ms {
			gotCodes = append(gotCodes, m.Code)
		}
		if !reflect.DeepEqual(gotCodes, codes) {
			t.Errorf("codes = %v, want demo.Municipalities %v", gotCodes, codes)
		}
	})

	t.Run("police areas", func(t *testing.T) {
		if len(demo.PoliceAreas) != 4 {
			t.Fatalf("demo.PoliceAreas has %d areas, want 4", len(demo.PoliceAreas))
		}
		// Each demo municipality is served by exactly the police area that lists it.
		want := map[string][]trygg.PoliceAreaRef{}
		for _, p := range demo.PoliceAreas {
			for _, c := range p.MunicipalityCodes {
				want[c] = append(want[c], trygg.PoliceAreaRef{ID: p.ID, Name: p.Name})
			}
		}
		if len(want) != 5 {
			t.Fatalf("demo police areas serve %d municipalities, want 5", len(want))
		}
		for code, refs := range want {
			m, err := db.Municipality(ctx, code)
			if err != nil {
				t.Fatalf("Municipality(%s): %v", code, err)
			}
			if !reflect.DeepEqual(m.PoliceAreas, refs) {
				t.Errorf("Municipality(%s).PoliceAreas = %v, want %v", code, m.PoliceAreas, refs)
			}
		}
		var areas, memberships int
		s := stored(t, url)
		for _, row := range s {
			switch {
			case strings.HasPrefix(row, "p "):
				areas++
			case strings.HasPrefix(row, "pm "):
				memberships++
			}
		}
		if areas != 4 || memberships != 5 {
			t.Errorf("%d police areas with %d memberships, want 4 with 5", areas, memberships)
		}
	})

	t.Run("nil writer", func(t *testing.T) {
		before := stored(t, url)
		if err := demo.Load(ctx, db, nil); err != nil {
			t.Fatalf("Load(nil writer): %v", err)
		}
		if after := stored(t, url); !reflect.DeepEqual(after, before) {
			t.Errorf("a third load changed stored rows")
		}
	})
}

// TestLoadOnFullDatabase loads the demo into a database that already holds all 290
// municipalities: the demo's five are unchanged and none is removed.
func TestLoadOnFullDatabase(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.Open(t)
	ctx := context.Background()
	sum, err := importer.Municipalities(ctx, db, bytes.NewReader(demo.Boundaries), importer.MunicipalityOptions{})
	if err != nil || sum.Inserted != 290 {
		t.Fatalf("import all: %+v, %v, want 290 inserted", sum, err)
	}
	out := load(t, db)
	if want := "demo: 5 municipalities (0 new, 0 updated, 5 unchanged)\n"; !strings.HasPrefix(out, want) {
		t.Errorf("output = %q, want it to start with %q", out, want)
	}
	n, err := db.CountMunicipalities(ctx)
	if err != nil || n != 290 {
		t.Errorf("CountMunicipalities() = %d, %v, want 290", n, err)
	}
	m, err := db.Municipality(ctx, "0114")
	if err != nil || len(m.PoliceAreas) != 0 {
		t.Errorf("Municipality(0114) = %+v, %v, want it without police areas", m, err)
	}
}
