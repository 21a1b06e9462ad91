package tiles_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// hotspotRun is a run of 20 × 20 square cells of 0.0005° around vara, the class of
// each cell from class(i, j), and one hotspot over the first cells.
func hotspotRun(name string, public bool, class func(i, j int) int) *postgis.HotspotRun {
	run := &postgis.HotspotRun{Municipality: "1470", Name: name, Method: trygg.MethodGi, Public: public,
		Query: json.RawMessage(`{"municipality":"1470"}`)}
	const d = 0.0005
	sq := func(x, y, d float64) orb.Polygon {
		return orb.Polygon{{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}
	}
	for i := range 20 {
		for j := range 20 {
			run.Cells = append(run.Cells, postgis.RunCell{Cell: postgis.Cell{I: i, J: j},
				Polygon: sq(vara[0]+float64(i-10)*d, vara[1]+float64(j-10)*d, d),
				Value:   float64(i + j), Count: i + j, Z: float64(class(i, j)) * 1.5, P: 0.05, Class: class(i, j)})
		}
	}
	run.Hotspots = []postgis.RunHotspot{{Polygon: sq(vara[0]-0.002, vara[1]-0.002, 0.003), Score: 9, Z: 3.2, Value: 20, Count: 12}}
	return run
}

// cellClasses reads a hexcells layer: each cell's class by "i,j", and the runs.
func cellClasses(t *testing.T, l *mvt.Layer) (map[string]int, map[string]bool) {
	t.Helper()
	classes, runs := map[string]int{}, map[string]bool{}
	if l == nil {
		return classes, runs
	}
	for _, f := range l.Features {
		p := f.Properties
		if _, ok := f.Geometry.(orb.Polygon); !ok {
			t.Errorf("cell geometry %T", f.Geometry)
		}
		classes[fmt.Sprintf("%d,%d", count(p["i"]), count(p["j"]))] = count(p["class"])
		runs[fmt.Sprint(p["run"])] = true
	}
	return classes, runs
}

func TestHotspotTiles(t *testing.T) {
	e := newEnv(t)
	planner := e.staff(t, trygg.RolePlanner, "kommun-1470")
	u, err := e.owner.UserByEmail(context.Background(), demo.DemoEmail(trygg.RolePlanner, "kommun-1470"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := trygg.NewContext(context.Background(), &trygg.Caller{User: u})
	store := pgtest.App(t, e.url)

	// A public run, then a later staff-only one.
	pub := hotspotRun("Publik", true, func(i, j int) int { return (i+j)%7 - 3 })
	if err := store.SaveHotspotRun(ctx, pub); err != nil {
		t.Fatal(err)
	}
	private := hotspotRun("Intern", false, func(i, j int) int { return 3 })
	if err := store.SaveHotspotRun(ctx, private); err != nil {
		t.Fatal(err)
	}
	if err := store.CreatePlace(ctx, &postgis.Place{Name: "Resecentrum", HotspotID: private.Hotspots[0].ID}); err != nil {
		t.Fatal(err)
	}

	path, _ := tilePath("hexcells", vara, 15, "")
	ls, resp := e.fetchTile(t, public, path)
	classes, runs := cellClasses(t, layer(ls, "hexcells"))
	if len(classes) < 50 || len(runs) != 1 || !runs[pub.ID] {
		t.Fatalf("public hexcells: %d cells of runs %v, want the public run %s", len(classes), runs, pub.ID)
	}
	for ij, c := range classes {
		var i, j int
		fmt.Sscanf(ij, "%d,%d", &i, &j)
		if c != (i+j)%7-3 {
			t.Errorf("public cell %s: class %d, want %d", ij, c, (i+j)%7-3)
		}
	}
	if resp.Header.Get("Cache-Control") != "public, no-cache" {
		t.Errorf("public hexcells Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
	// Staff see their latest run, public or not.
	ls, _ = e.fetchTile(t, planner, path)
	classes, runs = cellClasses(t, layer(ls, "hexcells"))
	if len(runs) != 1 || !runs[private.ID] {
		t.Errorf("staff hexcells of runs %v, want the latest run %s", runs, private.ID)
	}
	for ij, c := range classes {
		if c != 3 {
			t.Errorf("staff cell %s: class %d, want 3", ij, c)
		}
	}

	// Hotspots: the public run's hotspot for the public; the latest run's hotspot and the
	// place kept from it, named, for staff.
	path, _ = tilePath("hotspots", vara, 15, "")
	ls, _ = e.fetchTile(t, public, path)
	if l := layer(ls, "hotspots"); l == nil || len(l.Features) != 1 || l.Features[0].Properties["id"] != pub.Hotspots[0].ID ||
		l.Features[0].Properties["kind"] != "hotspot" || l.Features[0].Properties["name"] != nil {
		t.Errorf("public hotspots: %+v", l)
	}
	ls, _ = e.fetchTile(t, planner, path)
	kinds := map[string]string{}
	if l := layer(ls, "hotspots"); l != nil {
		for _, f := range l.Features {
			kinds[fmt.Sprint(f.Properties["kind"])] = fmt.Sprint(f.Properties["name"])
			if count(f.Properties["rank"]) != 1 {
				t.Errorf("staff hotspot feature %v", f.Properties)
			}
		}
	}
	if len(kinds) != 2 || kinds["hotspot"] != "Resecentrum" || kinds["place"] != "Resecentrum" {
		t.Errorf("staff hotspots: %v", kinds)
	}

	// The all tile carries both layers.
	path, _ = tilePath("all", vara, 15, "")
	ls, _ = e.fetchTile(t, public, path)
	if layer(ls, "hexcells") == nil || layer(ls, "hotspots") == nil {
		t.Errorf("public all tile lacks the hotspot layers: %v", ls)
	}

	// Saving a public run bumps layer hexcells' version, and the cached tile is built
	// again (its notification reaches the server).
	version := func() int {
		rows, err := pgx(t, e.url, `SELECT version FROM tile_version WHERE layer = 'hexcells' AND municipality_code = '1470'`)
		if err != nil || len(rows) != 1 {
			t.Fatalf("hexcells version: %v %v", rows, err)
		}
		var v int
		fmt.Sscan(rows[0][0], &v)
		return v
	}
	path, _ = tilePath("hexcells", vara, 15, "")
	_, first := e.fetchTile(t, public, path)
	if _, again := e.fetchTile(t, public, path); again.Header.Get("X-Cache") != "HIT" {
		t.Fatalf("the hexcells tile is not cached: X-Cache %q (first %q)", again.Header.Get("X-Cache"), first.Header.Get("X-Cache"))
	}
	before := version()
	next := hotspotRun("Publik igen", true, func(i, j int) int { return -2 })
	if err := store.SaveHotspotRun(ctx, next); err != nil {
		t.Fatal(err)
	}
	if v := version(); v <= before {
		t.Errorf("hexcells version %d after the save, was %d", v, before)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		ls, resp := e.fetchTile(t, public, path)
		classes, runs := cellClasses(t, layer(ls, "hexcells"))
		if runs[next.ID] {
			if len(runs) != 1 || resp.Header.Get("X-Cache") != "MISS" || resp.Header.Get("ETag") == first.Header.Get("ETag") {
				t.Errorf("rebuilt tile: runs %v, X-Cache %q, ETag %q (was %q)", runs, resp.Header.Get("X-Cache"),
					resp.Header.Get("ETag"), first.Header.Get("ETag"))
			}
			for ij, c := range classes {
				if c != -2 {
					t.Errorf("rebuilt cell %s: class %d, want -2", ij, c)
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the saved run never reached the cached tile")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
