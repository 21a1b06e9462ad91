package importer_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"testing"
	"time"

	"github.com/trygg-gis/trygg/importer"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// BenchmarkPoliceEventsHistory imports the full 85,011-event history (all 290
// municipalities stored, so 62,385 events are written) into a fresh database, next to
// its baseline in the same run: decoding the same file with encoding/json alone. The
// issue's target is under a minute for the import.
func BenchmarkPoliceEventsHistory(b *testing.B) {
	ctx := context.Background()
	var importTime, decodeTime time.Duration
	for range b.N {
		b.StopTimer()
		db, _ := pgtest.Open(b)
		boundaries, err := os.Open("testdata/okfse_kommuner_4326.geojson")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := importer.Municipalities(ctx, db, boundaries, importer.MunicipalityOptions{}); err != nil {
			b.Fatal(err)
		}
		boundaries.Close()
		f := openHistory(b)
		b.StartTimer()

		t0 := time.Now()
		var raw []map[string]any
		if err := json.NewDecoder(f).Decode(&raw); err != nil {
			b.Fatal(err)
		}
		decodeTime += time.Since(t0)
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		sum, err := importer.PoliceEvents(ctx, db, f, importer.PoliceEventOptions{Name: "history.json"})
		if err != nil || sum.Inserted != 62385 {
			b.Fatalf("PoliceEvents: %v, %d inserted", err, sum.Inserted)
		}
		importTime += time.Since(t1)
	}
	b.ReportMetric(importTime.Seconds()/float64(b.N), "import-s")
	b.ReportMetric(decodeTime.Seconds()/float64(b.N), "json-decode-s")
	b.ReportMetric(85011/(importTime.Seconds()/float64(b.N)), "events/s")
}
