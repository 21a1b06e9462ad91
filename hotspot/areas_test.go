package hotspot

import (
	"slices"
	"testing"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

// hexCell is a cell of PostGIS' hexagon grid with its centre (size 1).
func hexCell(i, j, count, class int, z float64) Cell {
	q := trygg.HotspotQuery{Grid: trygg.GridHex, CellM: 1}
	c := postgis.Cell{I: i, J: j}
	x, y := postgis.CellCentre(q, c)
	return Cell{HotspotCell: postgis.HotspotCell{Cell: c, X: x, Y: y, Value: float64(count), Count: count}, Z: z, Class: class}
}

// TestEdgeNeighbours: a hexagon's six edge neighbours are the cells whose centres lie
// one cell size away, in even and odd columns alike.
func TestEdgeNeighbours(t *testing.T) {
	q := trygg.HotspotQuery{Grid: trygg.GridHex, CellM: 200}
	for _, c := range []postgis.Cell{{I: 4, J: 7}, {I: 5, J: 7}, {I: -3, J: -2}, {I: 0, J: 0}} {
		x, y := postgis.CellCentre(q, c)
		ns := edgeNeighbours(trygg.GridHex, c)
		for _, n := range ns {
			nx, ny := postgis.CellCentre(q, n)
			if d := (nx-x)*(nx-x) + (ny-y)*(ny-y); d < 200*200-1e-6 || d > 200*200+1e-6 {
				t.Errorf("cell %v: neighbour %v at %.3f m, want 200", c, n, d)
			}
		}
		if len(ns) != 6 {
			t.Errorf("cell %v: %d neighbours", c, len(ns))
		}
	}
}

// TestHotAreas: contiguous hot cells merge; areas rank by weighted reports, those under
// the minimum count after the others (and the public sees none of them).
func TestHotAreas(t *testing.T) {
	cells := []Cell{
		// An area of three cells around (10, 10): 5 + 20 + 15 reports; strongest z at 10, 10.
		hexCell(10, 10, 20, 3, 9), hexCell(10, 11, 5, 1, 2), hexCell(11, 10, 15, 2, 4),
		// A single cell holding 60 reports, ranked first.
		hexCell(30, 30, 60, 3, 12),
		// Two reports, class 3: fewer than the minimum count of 5.
		hexCell(50, 50, 2, 3, 20),
		// Not hot, next to the first area: stays out.
		hexCell(9, 10, 50, 0, 1), hexCell(12, 12, 0, -1, -3),
	}
	q := trygg.HotspotQuery{Grid: trygg.GridHex, MinCount: 5}
	as := hotAreas(cells, q)
	if len(as) != 3 {
		t.Fatalf("%d areas, want 3", len(as))
	}
	if as[0].count != 60 || as[1].count != 40 || len(as[1].cells) != 3 || as[1].class != 3 || as[1].strongest != 0 || as[2].count != 2 {
		t.Errorf("areas %+v", as)
	}
	if !slices.Equal(as[1].cells, []int{0, 1, 2}) {
		t.Errorf("area cells %v, want 0 1 2", as[1].cells)
	}
	q.Public = true
	if as := hotAreas(cells, q); len(as) != 2 || as[1].count != 40 {
		t.Errorf("public: %+v, want the two areas of at least 5 reports", as)
	}

	// Squares share an edge with four neighbours: diagonal ones stay apart.
	sq := func(i, j int) Cell {
		return Cell{HotspotCell: postgis.HotspotCell{Cell: postgis.Cell{I: i, J: j}, Value: 5, Count: 5}, Z: 3, Class: 2}
	}
	q = trygg.HotspotQuery{Grid: trygg.GridSquare, MinCount: 5}
	if as := hotAreas([]Cell{sq(0, 0), sq(1, 0), sq(2, 1), sq(2, 2)}, q); len(as) != 2 || as[0].count != 10 || as[1].count != 10 {
		t.Errorf("squares: %+v, want two areas of two cells", as)
	}
}
