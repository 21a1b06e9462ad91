// Package basemaptest writes small basemap archives for tests: vector tiles in the
// Protomaps schema (layers earth, water, roads, places) over an area, as PMTiles v3
// (with go-pmtiles' own directory and header encoders) or MBTiles.
package basemaptest

import (
	"database/sql"
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/protomaps/go-pmtiles/pmtiles"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// Vara is the demo area around Vara's centre that WritePMTiles and WriteMBTiles cover.
var Vara = orb.Bound{Min: orb.Point{13.1, 58.2}, Max: orb.Point{13.2, 58.3}}

// MinZoom and MaxZoom are the zooms of the tiles written.
const (
	MinZoom = 10
	MaxZoom = 14
)

// RoadName is the name of the road every tile over an area carries.
const RoadName = "Storgatan"

// Tile is one tile of an archive.
type Tile struct {
	Z, X, Y int
	Data    []byte // gzipped MVT
}

// VectorLayers is the archive's vector_layers metadata: every layer of the Protomaps
// schema (so MapLibre finds each layer its style names), of which the tiles hold
// earth, water, roads and places.
var VectorLayers = []map[string]any{
	{"id": "earth", "fields": map[string]string{}, "minzoom": MinZoom, "maxzoom": MaxZoom},
	{"id": "water", "fields": map[string]string{"kind": "String"}, "minzoom": MinZoom, "maxzoom": MaxZoom},
	{"id": "roads", "fields": map[string]string{"kind": "String", "name": "String"}, "minzoom": MinZoom, "maxzoom": MaxZoom},
	{"id": "places", "fields": map[string]string{"kind": "String", "name": "String", "name:sv": "String"}, "minzoom": MinZoom, "maxzoom": MaxZoom},
	{"id": "landcover", "fields": map[string]string{}, "minzoom": MinZoom, "maxzoom": MaxZoom},
	{"id": "landuse", "fields": map[string]string{}, "minzoom": MinZoom, "maxzoom": MaxZoom},
	{"id": "buildings", "fields": map[string]string{}, "minzoom": MinZoom, "maxzoom": MaxZoom},
	{"id": "boundaries", "fields": map[string]string{}, "minzoom": MinZoom, "maxzoom": MaxZoom},
	{"id": "pois", "fields": map[string]string{}, "minzoom": MinZoom, "maxzoom": MaxZoom},
	{"id": "transit", "fields": map[string]string{}, "minzoom": MinZoom, "maxzoom": MaxZoom},
}

// Tiles returns the tiles over the areas at zooms MinZoom to MaxZoom: each has the
// earth, a lake, a road named RoadName across the area and a place at its centre.
func Tiles(t testing.TB, areas ...orb.Bound) []Tile {
	t.Helper()
	seen := map[maptile.Tile]bool{}
	var out []Tile
	for _, area := range areas {
		c := area.Center()
		road := orb.LineString{{area.Min[0], c[1]}, {area.Max[0], c[1] + (area.Max[1]-area.Min[1])/10}}
		lake := orb.Polygon{{{c[0] + 0.01, c[1] - 0.02}, {c[0] + 0.03, c[1] - 0.02}, {c[0] + 0.03, c[1] - 0.01}, {c[0] + 0.01, c[1] - 0.01}, {c[0] + 0.01, c[1] - 0.02}}}
		for z := maptile.Zoom(MinZoom); z <= MaxZoom; z++ {
			lo, hi := maptile.At(orb.Point{area.Min[0], area.Max[1]}, z), maptile.At(orb.Point{area.Max[0], area.Min[1]}, z)
			for x := lo.X; x <= hi.X; x++ {
				for y := lo.Y; y <= hi.Y; y++ {
					tile := maptile.New(x, y, z)
					if seen[tile] {
						continue
					}
					seen[tile] = true
					earth := geojson.NewFeatureCollection().Append(geojson.NewFeature(tile.Bound().ToPolygon()))
					water := geojson.NewFeatureCollection()
					wf := geojson.NewFeature(orb.Clone(lake)) // projecting a layer changes its geometry in place
					wf.Properties["kind"] = "lake"
					water.Append(wf)
					roads := geojson.NewFeatureCollection()
					rf := geojson.NewFeature(orb.Clone(road))
					rf.Properties["kind"], rf.Properties["name"], rf.Properties["min_zoom"] = "major_road", RoadName, 7
					roads.Append(rf)
					places := geojson.NewFeatureCollection()
					pf := geojson.NewFeature(c)
					pf.Properties["kind"], pf.Properties["name"], pf.Properties["name:sv"] = "locality", "Vara", "Vara"
					pf.Properties["min_zoom"], pf.Properties["population_rank"] = 8, 9
					places.Append(pf)
					layers := mvt.NewLayers(map[string]*geojson.FeatureCollection{"earth": earth, "water": water, "roads": roads, "places": places})
					layers.ProjectToTile(tile)
					layers.Clip(mvt.MapboxGLDefaultExtentBound)
					for _, l := range layers {
						l.Version = 2
					}
					b, err := mvt.MarshalGzipped(layers)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, Tile{Z: int(z), X: int(x), Y: int(y), Data: b})
				}
			}
		}
	}
	return out
}

