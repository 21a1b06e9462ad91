package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

func TestImportPoliceEventsCommand(t *testing.T) {
	db, url := pgtest.Open(t)
	ctx := context.Background()
	env := envOf(map[string]string{"DATABASE_URL": url, "USER": "anna"})
	feed := filepath.Join("..", "..", "importer", "testdata", "polisen_events.json")

	// Before any municipality is stored, there is nothing to place events in.
	var out bytes.Buffer
	if err := run(ctx, []string{"trygg", "import", "police-events", feed}, env, &out, &out); err == nil ||
		!strings.Contains(err.Error(), "no municipality is stored") {
		t.Errorf("without municipalities: %v", err)
	}
	if err := demo.Load(ctx, db, nil); err != nil {
		t.Fatal(err)
	}

	out.Reset()
	if err := run(ctx, []string{"trygg", "import", "police-events", feed}, env, &out, &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"importing police events from " + feed + "\n",
		"read 500 events: 3 to store, 96 summaries and 401 in no stored municipality to skip\n",
		"read 500, inserted 3, updated 0, unchanged 0, skipped 497 (96 summaries, 401 in no stored municipality)\n",
		"  municipality 0685 Vetlanda: 1\n  municipality 1470 Vara: 1\n  municipality 1493 Mariestad: 1\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	got := pgtest.Strings(t, url, `SELECT DISTINCT r.source || ' ' || r.status || ' ' || s.actor || ' ' || a.actor
		FROM report r JOIN report_status s ON s.report_id = r.id, audit_log a WHERE a.action = 'police_event.import'`)
	if len(got) != 1 || got[0] != "police-event published import:polisen_events.json cli:anna" {
		t.Errorf("stored %v", got)
	}

	out.Reset()
	if err := run(ctx, []string{"trygg", "import", "police-events", feed}, env, &out, &out); err != nil ||
		!strings.Contains(out.String(), "read 500, inserted 0, updated 0, unchanged 3, skipped 497 (96 summaries, 401 in no stored municipality)\n") {
		t.Errorf("second import: %v\n%s", err, out.String())
	}

	// A refused file: every refusal listed, nothing written.
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`[{"id": 1, "datetime": "2025-03-01 6:29:58 +01:00", "type": "Stöld", "location": {"name": "Vara", "gps": "58.26,12.96"}},
		{"id": 2, "datetime": "yesterday", "type": "Stöld", "location": {"name": "Vara", "gps": "58.26,12.96"}},
		{"id": 3, "datetime": "2025-03-01 6:29:58 +01:00", "location": {"name": "Vara", "gps": "58.26,12.96"}}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err := run(ctx, []string{"trygg", "import", "police-events", bad}, env, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "bad.json: 2 errors; nothing was written") ||
		!strings.Contains(out.String(), "rejected: element 1 (id 2), datetime: \"yesterday\" is not a time like 2026-03-01 6:29:58 +01:00\n") ||
		!strings.Contains(out.String(), "rejected: element 2 (id 3), type: type is missing\n") {
		t.Errorf("bad file: %v\n%s", err, out.String())
	}
	if n := pgtest.Strings(t, url, `SELECT count(*)::text FROM report`); n[0] != "3" {
		t.Errorf("%s reports after the refused file, want 3", n[0])
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"trygg", "import", "police-events"}, "usage: trygg import police-events"},
		{[]string{"trygg", "import", "police-events", feed, feed}, "usage: trygg import police-events"},
		{[]string{"trygg", "import", "police-events", filepath.Join(dir, "missing.json")}, "no such file"},
	} {
		if err := run(ctx, tc.args, env, &out, &out); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want an error with %q", tc.args[2:], err, tc.want)
		}
	}

	var help bytes.Buffer
	if err := run(ctx, []string{"trygg", "import", "police-events", "-h"}, env, &help, &help); err != nil ||
		!strings.Contains(help.String(), "Västra Götalands län") || !strings.Contains(help.String(), "DATABASE_URL") {
		t.Errorf("import police-events -h: %v\n%s", err, help.String())
	}
	help.Reset()
	if err := run(ctx, []string{"trygg", "help"}, env, &help, &help); err != nil || !strings.Contains(help.String(), "import police-events FILE") {
		t.Errorf("help lacks import police-events: %v\n%s", err, help.String())
	}
}
