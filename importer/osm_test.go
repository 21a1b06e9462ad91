package importer_test

import (
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/trygg-gis/trygg/importer"
	"github.com/trygg-gis/trygg/importer/pbftest"
)

// osmFixture is a few elements in Vara: an address node, a bus stop, a café, a
// building way with an address, two ways of Storgatan and an unnamed road.
func osmFixture(t *testing.T) string {
	nodes, ways := pbftest.Vara()
	path := filepath.Join(t.TempDir(), "vara.osm.pbf")
	if err := os.WriteFile(path, pbftest.Write(nodes, ways), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadOSM(t *testing.T) {
	t.Parallel()
	path := osmFixture(t)
	var progress strings.Builder
	es, sum, err := importer.ReadOSM(context.Background(), func() (io.ReadCloser, error) { return os.Open(path) }, &progress)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		s := e.Kind + " " + e.Name + " " + e.SourceID
		if e.Kind == "street" {
			s += " " + strings.Repeat("+", len(e.Lines[0]))
		}
		got = append(got, s)
	}
	sort.Strings(got)
	want := []string{"address Kyrkogatan 2 w102", "address Storgatan 5 n4", "place Café Torget n6", "stop Vara resecentrum n5",
		"street Storgatan w100 ++", "street Storgatan w101 ++"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("entries\n%v\nwant\n%v", got, want)
	}
	if sum.Nodes != 10 || sum.Ways != 4 || sum.Addresses != 2 || sum.StreetWays != 2 || sum.Stops != 1 || sum.Places != 1 {
		t.Errorf("summary %+v", sum)
	}
	for _, e := range es {
		switch e.SourceID {
		case "n4":
			if e.Postcode != "53430" || e.Locality != "Vara" || e.Street != "Storgatan" || e.Housenumber != "5" || e.Location[0] != 12.9640 {
				t.Errorf("address node %+v", e)
			}
		case "w102": // the centre of the building's three corners
			if math.Abs(e.Location[0]-12.96013) > 1e-4 || math.Abs(e.Location[1]-58.26007) > 1e-4 {
				t.Errorf("building centre %v", e.Location)
			}
		}
	}
}
