package tiles

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"

	"github.com/klauspost/compress/gzip"
	"golang.org/x/sync/singleflight"
)

// Tile is a built tile as cached: gzipped MVT bytes and the strong ETag of the MVT. A
// tile just built holds its MVT bytes (Raw) until it has been compressed in the
// background; then the cache holds the gzipped bytes only. An empty tile has no bytes.
type Tile struct {
	Gzip []byte
	Raw  []byte
	ETag string
}

// Empty reports whether the tile has no features.
func (t *Tile) Empty() bool { return len(t.Gzip) == 0 && len(t.Raw) == 0 }

func (t *Tile) bytes() int64 { return int64(len(t.Gzip) + len(t.Raw)) }

// gzipInline is the size of MVT above which a built tile is compressed before it is
// served: compressing costs a small tile about as much as building it, but a large one
// much less than sending it uncompressed.
const gzipInline = 64 << 10

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

	group      singleflight.Group
	background sync.WaitGroup // compressions under way

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
	cost := t.bytes() + int64(len(key)) + entryOverhead
	c.mu.Lock()
	defer c.mu.Unlock()
	if cost > c.max {
		return
	}
	if el, ok := c.items[key]; ok {
		old := el.Value.(*entry)
		c.size += t.bytes() - old.tile.bytes()
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
		c.size -= e.tile.bytes() + int64(len(e.key)) + entryOverhead
	}
}

// swap replaces the tile under key by t if it is still old (not evicted, purged or
// rebuilt meanwhile).
func (c *Cache) swap(key string, old, t *Tile) {
	c.mu.Lock()
	el, ok := c.items[key]
	same := ok && el.Value.(*entry).tile == old
	c.mu.Unlock()
	if same {
		c.Add(key, t)
	}
}

// Wait waits for the compressions under way (the benchmarks measure without them).
func (c *Cache) Wait() { c.background.Wait() }

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
// once. A small tile is cached and returned uncompressed at once and compressed in the
// background, so its first request does not wait for gzip. Errors are not cached.
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
		t := &Tile{ETag: etag(mvt)}
		switch {
		case len(mvt) == 0:
		case len(mvt) > gzipInline:
			t.Gzip = gzipped(mvt)
		default:
			t.Raw = mvt
		}
		c.Add(key, t) // before the compression below looks for it
		if t.Raw != nil {
			c.background.Add(1)
			go func() {
				defer c.background.Done()
				c.swap(key, t, &Tile{Gzip: gzipped(mvt), ETag: t.ETag})
			}()
		}
		return t, nil
	})
	if err != nil {
		return nil, false, err
	}
	return v.(*Tile), false, nil
}

// etag is the strong ETag of MVT bytes: a hash of them, the same whether they are sent
// gzipped or not.
func etag(mvt []byte) string {
	if len(mvt) == 0 {
		return `"empty"`
	}
	sum := sha256.Sum256(mvt)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// gzipWriters are reused. klauspost/compress's gzip, not the standard library's: at
// the fastest level it compresses a typical tile about ten times faster, and its
// writer's state is far smaller than the standard one's megabyte, which a sync.Pool
// loses at every garbage collection.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed) // the level is valid
	return zw
}}

// gzipped returns mvt gzipped.
func gzipped(mvt []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(mvt)/2 + 64)
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&b)
	zw.Write(mvt) //nolint:errcheck // writes to a bytes.Buffer do not fail
	zw.Close()    //nolint:errcheck // as above
	return b.Bytes()
}
