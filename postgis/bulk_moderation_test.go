package postgis_test

import (
	"context"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// TestBulkModerate publishes an import (its source and time window) in one call: each
// report changes status and gets its own audit entry; another municipality's planner
// changes nothing; a decided report named by id is skipped.
func TestBulkModerate(t *testing.T) {
	f := newStaffFixture(t, false)
	planner := f.as(t, trygg.RolePlanner, "kommun-0685")
	start := time.Now().Add(-time.Second)
	p := f.estPoint(t, "0685", 0, 0)
	var incs []trygg.ESTIncident
	for i := 0; i < 4; i++ {
		incs = append(incs, trygg.ESTIncident{Report: trygg.Report{Location: p, ObservedAt: estAt(t, "2025-11-18T12:00:00+01:00")}, Type: "klotter"})
	}
	added := addEST(t, planner, f.app, incs...)
	if len(added) != 4 {
		t.Fatalf("added %d incidents", len(added))
	}
	filter := &postgis.BulkFilter{Source: "est", From: start}
	pub := postgis.Moderation{Action: "publish"}

	// Without a caller the app role sees no reports (row-level security).
	res, err := f.app.BulkModerate(context.Background(), nil, filter, pub)
	if err != nil || res.Changed != 0 {
		t.Errorf("the public: %+v %v, want nothing changed", res, err)
	}
	res, err = f.app.BulkModerate(f.as(t, trygg.RolePlanner, "kommun-1493"), nil, filter, pub)
	if err != nil || res.Changed != 0 {
		t.Errorf("Mariestad's planner: %+v %v, want nothing changed", res, err)
	}
	if _, err := f.app.BulkModerate(f.as(t, trygg.RolePlanner, "kommun-1493"), []string{added[0].ID}, nil, pub); trygg.ErrorCode(err) != trygg.ENOTFOUND {
		t.Errorf("Mariestad's planner by id: %v, want not found", err)
	}
	if _, err := f.app.Moderate(planner, added[0].ID, postgis.Moderation{Action: "reject", Reason: "dubblett"}); err != nil {
		t.Fatal(err)
	}
	res, err = f.app.BulkModerate(planner, nil, filter, pub)
	if err != nil || res.Changed != 3 || res.Skipped != 0 {
		t.Fatalf("bulk publish: %+v %v, want 3", res, err)
	}
	n := pgtest.Strings(t, f.url, `SELECT count(*)::text FROM audit_log a JOIN report r ON r.id::text = a.entity_id
		WHERE a.entity = 'report' AND a.action = 'report.publish' AND r.created_at >= $1 AND r.status = 'published'`, start)[0]
	if n != "3" {
		t.Errorf("%s publish audit entries of published reports, want 3", n)
	}
	res, err = f.app.BulkModerate(planner, []string{added[0].ID, added[1].ID}, nil, pub)
	if err != nil || res.Changed != 0 || res.Skipped != 2 {
		t.Errorf("decided reports by id: %+v %v, want 2 skipped", res, err)
	}
}
