package importer

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"
	"github.com/trygg-gis/trygg"
)

// OSMSummary counts what ReadOSM found.
type OSMSummary struct {
	Nodes, Ways int // elements read
	Addresses   int
	StreetWays  int // named highway ways (the store merges them by name and municipality)
	Stops       int
	Places      int
}

// ReadOSM reads gazetteer entries from an OpenStreetMap PBF file (open opens it; it is
// read twice): addresses (addr:street and addr:housenumber, on nodes and, at their
// centre, on ways), named streets (highway ways with a name, as lines), stops
// (railway=station|halt, public_transport=station|stop_position|platform,
// highway=bus_stop, amenity=bus_station) and named places (amenity, shop, leisure,
// tourism, place) on nodes and ways. The first pass reads the ways and notes the nodes
// they need; the second reads the nodes, so only those coordinates are kept. Progress
// goes to progress (nil for none).
func ReadOSM(ctx context.Context, open func() (io.ReadCloser, error), progress io.Writer) ([]trygg.GazetteerEntry, OSMSummary, error) {
	if progress == nil {
		progress = io.Discard
	}
	var sum OSMSummary
	type wayEntry struct {
		e     trygg.GazetteerEntry
		nodes []osm.NodeID
	}
	var ways []wayEntry
	need := map[osm.NodeID]orb.Point{}
	missing := orb.Point{999, 999}

	err := scanOSM(ctx, open, func(s *osmpbf.Scanner) { s.SkipNodes, s.SkipRelations = true, true }, func(o osm.Object) {
		w, ok := o.(*osm.Way)
		if !ok {
			return
		}
		sum.Ways++
		if sum.Ways%1_000_000 == 0 {
			fmt.Fprintf(progress, "gazetteer: %d ways read\n", sum.Ways)
		}
		e, ok := osmEntry(w.Tags, "w"+strconv.FormatInt(int64(w.ID), 10))
		if !ok {
			return
		}
		ids := make([]osm.NodeID, len(w.Nodes))
		for i, n := range w.Nodes {
			ids[i] = n.ID
			need[n.ID] = missing
		}
		ways = append(ways, wayEntry{e, ids})
	})
	if err != nil {
		return nil, sum, err
	}

	var out []trygg.GazetteerEntry
	err = scanOSM(ctx, open, func(s *osmpbf.Scanner) { s.SkipWays, s.SkipRelations = true, true }, func(o osm.Object) {
		n, ok := o.(*osm.Node)
		if !ok {
			return
		}
		sum.Nodes++
		if sum.Nodes%10_000_000 == 0 {
			fmt.Fprintf(progress, "gazetteer: %d nodes read\n", sum.Nodes)
		}
		p := orb.Point{n.Lon, n.Lat}
		if _, ok := need[n.ID]; ok {
			need[n.ID] = p
		}
		if len(n.Tags) == 0 {
			return
		}
		if e, ok := osmEntry(n.Tags, "n"+strconv.FormatInt(int64(n.ID), 10)); ok && e.Kind != trygg.PlaceStreet {
			e.Location = p
			out = append(out, e)
		}
	})
	if err != nil {
		return nil, sum, err
	}

	for _, w := range ways {
		var line orb.LineString
		for _, id := range w.nodes {
			if p := need[id]; p != missing {
				line = append(line, p)
			}
		}
		if len(line) == 0 {
			continue // none of its nodes is in the extract
		}
		e := w.e
		if e.Kind == trygg.PlaceStreet {
			if len(line) < 2 {
				continue
			}
			e.Lines = orb.MultiLineString{line}
			e.Location = line[len(line)/2]
		} else {
			e.Location = centre(line)
		}
		out = append(out, e)
	}
	for _, e := range out {
		switch e.Kind {
		case trygg.PlaceAddress:
			sum.Addresses++
		case trygg.PlaceStreet:
			sum.StreetWays++
		case trygg.PlaceStop:
			sum.Stops++
		case trygg.PlacePlace:
			sum.Places++
		}
	}
	return out, sum, nil
}

// scanOSM opens the file and calls each for every object the scanner, set up by setup, reads.
func scanOSM(ctx context.Context, open func() (io.ReadCloser, error), setup func(*osmpbf.Scanner), each func(osm.Object)) error {
	f, err := open()
	if err != nil {
		return err
	}
	defer f.Close()
	s := osmpbf.New(ctx, f, max(1, runtime.GOMAXPROCS(0)))
	defer s.Close()
	setup(s)
	for s.Scan() {
		each(s.Object())
	}
	if err := s.Err(); err != nil {
		return fmt.Errorf("read OpenStreetMap PBF: %w", err)
	}
	return nil
}

// centre is the average of a way's points (a building's, a square's).
func centre(line orb.LineString) orb.Point {
	if len(line) > 1 && line[0] == line[len(line)-1] {
		line = line[:len(line)-1] // a closed ring counts its first point once
	}
	var c orb.Point
	for _, p := range line {
		c[0] += p[0]
		c[1] += p[1]
	}
	return orb.Point{c[0] / float64(len(line)), c[1] / float64(len(line))}
}

// osmEntry is the gazetteer entry an element's tags make (without its position), if any.
func osmEntry(tags osm.Tags, id string) (trygg.GazetteerEntry, bool) {
	e := trygg.GazetteerEntry{Source: "osm", SourceID: id, Locality: tags.Find("addr:city"), Postcode: tags.Find("addr:postcode")}
	name := strings.TrimSpace(tags.Find("name"))
	street, number := strings.TrimSpace(tags.Find("addr:street")), strings.TrimSpace(tags.Find("addr:housenumber"))
	isStop := tags.Find("railway") == "station" || tags.Find("railway") == "halt" || tags.Find("highway") == "bus_stop" ||
		tags.Find("amenity") == "bus_station" || tags.Find("public_transport") == "station" ||
		tags.Find("public_transport") == "stop_position" || tags.Find("public_transport") == "platform"
	isPlace := tags.Find("amenity") != "" || tags.Find("shop") != "" || tags.Find("leisure") != "" ||
		tags.Find("tourism") != "" || tags.Find("place") != ""
	switch {
	case name != "" && isStop:
		e.Kind, e.Name = trygg.PlaceStop, name
	case name != "" && isPlace:
		e.Kind, e.Name = trygg.PlacePlace, name
	case name != "" && tags.Find("highway") != "" && id[0] == 'w':
		e.Kind, e.Name = trygg.PlaceStreet, name
		e.Postcode = ""
	case street != "" && number != "":
		e.Kind, e.Name, e.Street, e.Housenumber = trygg.PlaceAddress, street+" "+number, street, number
	default:
		return e, false
	}
	if e.Kind != trygg.PlaceAddress && street != "" && number != "" {
		e.Street, e.Housenumber = street, number
	}
	return e, true
}
