package tiles_test

import (
	"fmt"
	"math"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// worldHalf is half the width of the EPSG:3857 world, in metres.
const worldHalf = math.Pi * 6378137

// clusterGroup is what the test expects of one cluster: the reports it counts (their
// stored public points in EPSG:3857), their centroid and bounding box.
type clusterGroup struct {
	n        int
	centroid orb.Point
	box      orb.Bound
}

// TestClusterCentroids: clustered report tiles draw each cluster at the centroid of
// its reports, never outside their extent, at the same place in every tile that shows
// it. Reports in three towns (Vara, Varberg, Lidköping) and a group across a z10 tile
// edge east of Vara; the tiles are decoded with orb's MVT decoder at z0, z5 and z10
// and every cluster compared with the groups computed here from the stored points.
func TestClusterCentroids(t *testing.T) {
	e := newEnv(t)
	// Vara's z10 tile edge east of the town: reports on both sides of it.
	edge := maptile.At(vara, 10)
	edgeLon := float64(edge.X+1)/1024*360 - 180
	places := []struct {
		lon, lat, dlon, dlat float64
		n                    int
	}{
		{vara[0] - 0.01, vara[1] - 0.005, 0.0011, 0.0007, 30},
		{edgeLon - 0.008, vara[1] + 0.001, 0.0009, 0.0002, 20},
		{varberg[0] + 0.006, varberg[1] - 0.004, 0.0008, 0.0006, 25},
		{13.16, 58.50, 0.0017, 0.0011, 15},
	}
	for _, p := range places {
		pgtest.Exec(t, e.url, fmt.Sprintf(`
			INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, source, precision, status)
			SELECT gen_random_uuid(), g.code, g.p, report_public_geom(g.p, 50),
			       CASE WHEN i %% 3 = 0 THEN 'vald' ELSE 'belysning' END, 2, 'resident', 'exact', 'published'
			FROM generate_series(0, %d) i,
			     LATERAL (SELECT p, report_municipality(p) AS code
			              FROM ST_SetSRID(ST_MakePoint(%f + (i %% 17) * %f, %f + (i %% 11) * %f), 4326) AS p) g
			WHERE g.code IS NOT NULL`,
			p.n-1, p.lon, p.dlon, p.lat, p.dlat))
	}
	rows, err := pgx(t, e.url, `SELECT ST_X(pt)::text, ST_Y(pt)::text, municipality_code FROM public_report`)
	if err != nil {
		t.Fatal(err)
	}
	var pts []orb.Point
	towns := map[string]int{}
	for _, r := range rows {
		towns[r[2]]++
		x, _ := strconv.ParseFloat(r[0], 64)
		y, _ := strconv.ParseFloat(r[1], 64)
		pts = append(pts, orb.Point{x, y})
	}
	if len(pts) < 70 || len(towns) != 3 {
		t.Fatalf("%d public reports in municipalities %v, want most of 90 in three", len(pts), towns)
	}

	across := 0 // clusters seen in more than one tile
	for _, z := range []int{0, 5, 10} {
		// The groups, as the tile statement forms them: the nearest node of the grid of
		// cells ClusterCell(z) anchored to the origin.
		cell := postgis.ClusterCell(z)
		groups := map[[2]int64]*clusterGroup{}
		for _, p := range pts {
			k := [2]int64{int64(math.Round(p[0] / cell)), int64(math.Round(p[1] / cell))}
			g := groups[k]
			if g == nil {
				g = &clusterGroup{box: orb.Bound{Min: p, Max: p}}
				groups[k] = g
			}
			g.n++
			g.centroid[0] += p[0]
			g.centroid[1] += p[1]
			g.box = g.box.Extend(p)
		}
		size := 2 * worldHalf / math.Exp2(float64(z))
		unit := size / postgis.TileExtent
		// A tile's coordinates are whole units: a point is at most half a unit's
		// diagonal off; and a few metres for the float sums.
		tol := unit*math.Sqrt2/2 + 3
		for _, g := range groups {
			g.centroid[0] /= float64(g.n)
			g.centroid[1] /= float64(g.n)
			// Every tile whose buffered extent holds the centroid shows the cluster, at
			// the same place.
			var seen []orb.Point
			for _, tl := range tilesHolding(g.centroid, z, 60*unit) {
				ls, _ := e.fetchTile(t, public, fmt.Sprintf("/tiles/reports/%d/%d/%d.mvt", tl.Z, tl.X, tl.Y))
				f, at := nearestCluster(layer(ls, "reports"), tl, g.centroid)
				if f == nil {
					t.Errorf("z%d tile %v: no cluster near the centroid %v of %d reports", z, tl, g.centroid, g.n)
					continue
				}
				if n := count(f.Properties["count"]); n != g.n {
					t.Errorf("z%d tile %v: the cluster at %v counts %d reports, want %d", z, tl, at, n, g.n)
				}
				if d := dist(at, g.centroid); d > tol {
					t.Errorf("z%d tile %v: cluster of %d at %v, %.0f m from its reports' centroid %v (tolerance %.1f m)",
						z, tl, g.n, at, d, g.centroid, tol)
				}
				if box := g.box.Pad(tol); !box.Contains(at) {
					t.Errorf("z%d tile %v: cluster of %d at %v outside its reports' extent %v", z, tl, g.n, at, g.box)
				}
				seen = append(seen, at)
			}
			for _, at := range seen[min(1, len(seen)):] {
				if dist(at, seen[0]) > 1 {
					t.Errorf("z%d: the cluster of %d reports is at %v in one tile and %v in its neighbour", z, g.n, seen[0], at)
				}
			}
			if len(seen) > 1 {
				across++
			}
		}
		// And no tile holds a cluster the groups do not explain: the tiles' counts add
		// up to the reports (each tile over a centroid, each cluster once).
		total := 0
		for _, g := range groups {
			total += g.n
		}
		if total != len(pts) {
			t.Fatalf("z%d: groups count %d reports, want %d", z, total, len(pts))
		}
	}
	if across == 0 {
		t.Error("no cluster lay near a tile edge: the test does not check neighbouring tiles")
	}
}

// tilesHolding is every tile at zoom z whose extent padded by pad metres holds p (in
// EPSG:3857).
func tilesHolding(p orb.Point, z int, pad float64) []maptile.Tile {
	n := math.Exp2(float64(z))
	size := 2 * worldHalf / n
	var out []maptile.Tile
	lo := func(v float64) int { return max(0, int(math.Floor((v-pad+worldHalf)/size))) }
	hi := func(v float64) int { return min(int(n)-1, int(math.Floor((v+pad+worldHalf)/size))) }
	for x := lo(p[0]); x <= hi(p[0]); x++ {
		// Tile rows count down from the north.
		for y := lo(-p[1]); y <= hi(-p[1]); y++ {
			out = append(out, maptile.New(uint32(x), uint32(y), maptile.Zoom(z)))
		}
	}
	return out
}

// nearestCluster is the cluster of l nearest to p (EPSG:3857) and its position there.
func nearestCluster(l *mvt.Layer, tl maptile.Tile, p orb.Point) (*geojson.Feature, orb.Point) {
	if l == nil {
		return nil, orb.Point{}
	}
	size := 2 * worldHalf / math.Exp2(float64(tl.Z))
	minX, maxY := -worldHalf+float64(tl.X)*size, worldHalf-float64(tl.Y)*size
	var best *geojson.Feature
	var at orb.Point
	bestD := math.Inf(1)
	for _, f := range l.Features {
		q, ok := f.Geometry.(orb.Point)
		if !ok || f.Properties["cluster"] != true {
			continue
		}
		w := orb.Point{minX + q[0]/float64(l.Extent)*size, maxY - q[1]/float64(l.Extent)*size}
		if d := math.Hypot(w[0]-p[0], w[1]-p[1]); d < bestD {
			best, at, bestD = f, w, d
		}
	}
	return best, at
}

func dist(a, b orb.Point) float64 { return math.Hypot(a[0]-b[0], a[1]-b[1]) }
