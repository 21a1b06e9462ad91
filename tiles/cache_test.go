package tiles

import (
	"bytes"
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := NewCache(3 * (entryOverhead + 100 + 2))
	for i := range 3 {
		c.Add("k"+strconv.Itoa(i), &Tile{Gzip: make([]byte, 100)})
	}
	c.Get("k0") // k1 is now the least recently used
	c.Add("k3", &Tile{Gzip: make([]byte, 100)})
	for key, want := range map[string]bool{"k0": true, "k1": false, "k2": true, "k3": true} {
		if _, ok := c.Get(key); ok != want {
			t.Errorf("%s cached %v, want %v", key, ok, want)
		}
	}
	if size, n := c.Size(); n != 3 || size > c.max {
		t.Errorf("size %d (max %d), %d tiles, want 3", size, c.max, n)
	}
	c.Add("huge", &Tile{Gzip: make([]byte, 10_000)})
	if _, ok := c.Get("huge"); ok {
		t.Error("a tile larger than the cache was kept")
	}
}

func TestCacheFetchBuildsOnce(t *testing.T) {
	c := NewCache(1 << 20)
	var builds atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	tiles := make([]*Tile, 16)
	for i := range tiles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tl, _, err := c.Fetch(context.Background(), "k", func(context.Context) ([]byte, error) {
				builds.Add(1)
				<-release
				return []byte("mvt bytes"), nil
			})
			if err != nil {
				t.Error(err)
			}
			tiles[i] = tl
		}()
	}
	close(release)
	wg.Wait()
	if n := builds.Load(); n != 1 {
		t.Errorf("%d builds for concurrent misses of one key, want 1", n)
	}
	for _, tl := range tiles {
		if tl == nil || tl.ETag != tiles[0].ETag || tl.Empty() {
			t.Fatalf("tile %+v", tl)
		}
	}
	empty, _, _ := c.Fetch(context.Background(), "e", func(context.Context) ([]byte, error) { return nil, nil })
	if !empty.Empty() {
		t.Error("an empty build is not an empty tile")
	}
}

func TestCachePurge(t *testing.T) {
	c := NewCache(1 << 20)
	c.Add("a", &Tile{Gzip: make([]byte, 100)})
	c.Add("b", &Tile{Gzip: make([]byte, 100)})
	c.Purge()
	if n, tiles := c.Size(); n != 0 || tiles != 0 {
		t.Errorf("after Purge: %d bytes, %d tiles", n, tiles)
	}
	if _, ok := c.Get("a"); ok {
		t.Error("a purged tile is still there")
	}
	c.Add("c", &Tile{Gzip: make([]byte, 100)})
	if _, ok := c.Get("c"); !ok {
		t.Error("the purged cache does not keep new tiles")
	}
}

// TestFetchCompressesInBackground: a small tile is cached and returned as built, then
// replaced by its gzipped bytes under the same ETag; a large one is gzipped at once.
func TestFetchCompressesInBackground(t *testing.T) {
	c := NewCache(1 << 20)
	mvt := bytes.Repeat([]byte("trygg "), 100)
	for i := range 50 { // the compression must find the entry however it is scheduled
		key := "small" + strconv.Itoa(i)
		first, _, err := c.Fetch(context.Background(), key, func(context.Context) ([]byte, error) { return mvt, nil })
		if err != nil || first.Raw == nil {
			t.Fatalf("first fetch: raw %d bytes, err %v", len(first.Raw), err)
		}
		c.Wait()
		got, ok := c.Get(key)
		if !ok || got.Raw != nil || got.Gzip == nil || got.ETag != first.ETag {
			t.Fatalf("after the compression: cached %v, raw %d, gzip %d bytes, ETag %s (first %s)", ok, len(got.Raw), len(got.Gzip), got.ETag, first.ETag)
		}
	}
	big := bytes.Repeat([]byte("x"), gzipInline+1)
	tl, _, err := c.Fetch(context.Background(), "big", func(context.Context) ([]byte, error) { return big, nil })
	if err != nil || tl.Raw != nil || tl.Gzip == nil {
		t.Errorf("large tile: raw %d, gzip %d bytes, err %v", len(tl.Raw), len(tl.Gzip), err)
	}
}
