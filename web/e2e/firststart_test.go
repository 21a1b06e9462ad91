package e2e_test

import (
	"context"
	"io"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/auth"
	"github.com/trygg-gis/trygg/basemap"
	"github.com/trygg-gis/trygg/basemap/basemaptest"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// TestFirstStart is a first start as `make run` makes it (the demo, its gazetteer and its
// living data, dated from now) with a test basemap archive: the resident map over Vara
// shows demo reports with basemap features under them, Vara's planner sees hot areas,
// and the public follow-up shows a current promise with progress for each demo
// municipality (firststart.mjs).
func TestFirstStart(t *testing.T) {
	b := needBrowser(t)
	ctx := context.Background()
	owner, url := pgtest.Open(t)
	if err := demo.Load(ctx, owner, nil); err != nil {
		t.Fatal(err)
	}
	// Vara's planner with a known password; LoadUsers keeps an account that exists.
	for _, o := range demo.Organisations() {
		if err := owner.UpsertOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	hash, err := auth.HashPassword(plannerPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.CreateUser(ctx, demo.DemoEmail(trygg.RolePlanner, "kommun-1470"), trygg.RolePlanner, "kommun-1470", hash, false); err != nil {
		t.Fatal(err)
	}
	if err := demo.LoadUsers(ctx, owner, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := demo.LoadGazetteer(ctx, owner, nil); err != nil {
		t.Fatal(err)
	}
	if err := demo.LoadLiving(ctx, demo.WithAnalyses(owner), time.Now(), demo.LivingOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(t.TempDir(), "basemap.pmtiles")
	basemaptest.WritePMTiles(t, archive)
	bm, err := basemap.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	db := appDB(t, url, postgis.Options{})
	opts := api.DefaultOptions()
	opts.Basemap = bm
	srv := httptest.NewServer(api.New(db, testLog(t), opts))
	t.Cleanup(srv.Close)

	b.run(t, 3*time.Minute, "firststart.mjs", []string{srv.URL, b.out},
		"E2E_PLANNER_EMAIL="+demo.DemoEmail(trygg.RolePlanner, "kommun-1470"), "E2E_PLANNER_PASSWORD="+plannerPassword,
		"E2E_TODAY="+time.Now().Format(time.DateOnly))
}
