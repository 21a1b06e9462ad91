// Package pbftest writes small OpenStreetMap PBF files for tests: paulmach/osm reads
// PBF but does not write it.
package pbftest

import (
	"bytes"
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Node and Way are the elements Write writes.
type Node struct {
	ID       int64
	Lon, Lat float64
	Tags     []string // key, value, key, value …
}

type Way struct {
	ID    int64
	Nodes []int64
	Tags  []string
}

// Write returns a minimal OpenStreetMap PBF file (the format of
// https://wiki.openstreetmap.org/wiki/PBF_Format): an OSMHeader blob and one OSMData
// blob, uncompressed (raw), with one PrimitiveBlock holding a DenseNodes group and a
// ways group. paulmach/osm reads PBF but does not write it.
func Write(nodes []Node, ways []Way) []byte {
	var out bytes.Buffer
	blob := func(typ string, data []byte) {
		var b []byte
		b = protowire.AppendTag(b, 1, protowire.BytesType) // raw
		b = protowire.AppendBytes(b, data)
		b = protowire.AppendTag(b, 2, protowire.VarintType) // raw_size
		b = protowire.AppendVarint(b, uint64(len(data)))
		var h []byte
		h = protowire.AppendTag(h, 1, protowire.BytesType) // type
		h = protowire.AppendString(h, typ)
		h = protowire.AppendTag(h, 3, protowire.VarintType) // datasize
		h = protowire.AppendVarint(h, uint64(len(b)))
		binary.Write(&out, binary.BigEndian, uint32(len(h))) //nolint:errcheck // a bytes.Buffer
		out.Write(h)
		out.Write(b)
	}
	var header []byte
	for _, f := range []string{"OsmSchema-V0.6", "DenseNodes"} {
		header = protowire.AppendTag(header, 4, protowire.BytesType) // required_features
		header = protowire.AppendString(header, f)
	}
	blob("OSMHeader", header)

	// The string table: index 0 is the empty string, by convention.
	strs, index := []string{""}, map[string]uint64{"": 0}
	sid := func(s string) uint64 {
		if i, ok := index[s]; ok {
			return i
		}
		index[s] = uint64(len(strs))
		strs = append(strs, s)
		return index[s]
	}
	packed := func(b []byte, field protowire.Number, vs []uint64) []byte {
		var p []byte
		for _, v := range vs {
			p = protowire.AppendVarint(p, v)
		}
		b = protowire.AppendTag(b, field, protowire.BytesType)
		return protowire.AppendBytes(b, p)
	}
	zig := protowire.EncodeZigZag
	// DenseNodes: delta-coded ids and coordinates (units of 100 nanodegrees, the default
	// granularity), keys_vals with a 0 after each node's tags.
	var ids, lats, lons, kv []uint64
	var pid, plat, plon int64
	for _, n := range nodes {
		lat, lon := int64(math.Round(n.Lat*1e7)), int64(math.Round(n.Lon*1e7))
		ids, lats, lons = append(ids, zig(n.ID-pid)), append(lats, zig(lat-plat)), append(lons, zig(lon-plon))
		pid, plat, plon = n.ID, lat, lon
		for _, s := range n.Tags {
			kv = append(kv, sid(s))
		}
		kv = append(kv, 0)
	}
	var dense []byte
	dense = packed(dense, 1, ids)
	dense = packed(dense, 8, lats)
	dense = packed(dense, 9, lons)
	dense = packed(dense, 10, kv)
	var nodeGroup []byte
	nodeGroup = protowire.AppendTag(nodeGroup, 2, protowire.BytesType)
	nodeGroup = protowire.AppendBytes(nodeGroup, dense)

	var wayGroup []byte
	for _, w := range ways {
		var keys, vals, refs []uint64
		for i := 0; i < len(w.Tags); i += 2 {
			keys, vals = append(keys, sid(w.Tags[i])), append(vals, sid(w.Tags[i+1]))
		}
		var prev int64
		for _, r := range w.Nodes {
			refs = append(refs, zig(r-prev))
			prev = r
		}
		var wb []byte
		wb = protowire.AppendTag(wb, 1, protowire.VarintType)
		wb = protowire.AppendVarint(wb, uint64(w.ID))
		wb = packed(wb, 2, keys)
		wb = packed(wb, 3, vals)
		wb = packed(wb, 8, refs)
		wayGroup = protowire.AppendTag(wayGroup, 3, protowire.BytesType)
		wayGroup = protowire.AppendBytes(wayGroup, wb)
	}

	var table []byte
	for _, s := range strs {
		table = protowire.AppendTag(table, 1, protowire.BytesType)
		table = protowire.AppendString(table, s)
	}
	var block []byte
	block = protowire.AppendTag(block, 1, protowire.BytesType) // stringtable
	block = protowire.AppendBytes(block, table)
	for _, g := range [][]byte{nodeGroup, wayGroup} {
		block = protowire.AppendTag(block, 2, protowire.BytesType) // primitivegroup
		block = protowire.AppendBytes(block, g)
	}
	blob("OSMData", block)
	return out.Bytes()
}

// Vara is a few elements in Vara: an address node, a bus stop, a café, a building way
// with an address, two ways of Storgatan, an unnamed road and a tree.
func Vara() ([]Node, []Way) {
	nodes := []Node{
		{1, 12.9620, 58.2590, nil},
		{2, 12.9660, 58.2592, nil},
		{3, 12.9700, 58.2594, nil},
		{4, 12.9640, 58.2592, []string{"addr:street", "Storgatan", "addr:housenumber", "5", "addr:postcode", "53430", "addr:city", "Vara"}},
		{5, 12.951757, 58.261184, []string{"highway", "bus_stop", "name", "Vara resecentrum"}},
		{6, 12.9560, 58.2620, []string{"amenity", "cafe", "name", "Café Torget"}},
		{7, 12.9600, 58.2600, nil}, {8, 12.9602, 58.2600, nil}, {9, 12.9602, 58.2602, nil},
		{10, 12.9500, 58.2500, []string{"natural", "tree"}}, // tagged, but nothing for the gazetteer
	}
	ways := []Way{
		{100, []int64{1, 2}, []string{"highway", "residential", "name", "Storgatan"}},
		{101, []int64{2, 3}, []string{"highway", "residential", "name", "Storgatan"}},
		{102, []int64{7, 8, 9, 7}, []string{"building", "yes", "addr:street", "Kyrkogatan", "addr:housenumber", "2"}},
		{103, []int64{1, 3}, []string{"highway", "service"}},
	}
	return nodes, ways
}
