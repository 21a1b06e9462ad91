package tiles

import (
	"context"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg/postgis"
)

// versions is the in-memory copy of table tile_version (a counter per layer and
// municipality, bumped by triggers on every write) and of the municipalities' bounding
// boxes. A tile's cache key holds the versions of the municipalities whose bounding
// box meets the tile (with its buffer): a write in one municipality changes the keys
// of the tiles over it and no others.
//
// The copy is marked stale when a notification arrives (any process's write) and
// after every unsafe request of this server (its own writes, before the response
// leaves); the next tile request reloads it with one small query. Versions are loaded
// lazily, so a server that never listens (tests) still starts right.
type versions struct {
	db    *postgis.DB
	stale atomic.Bool
	mu    sync.Mutex // held while reloading
	snap  atomic.Pointer[snapshot]
}

type snapshot struct {
	v      map[string]map[string]int64 // layer → municipality → version
	bounds map[string]orb.Bound        // municipality → bounding box (lon/lat)
	codes  []string                    // sorted
}

// boundsPad is added around each municipality's box, in degrees (about 1 km): public
// positions snap to a grid and may fall just outside the boundary.
const boundsPad = 0.01

func newVersions(db *postgis.DB) *versions {
	vs := &versions{db: db}
	vs.stale.Store(true)
	return vs
}

// MarkStale makes the next request reload the versions.
func (vs *versions) markStale() { vs.stale.Store(true) }

// current returns the versions, reloading them first when stale.
func (vs *versions) current(ctx context.Context) (*snapshot, error) {
	if !vs.stale.Load() {
		if s := vs.snap.Load(); s != nil {
			return s, nil
		}
	}
	vs.mu.Lock()
	defer vs.mu.Unlock()
	if !vs.stale.Load() {
		if s := vs.snap.Load(); s != nil {
			return s, nil
		}
	}
	vs.stale.Store(false) // before reading: a later write marks it again
	rows, err := vs.db.TileVersions(ctx)
	if err != nil {
		vs.stale.Store(true)
		return nil, err
	}
	next := &snapshot{v: map[string]map[string]int64{}}
	for _, r := range rows {
		if next.v[r.Layer] == nil {
			next.v[r.Layer] = map[string]int64{}
		}
		next.v[r.Layer][r.Municipality] = r.Version
	}
	prev := vs.snap.Load()
	if prev != nil && sameLayer(prev.v[layerMunicipalities], next.v[layerMunicipalities]) {
		next.bounds, next.codes = prev.bounds, prev.codes
	} else {
		b, err := vs.db.MunicipalityBounds(ctx)
		if err != nil {
			vs.stale.Store(true)
			return nil, err
		}
		next.bounds = map[string]orb.Bound{}
		for code, bb := range b {
			next.bounds[code] = orb.Bound{Min: orb.Point{bb[0] - boundsPad, bb[1] - boundsPad},
				Max: orb.Point{bb[2] + boundsPad, bb[3] + boundsPad}}
			next.codes = append(next.codes, code)
		}
		sort.Strings(next.codes)
	}
	vs.snap.Store(next)
	return next, nil
}

func sameLayer(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// key appends the versions of layer in the municipalities whose box meets bound.
func (s *snapshot) key(b *strings.Builder, layer string, bound orb.Bound) {
	b.WriteString(layer)
	b.WriteByte('@')
	lv := s.v[layer]
	for _, code := range s.codes {
		if s.bounds[code].Intersects(bound) {
			b.WriteString(code)
			b.WriteByte('=')
			b.WriteString(strconv.FormatInt(lv[code], 10))
			b.WriteByte(',')
		}
	}
	// A version for a municipality not (yet) in the bounds, such as a deleted one.
	b.WriteString("n=")
	b.WriteString(strconv.Itoa(len(s.codes)))
	b.WriteByte(';')
}

// listen keeps a connection listening for version notifications until ctx is done,
// reconnecting after failures with a growing pause; each (re)connection marks the
// versions stale, since notifications may have been missed meanwhile.
func (vs *versions) listen(ctx context.Context, log *slog.Logger) {
	pause := time.Second
	failing := false // only the first failure of a run is a warning: the database may be down a while
	for {
		err := vs.db.ListenTiles(ctx, func() {
			vs.markStale()
			pause = time.Second
			if failing && log != nil {
				log.InfoContext(ctx, "tile versions: listening again")
			}
			failing = false
		}, func(string) { vs.markStale() })
		if ctx.Err() != nil {
			return
		}
		if log != nil {
			level := slog.LevelWarn
			if failing {
				level = slog.LevelDebug
			}
			log.Log(ctx, level, "tile versions: listen failed; reconnecting", "error", err.Error(), "pause", pause.String())
		}
		failing = true
		vs.markStale()
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, time.Minute)
	}
}
