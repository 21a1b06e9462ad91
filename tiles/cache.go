package tiles

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"

	"golang.org/x/sync/singleflight"
)

// Tile is a built tile as cached: gzipped MVT bytes and their strong ETag. An empty
// tile has no bytes.
type Tile struct {
	Gzip []byte
	ETag string
}

// Empty reports whether the tile has no features.
func (t *Tile) Empty() bool { return len(t.Gzip) == 0 }

// entryOverhead is what an entry costs besides its bytes (key, list element, map).
const entryOverhead = 256

// Cache holds gzipped tiles in memory, least recently used first out, up to a number
// of bytes. Concurrent misses for one key build the tile once (singleflight).
type Cache struct {
	mu    sync.Mutex
	max   int64
	size  int64
	ll    *list.List // front: most recently used
	items map[string]*list.Element

	group singleflight.Group

	hits, misses int64
}

type entry struct {
	key  string
	tile *Tile
}

// NewCache returns a cache of at most maxBytes.
func NewCache(maxBytes int64) *Cache {
	return &Cache{max: maxBytes, ll: list.New(), items: map[string]*list.Element{}}
}

// Get returns the tile cached under key.
func (c *Cache) Get(key string) (*Tile, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.ll.MoveToFront(el)
		c.hits++
		return el.Value.(*entry).tile, true
	}
	c.misses++
	return nil, false
}

// Add caches t under key, evicting the least recently used tiles beyond the size. A
// tile larger than the whole cache is not kept.
func (c *Cache) Add(key string, t *Tile) {
	cost := int64(len(t.Gzip)+len(key)) + entryOverhead
	c.mu.Lock()
	defer c.mu.Unlock()
	if cost > c.max {
		return
	}
	if el, ok := c.items[key]; ok {
		old := el.Value.(*entry)
		c.size += int64(len(t.Gzip) - len(old.tile.Gzip))
		old.tile = t
		c.ll.MoveToFront(el)
	} else {
		c.items[key] = c.ll.PushFront(&entry{key: key, tile: t})
		c.size += cost
	}
	for c.size > c.max {
		el := c.ll.Back()
		e := el.Value.(*entry)
		c.ll.Remove(el)
		delete(c.items, e.key)
		c.size -= int64(len(e.tile.Gzip)+len(e.key)) + entryOverhead
	}
}

// Purge empties the cache (the benchmarks measure cold tiles with it).
func (c *Cache) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ll.Init()
	clear(c.items)
	c.size = 0
}

// Size returns the bytes held and the number of tiles.
func (c *Cache) Size() (bytes int64, tiles int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size, len(c.items)
}

// Fetch returns the tile under key and whether it was cached, building it with build
// (the MVT bytes, not compressed) on a miss; concurrent misses for one key run build
// once. Errors are not cached.
func (c *Cache) Fetch(ctx context.Context, key string, build func(context.Context) ([]byte, error)) (*Tile, bool, error) {
	if t, ok := c.Get(key); ok {
		return t, true, nil
	}
	v, err, _ := c.group.Do(key, func() (any, error) {
		if t, ok := c.Get(key); ok { // built while this caller waited for the lock
			return t, nil
		}
		mvt, err := build(ctx)
		if err != nil {
			return nil, err
		}
		t, err := compress(mvt)
		if err != nil {
			return nil, err
		}
		c.Add(key, t)
		return t, nil
	})
	if err != nil {
		return nil, false, err
	}
	return v.(*Tile), false, nil
}

// gzipWriters are reused: a new gzip writer allocates about a megabyte of state,
// which would cost more than compressing a small tile.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed) // the level is valid
	return zw
}}

// compress gzips mvt and computes its ETag (a hash of the gzipped bytes).
func compress(mvt []byte) (*Tile, error) {
	if len(mvt) == 0 {
		return &Tile{ETag: `"empty"`}, nil
	}
	var b bytes.Buffer
	b.Grow(len(mvt)/2 + 64)
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&b)
	if _, err := zw.Write(mvt); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b.Bytes())
	return &Tile{Gzip: b.Bytes(), ETag: `"` + hex.EncodeToString(sum[:16]) + `"`}, nil
}
