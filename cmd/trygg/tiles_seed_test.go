package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

func TestTileRange(t *testing.T) {
	vara := orb.Bound{Min: orb.Point{12.75, 58.13}, Max: orb.Point{13.32, 58.42}}
	for _, tc := range []struct {
		bound      orb.Bound
		z          maptile.Zoom
		minT, maxT maptile.Tile
	}{
		{vara, 0, maptile.New(0, 0, 0), maptile.New(0, 0, 0)},
		// At zoom 10 a tile is 360/1024 = 0.3516° wide: 12.75° is in column 548,
		// 13.32° in 549; the Mercator y of 58.42° is row 306.3, of 58.13° row 307.7.
		{vara, 10, maptile.New(548, 306, 10), maptile.New(549, 307, 10)},
		{vara, 16, maptile.At(orb.Point{12.75, 58.42}, 16), maptile.At(orb.Point{13.32, 58.13}, 16)},
		// A point is one tile at every zoom.
		{orb.Bound{Min: orb.Point{13, 58.2}, Max: orb.Point{13, 58.2}}, 14, maptile.At(orb.Point{13, 58.2}, 14), maptile.At(orb.Point{13, 58.2}, 14)},
		// The whole world, clamped to Web Mercator's latitudes and the antimeridian.
		{orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}, 3, maptile.New(0, 0, 3), maptile.New(7, 7, 3)},
	} {
		minT, maxT := tileRange(tc.bound, tc.z)
		if minT != tc.minT || maxT != tc.maxT {
			t.Errorf("tileRange(%v, %d) = %v, %v; want %v, %v", tc.bound, tc.z, minT, maxT, tc.minT, tc.maxT)
		}
	}
	// Every listed tile meets the box, every tile of the range is listed once, and the
	// tiles just outside the range do not meet it.
	list := seedTiles(vara, 10, 16)
	if n := seedCount(vara, 10, 16); n != len(list) {
		t.Fatalf("seedCount %d, seedTiles lists %d", n, len(list))
	}
	seen := map[maptile.Tile]bool{}
	for _, tl := range list {
		if seen[tl] {
			t.Fatalf("%v listed twice", tl)
		}
		seen[tl] = true
		if !tl.Bound().Intersects(vara) {
			t.Errorf("%v (%v) does not meet %v", tl, tl.Bound(), vara)
		}
	}
	for z := maptile.Zoom(10); z <= 16; z++ {
		nw, se := tileRange(vara, z)
		for _, out := range []maptile.Tile{maptile.New(nw.X-1, nw.Y, z), maptile.New(se.X+1, se.Y, z),
			maptile.New(nw.X, nw.Y-1, z), maptile.New(se.X, se.Y+1, z)} {
			if b := out.Bound(); b.Intersects(vara) && b.Max[0] != vara.Min[0] && b.Min[0] != vara.Max[0] &&
				b.Max[1] != vara.Min[1] && b.Min[1] != vara.Max[1] {
				t.Errorf("%v (%v) meets %v but is not listed", out, b, vara)
			}
		}
	}
}

func TestParseZooms(t *testing.T) {
	for s, want := range map[string][2]int{"10-16": {10, 16}, "12": {12, 12}, "0-22": {0, 22}, " 3 - 5": {3, 5}} {
		lo, hi, err := parseZooms(s)
		if err != nil || lo != want[0] || hi != want[1] {
			t.Errorf("parseZooms(%q) = %d, %d, %v; want %v", s, lo, hi, err, want)
		}
	}
	for _, s := range []string{"", "16-10", "10-23", "-1", "a-b", "10-"} {
		if _, _, err := parseZooms(s); err == nil {
			t.Errorf("parseZooms(%q) succeeded", s)
		}
	}
	for addr, want := range map[string]string{":8080": "http://localhost:8080", "0.0.0.0:9000": "http://localhost:9000",
		"127.0.0.1:8081": "http://127.0.0.1:8081", "[::]:80": "http://localhost:80", "nonsense": "http://localhost:8080"} {
		if got := serverURL(addr); got != want {
			t.Errorf("serverURL(%q) = %q, want %q", addr, got, want)
		}
	}
}

var summaryRE = regexp.MustCompile(`(\d+) tiles requested, (\d+) with features, (\d+) empty \(204\), .+, (\d+) errors`)