// WritePMTiles writes a PMTiles archive over Vara and returns its tiles.
func WritePMTiles(t testing.TB, path string) []Tile {
	t.Helper()
	tiles := Tiles(t, Vara)
	WritePMTilesOf(t, path, tiles)
	return tiles
}

// WriteMBTiles writes an MBTiles archive over Vara and returns its tiles.
func WriteMBTiles(t testing.TB, path string) []Tile {
	t.Helper()
	tiles := Tiles(t, Vara)
	WriteMBTilesOf(t, path, tiles)
	return tiles
}

func bounds(tiles []Tile) orb.Bound {
	b := maptile.New(uint32(tiles[0].X), uint32(tiles[0].Y), maptile.Zoom(tiles[0].Z)).Bound()
	for _, tl := range tiles {
		b = b.Union(maptile.New(uint32(tl.X), uint32(tl.Y), maptile.Zoom(tl.Z)).Bound())
	}
	return b
}

// WritePMTilesOf writes tiles as a clustered PMTiles v3 archive: the header, the root
// directory, the metadata, any leaf directories, then the tile data in tile id order.
func WritePMTilesOf(t testing.TB, path string, tiles []Tile) {
	t.Helper()
	sorted := append([]Tile(nil), tiles...)
	id := func(tl Tile) uint64 { return pmtiles.ZxyToID(uint8(tl.Z), uint32(tl.X), uint32(tl.Y)) }
	sort.Slice(sorted, func(i, j int) bool { return id(sorted[i]) < id(sorted[j]) })
	var entries []pmtiles.EntryV3
	var data []byte
	for _, tl := range sorted {
		entries = append(entries, pmtiles.EntryV3{TileID: id(tl), Offset: uint64(len(data)), Length: uint32(len(tl.Data)), RunLength: 1})
		data = append(data, tl.Data...)
	}
	root, leaves, _ := pmtiles.BuildDirectories(entries, 16384-pmtiles.HeaderV3LenBytes, pmtiles.Gzip)
	meta, err := pmtiles.SerializeMetadata(map[string]any{"name": "trygg test basemap", "vector_layers": VectorLayers,
		"attribution": "© OpenStreetMap contributors"}, pmtiles.Gzip)
	if err != nil {
		t.Fatal(err)
	}
	b := bounds(tiles)
	c := b.Center()
	h := pmtiles.HeaderV3{SpecVersion: 3, Clustered: true, InternalCompression: pmtiles.Gzip, TileCompression: pmtiles.Gzip,
		TileType: pmtiles.Mvt, MinZoom: MinZoom, MaxZoom: MaxZoom, CenterZoom: 12,
		MinLonE7: int32(b.Min[0] * 1e7), MinLatE7: int32(b.Min[1] * 1e7), MaxLonE7: int32(b.Max[0] * 1e7), MaxLatE7: int32(b.Max[1] * 1e7),
		CenterLonE7: int32(c[0] * 1e7), CenterLatE7: int32(c[1] * 1e7),
		AddressedTilesCount: uint64(len(entries)), TileEntriesCount: uint64(len(entries)), TileContentsCount: uint64(len(entries))}
	h.RootOffset = pmtiles.HeaderV3LenBytes
	h.RootLength = uint64(len(root))
	h.MetadataOffset = h.RootOffset + h.RootLength
	h.MetadataLength = uint64(len(meta))
	h.LeafDirectoryOffset = h.MetadataOffset + h.MetadataLength
	h.LeafDirectoryLength = uint64(len(leaves))
	h.TileDataOffset = h.LeafDirectoryOffset + h.LeafDirectoryLength
	h.TileDataLength = uint64(len(data))
	var out []byte
	for _, part := range [][]byte{pmtiles.SerializeHeader(h), root, meta, leaves, data} {
		out = append(out, part...)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// WriteMBTilesOf writes tiles as an MBTiles 1.3 file (rows in the TMS scheme).
func WriteMBTilesOf(t testing.TB, path string, tiles []Tile) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	b := bounds(tiles)
	c := b.Center()
	stmts := []string{
		`CREATE TABLE metadata (name text, value text)`,
		`CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)`,
		`CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)`,
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	layers := `{"vector_layers":[`
	for i, l := range VectorLayers {
		if i > 0 {
			layers += ","
		}
		layers += fmt.Sprintf(`{"id":%q,"fields":{},"minzoom":%d,"maxzoom":%d}`, l["id"], MinZoom, MaxZoom)
	}
	layers += "]}"
	for k, v := range map[string]string{"name": "trygg test basemap", "format": "pbf", "minzoom": fmt.Sprint(MinZoom),
		"maxzoom": fmt.Sprint(MaxZoom), "bounds": fmt.Sprintf("%f,%f,%f,%f", b.Min[0], b.Min[1], b.Max[0], b.Max[1]),
		"center": fmt.Sprintf("%f,%f,12", c[0], c[1]), "json": layers} {
		if _, err := db.Exec(`INSERT INTO metadata VALUES (?, ?)`, k, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, tl := range tiles {
		if _, err := db.Exec(`INSERT INTO tiles VALUES (?, ?, ?, ?)`, tl.Z, tl.X, (1<<tl.Z)-1-tl.Y, tl.Data); err != nil {
			t.Fatal(err)
		}
	}
}
