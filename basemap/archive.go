// Package basemap reads the vector basemap an operator provides (TRYGG_BASEMAP): a
// PMTiles v3 archive, read with Protomaps' go-pmtiles, or an MBTiles file (SQLite,
// through the pure-Go modernc.org/sqlite driver). It serves the tiles at
// /basemap/{z}/{x}/{y}.mvt and their TileJSON at /basemap.json (handler.go), and
// extracts an area from a remote PMTiles build over HTTP range requests (fetch.go).
package basemap

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/protomaps/go-pmtiles/pmtiles"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// Attribution is the basemap's attribution: its data is OpenStreetMap's.
const Attribution = "© OpenStreetMap contributors"

// Metadata describes an archive, from its header and metadata.
type Metadata struct {
	Name         string
	MinZoom      int
	MaxZoom      int
	Bounds       [4]float64 // west, south, east, north
	Center       [3]float64 // lon, lat, zoom
	VectorLayers []json.RawMessage
}

// Archive is an open tile archive. It is safe for concurrent use.
type Archive struct {
	path   string
	kind   string // "pmtiles" or "mbtiles"
	meta   Metadata
	reader interface {
		tile(ctx context.Context, z, x, y int) ([]byte, error)
		close() error
	}
}

// Open opens the PMTiles or MBTiles archive at path (told apart by their first bytes)
// and reads its metadata. Its tiles must be vector tiles (MVT), gzipped or not.
func Open(path string) (*Archive, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("basemap: %w", err)
	}
	magic := make([]byte, 16)
	_, err = io.ReadFull(f, magic)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("basemap: %s is neither a PMTiles nor an MBTiles file", path)
	}
	a := &Archive{path: path}
	switch {
	case bytes.HasPrefix(magic, []byte("PMTiles")):
		a.kind = "pmtiles"
		p, meta, err := openPMTiles(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("basemap: %s: %w", path, err)
		}
		a.reader, a.meta = p, meta
	case bytes.Equal(magic, []byte("SQLite format 3\x00")):
		f.Close()
		a.kind = "mbtiles"
		m, meta, err := openMBTiles(path)
		if err != nil {
			return nil, fmt.Errorf("basemap: %s: %w", path, err)
		}
		a.reader, a.meta = m, meta
	default:
		f.Close()
		return nil, fmt.Errorf("basemap: %s is neither a PMTiles nor an MBTiles file", path)
	}
	return a, nil
}

// Kind is "pmtiles" or "mbtiles".
func (a *Archive) Kind() string { return a.kind }

// Metadata returns the archive's metadata.
func (a *Archive) Metadata() Metadata { return a.meta }

// Tile returns the stored bytes of tile z/x/y (XYZ scheme), gzipped or not as stored,
// and nil for a tile the archive does not have.
func (a *Archive) Tile(ctx context.Context, z, x, y int) ([]byte, error) {
	if z < a.meta.MinZoom || z > a.meta.MaxZoom {
		return nil, nil
	}
	return a.reader.tile(ctx, z, x, y)
}

// Close closes the archive.
func (a *Archive) Close() error { return a.reader.close() }

