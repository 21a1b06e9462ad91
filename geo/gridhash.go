package geo

import (
	"cmp"
	"math"
	"slices"
)

// gridHash buckets points into square cells band wide, so that every point within band
// of a point lies in the point's cell or one of its eight neighbours. The points are
// kept sorted by cell (xs, ys; order maps back to the caller's index) so that a cell's
// points are contiguous: positions start[c]:start[c+1] for a dense grid (counting sort,
// at most a few cells per point), or sparse[c] for points spread thinly over a large
// extent.
type gridHash struct {
	minX, minY float64
	size       float64 // cell width: band, grown only for absurd extents
	nx, ny     int64
	start      []int32            // dense grid, nx·ny + 1 entries
	sparse     map[int64][2]int32 // sparse grid, cells with points only
	order      []int32            // order[k] is the caller's index of sorted point k
	xs, ys     []float64          // coordinates in sorted order
	cells      []int64            // cell keys in sorted order
}

// maxCellsPerPoint is the most cells per point a dense grid may have.
const maxCellsPerPoint = 4

func newGridHash(x, y []float64, band float64) *gridHash {
	n := len(x)
	minX, maxX := math.Inf(1), math.Inf(-1)
	minY, maxY := math.Inf(1), math.Inf(-1)
	for i := range n {
		minX, maxX = min(minX, x[i]), max(maxX, x[i])
		minY, maxY = min(minY, y[i]), max(maxY, y[i])
	}
	size := band
	for (maxX-minX)/size > 1<<30 || (maxY-minY)/size > 1<<30 {
		size *= 2 // keeps cell keys in int64; only for extents of 2³⁰ bands
	}
	g := &gridHash{minX: minX, minY: minY, size: size}
	g.nx = int64((maxX-minX)/size) + 1
	g.ny = int64((maxY-minY)/size) + 1
	cell := make([]int64, n)
	for i := range n {
		cell[i] = g.key(x[i], y[i])
	}
	g.order = make([]int32, n)
	if cells := g.nx * g.ny; cells <= int64(maxCellsPerPoint*n+64) {
		g.start = make([]int32, cells+1)
		for _, c := range cell {
			g.start[c+1]++
		}
		for c := range cells {
			g.start[c+1] += g.start[c]
		}
		fill := slices.Clone(g.start[:cells])
		for i, c := range cell {
			g.order[fill[c]] = int32(i)
			fill[c]++
		}
	} else {
		for i := range g.order {
			g.order[i] = int32(i)
		}
		slices.SortFunc(g.order, func(a, b int32) int { return cmp.Compare(cell[a], cell[b]) })
		g.sparse = make(map[int64][2]int32)
		for lo := 0; lo < n; {
			hi := lo + 1
			for hi < n && cell[g.order[hi]] == cell[g.order[lo]] {
				hi++
			}
			g.sparse[cell[g.order[lo]]] = [2]int32{int32(lo), int32(hi)}
			lo = hi
		}
	}
	g.xs, g.ys, g.cells = make([]float64, n), make([]float64, n), make([]int64, n)
	for k, i := range g.order {
		g.xs[k], g.ys[k], g.cells[k] = x[i], y[i], cell[i]
	}
	return g
}

func (g *gridHash) xy(x, y float64) (int64, int64) {
	return min(int64((x-g.minX)/g.size), g.nx-1), min(int64((y-g.minY)/g.size), g.ny-1)
}

func (g *gridHash) key(x, y float64) int64 {
	cx, cy := g.xy(x, y)
	return cy*g.nx + cx
}

// forward stores in rs the ranges of sorted positions after point k that may lie within
// band of it: the rest of its own cell, the cell to its right and the three cells above.
// Each pair of points within band is met once, from the point that comes first. It returns
// how many ranges it stored.
func (g *gridHash) forward(rs *[5][2]int32, k int) int {
	c := g.cells[k]
	cx, cy := c%g.nx, c/g.nx
	if g.sparse == nil {
		end := g.start[c+1]
		if cx+1 < g.nx {
			end = g.start[c+2]
		}
		rs[0] = [2]int32{int32(k + 1), end}
		if cy+1 >= g.ny {
			return 1
		}
		row := (cy + 1) * g.nx
		rs[1] = [2]int32{g.start[row+max(cx-1, 0)], g.start[row+min(cx+1, g.nx-1)+1]}
		return 2
	}
	rs[0] = [2]int32{int32(k + 1), g.sparse[c][1]}
	n := 1
	add := func(c int64) {
		if r, ok := g.sparse[c]; ok {
			rs[n] = r
			n++
		}
	}
	if cx+1 < g.nx {
		add(c + 1)
	}
	if cy+1 < g.ny {
		row := (cy + 1) * g.nx
		for xx := max(cx-1, 0); xx <= min(cx+1, g.nx-1); xx++ {
			add(row + xx)
		}
	}
	return n
}