func TestTilesSeedCommand(t *testing.T) {
	ctx := context.Background()
	owner, url := pgtest.Open(t)
	if err := demo.Load(ctx, owner, nil); err != nil {
		t.Fatal(err)
	}
	// 40 published reports near Vara's centre.
	pgtest.Exec(t, url, `
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, source, precision, status)
		SELECT gen_random_uuid(), '1470', p, report_public_geom(p, 50), 'belysning', 2, 'resident', 'exact', 'published'
		FROM generate_series(0, 39) i, LATERAL (SELECT ST_SetSRID(ST_MakePoint(12.95 + (i % 10) * 0.001, 58.26 + (i / 10) * 0.001), 4326) AS p) g`)
	srv := api.New(pgtest.App(t, url), slog.New(slog.NewJSONHandler(io.Discard, nil)), api.DefaultOptions())
	hs := httptest.NewServer(srv)
	defer hs.Close()
	bounds, err := owner.MunicipalityBounds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bb := bounds["1470"]
	want := seedCount(orb.Bound{Min: orb.Point{bb[0], bb[1]}, Max: orb.Point{bb[2], bb[3]}}, 8, 12)

	// Bounds from the server (no DATABASE_URL); stderr is not a terminal: a line per 10 %.
	var out, errOut bytes.Buffer
	err = run(ctx, []string{"trygg", "tiles", "seed", "--municipality", "1470", "--zoom", "8-12", "--concurrency", "3", "--url", hs.URL},
		envOf(map[string]string{}), &out, &errOut)
	if err != nil {
		t.Fatalf("seed: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	m := summaryRE.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no summary in %q", out.String())
	}
	requested, _ := strconv.Atoi(m[1])
	full, _ := strconv.Atoi(m[2])
	empty, _ := strconv.Atoi(m[3])
	if requested != want || full+empty != want || m[4] != "0" || full < 5 || empty == 0 {
		t.Errorf("summary %q: want %d tiles, some with features (at least one per zoom), some empty, no errors", m[0], want)
	}
	if _, cached := srv.Tiles().Cache().Size(); cached != want {
		t.Errorf("the server caches %d tiles after seeding %d", cached, want)
	}
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if len(lines) != 10 || !strings.HasPrefix(lines[0], "10% (") || !strings.HasPrefix(lines[9], "100% ("+strconv.Itoa(want)+"/"+strconv.Itoa(want)) ||
		strings.Contains(errOut.String(), "\r") {
		t.Errorf("progress on a non-terminal: %q", errOut.String())
	}

	// Bounds from the database, the same tiles: now every one is a cache hit.
	out.Reset()
	errOut.Reset()
	err = run(ctx, []string{"trygg", "tiles", "seed", "--municipality", "1470", "--zoom", "8-12", "--layer", "all"},
		envOf(map[string]string{"DATABASE_URL": url, "TRYGG_ADDR": strings.TrimPrefix(hs.URL, "http://")}), &out, &errOut)
	if err != nil || !strings.Contains(out.String(), strconv.Itoa(want)+" tiles requested") || !strings.Contains(out.String(), "0 errors") {
		t.Errorf("seed from the database, layer all: %v\n%s", err, out.String())
	}

	// Errors: flags, an unknown municipality, a server that is not there, failing tiles.
	down := httptest.NewServer(nil)
	down.Close()
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"seed"}, nil, "--municipality"},
		{[]string{"seed", "--municipality", "1470", "--zoom", "16-10"}, nil, "--zoom"},
		{[]string{"seed", "--municipality", "1470", "--layer", "roads"}, nil, "--layer"},
		{[]string{"seed", "--municipality", "1470", "--concurrency", "0"}, nil, "--concurrency"},
		{[]string{"seed", "--municipality", "1470", "--url", "localhost:8080"}, nil, "--url"},
		{[]string{"seed", "--municipality", "9999", "--url", hs.URL}, nil, "404"},
		{[]string{"seed", "--municipality", "9999"}, map[string]string{"DATABASE_URL": url}, "no municipality 9999"},
		{[]string{"seed", "--municipality", "1470", "--url", down.URL}, nil, "is it running?"},
		{[]string{"seed", "--municipality", "1470", "--zoom", "3"}, map[string]string{"DATABASE_URL": url, "TRYGG_ADDR": strings.TrimPrefix(down.URL, "http://")}, "1 of 1 tiles failed"},
		{[]string{"frobnicate"}, nil, "usage: trygg tiles seed"},
	} {
		out.Reset()
		err := run(ctx, append([]string{"trygg", "tiles"}, tc.args...), envOf(tc.env), &out, &out)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want an error with %q\n%s", tc.args, err, tc.want, out.String())
		}
	}

	var help bytes.Buffer
	if err := run(ctx, []string{"trygg", "tiles", "seed", "-h"}, envOf(nil), &help, &help); err != nil ||
		!strings.Contains(help.String(), "Progress") || !strings.Contains(help.String(), "-concurrency") {
		t.Errorf("tiles seed -h: %v\n%s", err, help.String())
	}
	help.Reset()
	if err := run(ctx, []string{"trygg", "help"}, envOf(nil), &help, &help); err != nil || !strings.Contains(help.String(), "tiles seed") {
		t.Errorf("help lacks tiles seed: %v", err)
	}
}

func TestProgressOnTerminal(t *testing.T) {
	var b bytes.Buffer
	p := &progress{w: &b, total: 200, terminal: true, start: time.Now()}
	p.set(50)
	p.set(51) // within 100 ms of the last drawing: not drawn
	p.finish(200)
	got := b.String()
	if strings.Count(got, "\r") != 2 || strings.Count(got, "\n") != 1 || !strings.HasSuffix(got, "\n") ||
		!strings.Contains(got, "\r[=======                       ]  25% 50/200 tiles") ||
		!strings.Contains(got, "\r[==============================] 100% 200/200 tiles") {
		t.Errorf("terminal progress: %q", got)
	}
}
