package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

func TestImportReportsCommand(t *testing.T) {
	db, url := pgtest.Open(t)
	ctx := context.Background()
	if err := demo.Load(ctx, db, nil); err != nil {
		t.Fatal(err)
	}
	env := envOf(map[string]string{"DATABASE_URL": url, "USER": "anna"})
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}

	good := write("trygghetsvandring.csv", "longitud;latitud;kategori;känsla\n13,10;58,24;belysning;2\n13.03;58.51;vegetation;1\n")
	var out bytes.Buffer
	if err := run(ctx, []string{"trygg", "import", "reports", "-source", "walk", "-grid", "100", good}, env, &out, &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	for _, want := range []string{"read 2 records (CSV, separator ';')", "read 2, imported 2", "municipality 1470: 1", "municipality 1494: 1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	got := pgtest.Strings(t, url, `SELECT DISTINCT r.source || ' ' || r.status || ' ' || s.actor || ' ' || a.actor
		FROM report r JOIN report_status s ON s.report_id = r.id, audit_log a WHERE a.action = 'report.import'`)
	if len(got) != 1 || got[0] != "walk published import:trygghetsvandring.csv cli:anna" {
		t.Errorf("stored %v", got)
	}

	// 105 bad rows: 100 are listed, then a count; nothing is written.
	var b strings.Builder
	b.WriteString("lon,lat,category,feeling\n")
	for i := 0; i < 105; i++ {
		fmt.Fprintf(&b, "13.1,58.24,belysning,%d\n", 5+i)
	}
	bad := write("bad.csv", b.String())
	out.Reset()
	err := run(ctx, []string{"trygg", "import", "reports", bad}, env, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "105 errors; nothing was written") {
		t.Errorf("bad file: got %v, want 105 errors and nothing written", err)
	}
	if n := strings.Count(out.String(), "rejected: "); n != 100 ||
		!strings.Contains(out.String(), "rejected: line 2, column feeling: feeling 5 is not 1 (very unsafe) to 4 (safe)\n") ||
		!strings.Contains(out.String(), "and 5 more\n") || !strings.Contains(out.String(), "read 105, imported 0\n") {
		t.Errorf("bad file output (%d rejections listed):\n%s", n, out.String())
	}
	if n := pgtest.Strings(t, url, `SELECT count(*)::text FROM report`); n[0] != "2" {
		t.Errorf("%s reports after the refused file, want 2", n[0])
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"trygg", "import", "reports"}, "usage: trygg import reports"},
		{[]string{"trygg", "import", "reports", "-status", "rejected", good}, `status "rejected"`},
		{[]string{"trygg", "import", "reports", "-source", "police-event", good}, "trygg import police-events"},
		{[]string{"trygg", "import", "reports", "-grid", "0.5", good}, "cells of 1 to 5000 metres"},
		{[]string{"trygg", "import", "reports", "-grid", "0", good}, "cells of 1 to 5000 metres"},
		{[]string{"trygg", "import", "reports", filepath.Join(dir, "missing.csv")}, "no such file"},
	} {
		if err := run(ctx, tc.args, env, &out, &out); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want an error with %q", tc.args[2:], err, tc.want)
		}
	}

	var help bytes.Buffer
	if err := run(ctx, []string{"trygg", "import", "reports", "-h"}, env, &help, &help); err != nil ||
		!strings.Contains(help.String(), "känsla") || !strings.Contains(help.String(), "DATABASE_URL") || !strings.Contains(help.String(), "-grid") {
		t.Errorf("import reports -h: %v\n%s", err, help.String())
	}
	help.Reset()
	if err := run(ctx, []string{"trygg", "help"}, env, &help, &help); err != nil || !strings.Contains(help.String(), "import reports FILE") {
		t.Errorf("help lacks import reports: %v\n%s", err, help.String())
	}
}