// Gzipped reports whether b is gzip data (its magic number).
func Gzipped(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// pmtilesReader reads a PMTiles v3 file: the root directory is held in memory, leaf
// directories in a small cache.
type pmtilesReader struct {
	f      *os.File
	header pmtiles.HeaderV3
	root   []pmtiles.EntryV3

	mu     sync.Mutex
	leaves map[uint64][]pmtiles.EntryV3 // by offset
}

const maxLeaves = 64

func openPMTiles(f *os.File) (*pmtilesReader, Metadata, error) {
	var meta Metadata
	hb := make([]byte, pmtiles.HeaderV3LenBytes)
	if _, err := f.ReadAt(hb, 0); err != nil {
		return nil, meta, fmt.Errorf("read the header: %w", err)
	}
	h, err := pmtiles.DeserializeHeader(hb)
	if err != nil {
		return nil, meta, err
	}
	if h.TileType != pmtiles.Mvt {
		return nil, meta, fmt.Errorf("the tiles are not vector tiles (MVT)")
	}
	if h.TileCompression != pmtiles.Gzip && h.TileCompression != pmtiles.NoCompression && h.TileCompression != pmtiles.UnknownCompression {
		return nil, meta, fmt.Errorf("tile compression %d is not supported: want gzip or none", h.TileCompression)
	}
	p := &pmtilesReader{f: f, header: h, leaves: map[uint64][]pmtiles.EntryV3{}}
	rb, err := p.read(h.RootOffset, h.RootLength)
	if err != nil {
		return nil, meta, fmt.Errorf("read the root directory: %w", err)
	}
	p.root = pmtiles.DeserializeEntries(bytes.NewBuffer(rb), h.InternalCompression)
	mb, err := p.read(h.MetadataOffset, h.MetadataLength)
	if err != nil {
		return nil, meta, fmt.Errorf("read the metadata: %w", err)
	}
	var doc struct {
		Name         string            `json:"name"`
		VectorLayers []json.RawMessage `json:"vector_layers"`
	}
	if len(mb) > 0 {
		jb, err := pmtiles.DeserializeMetadataBytes(bytes.NewReader(mb), h.InternalCompression)
		if err != nil {
			return nil, meta, fmt.Errorf("read the metadata: %w", err)
		}
		if err := json.Unmarshal(jb, &doc); err != nil {
			return nil, meta, fmt.Errorf("the metadata is not JSON: %w", err)
		}
	}
	meta = Metadata{Name: doc.Name, MinZoom: int(h.MinZoom), MaxZoom: int(h.MaxZoom),
		Bounds: [4]float64{e7(h.MinLonE7), e7(h.MinLatE7), e7(h.MaxLonE7), e7(h.MaxLatE7)},
		Center: [3]float64{e7(h.CenterLonE7), e7(h.CenterLatE7), float64(h.CenterZoom)}, VectorLayers: doc.VectorLayers}
	return p, meta, nil
}

func e7(v int32) float64 { return math.Round(float64(v)/1e3) / 1e4 }

func (p *pmtilesReader) read(off, n uint64) ([]byte, error) {
	b := make([]byte, n)
	_, err := p.f.ReadAt(b, int64(off))
	return b, err
}

func (p *pmtilesReader) tile(_ context.Context, z, x, y int) ([]byte, error) {
	id := pmtiles.ZxyToID(uint8(z), uint32(x), uint32(y))
	entries := p.root
	for depth := 0; depth < 4; depth++ { // the root and at most three levels of leaves
		e, ok := pmtiles.FindTile(entries, id)
		if !ok {
			return nil, nil
		}
		if e.RunLength > 0 {
			return p.read(p.header.TileDataOffset+e.Offset, uint64(e.Length))
		}
		var err error
		if entries, err = p.leaf(p.header.LeafDirectoryOffset+e.Offset, uint64(e.Length)); err != nil {
			return nil, err
		}
	}
	return nil, errors.New("basemap: PMTiles directories nest too deep")
}

func (p *pmtilesReader) leaf(off, n uint64) ([]pmtiles.EntryV3, error) {
	p.mu.Lock()
	entries, ok := p.leaves[off]
	p.mu.Unlock()
	if ok {
		return entries, nil
	}
	b, err := p.read(off, n)
	if err != nil {
		return nil, err
	}
	entries = pmtiles.DeserializeEntries(bytes.NewBuffer(b), p.header.InternalCompression)
	p.mu.Lock()
	if len(p.leaves) >= maxLeaves {
		clear(p.leaves)
	}
	p.leaves[off] = entries
	p.mu.Unlock()
	return entries, nil
}

func (p *pmtilesReader) close() error { return p.f.Close() }

// mbtilesReader reads an MBTiles 1.3 file (its rows are in the TMS scheme).
type mbtilesReader struct {
	db   *sql.DB
	stmt *sql.Stmt
}

func openMBTiles(path string) (*mbtilesReader, Metadata, error) {
	var meta Metadata
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=query_only(1)")
	if err != nil {
		return nil, meta, err
	}
	m := &mbtilesReader{db: db}
	rows, err := db.Query(`SELECT name, value FROM metadata`)
	if err != nil {
		db.Close()
		return nil, meta, fmt.Errorf("read the metadata table: %w", err)
	}
	kv := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			db.Close()
			return nil, meta, err
		}
		kv[k] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		db.Close()
		return nil, meta, err
	}
	if f := kv["format"]; f != "" && f != "pbf" && f != "mvt" {
		db.Close()
		return nil, meta, fmt.Errorf("the tiles are %q, not vector tiles (pbf)", f)
	}
	meta.Name = kv["name"]
	meta.MinZoom, meta.MaxZoom = 0, 14
	if v, err := strconv.Atoi(kv["minzoom"]); err == nil {
		meta.MinZoom = v
	}
	if v, err := strconv.Atoi(kv["maxzoom"]); err == nil {
		meta.MaxZoom = v
	}
	meta.Bounds = [4]float64{-180, -85.0511, 180, 85.0511}
	if b := floats(kv["bounds"]); len(b) == 4 {
		meta.Bounds = [4]float64{b[0], b[1], b[2], b[3]}
	}
	meta.Center = [3]float64{(meta.Bounds[0] + meta.Bounds[2]) / 2, (meta.Bounds[1] + meta.Bounds[3]) / 2, float64(meta.MinZoom)}
	if c := floats(kv["center"]); len(c) == 3 {
		meta.Center = [3]float64{c[0], c[1], c[2]}
	}
	if j := kv["json"]; j != "" {
		var doc struct {
			VectorLayers []json.RawMessage `json:"vector_layers"`
		}
		if err := json.Unmarshal([]byte(j), &doc); err != nil {
			db.Close()
			return nil, meta, fmt.Errorf("metadata json is not JSON: %w", err)
		}
		meta.VectorLayers = doc.VectorLayers
	}
	m.stmt, err = db.Prepare(`SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?`)
	if err != nil {
		db.Close()
		return nil, meta, fmt.Errorf("read the tiles table: %w", err)
	}
	return m, meta, nil
}

func floats(s string) []float64 {
	var out []float64
	for _, p := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil
		}
		out = append(out, v)
	}
	return out
}

func (m *mbtilesReader) tile(ctx context.Context, z, x, y int) ([]byte, error) {
	var b []byte
	err := m.stmt.QueryRowContext(ctx, z, x, (1<<z)-1-y).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return b, err
}

func (m *mbtilesReader) close() error {
	m.stmt.Close()
	return m.db.Close()
}
