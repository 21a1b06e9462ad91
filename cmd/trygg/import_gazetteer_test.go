package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/importer/pbftest"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// TestImportGazetteerCommand: trygg import gazetteer loads a PBF, says what it read and
// stored, and a second run changes nothing; an existing report gets its label.
func TestImportGazetteerCommand(t *testing.T) {
	db, url := pgtest.Open(t)
	ctx := context.Background()
	if err := demo.Load(ctx, db, nil); err != nil {
		t.Fatal(err)
	}
	pgtest.Exec(t, url, `INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, source, precision, status)
		VALUES (gen_random_uuid(), '1470', ST_SetSRID(ST_MakePoint(12.9522, 58.2612), 4326), ST_SetSRID(ST_MakePoint(12.9522, 58.2612), 4326),
		        'belysning', 2, 'survey', 'exact', 'published')`)
	path := filepath.Join(t.TempDir(), "vara.osm.pbf")
	if err := os.WriteFile(path, pbftest.Write(pbftest.Vara()), 0o600); err != nil {
		t.Fatal(err)
	}
	env := envOf(map[string]string{"DATABASE_URL": url, "USER": "anna"})
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"trygg", "import", "gazetteer", path}, env, &out, &errOut); err != nil {
		t.Fatalf("import: %v\n%s%s", err, out.String(), errOut.String())
	}
	for _, want := range []string{
		"read 10 nodes and 4 ways: 2 addresses, 2 street ways, 1 stops, 1 places",
		"stored 2 addresses, 1 streets, 1 stops, 1 places (5 new or changed); 0 outside every municipality skipped; 1 reports labelled",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if l := pgtest.Strings(t, url, `SELECT place_label FROM report`); len(l) != 1 || l[0] != "vid Vara resecentrum" {
		t.Errorf("the report's label %v", l)
	}
	out.Reset()
	if err := run(ctx, []string{"trygg", "import", "gazetteer", path}, env, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "(0 new or changed)") {
		t.Errorf("second import:\n%s", out.String())
	}
}
