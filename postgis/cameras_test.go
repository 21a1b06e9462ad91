package postgis_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

func ptr[T any](v T) *T { return &v }

func cameraDay(s string) *trygg.Date {
	d, err := trygg.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return &d
}

// testCamera is a proposed camera in Vara looking north-east over the first hotspot of
// testRun's run at varaOrigin.
func testCamera(name string) trygg.Camera {
	return trygg.Camera{Name: name, Position: orb.Point{varaOrigin[0] + 0.00075, varaOrigin[1] - 0.0001},
		Bearing: ptr(0.0), FOV: ptr(90.0), RangeM: ptr(60.0), HeightM: ptr(4.5),
		OperatorKind: trygg.OperatorMunicipality, OperatorName: "Vara kommun", Purpose: "Förebygga skadegörelse",
		PlaceType: "travel-centre", PublicAccess: true, RetentionDays: 30}
}

// commitment inserts a promise with one commitment of kind camera-surveillance, as the
// owner, and returns the commitment's id.
func (f *staffFixture) commitment(t *testing.T, municipality string, outdoorsOnly bool) string {
	t.Helper()
	p, c := uuid.NewString(), uuid.NewString()
	f.exec(t, `INSERT INTO promise (id, municipality_code, title, period_start, period_end) VALUES ($1, $2, 'Medborgarlöfte', '2025-01-01', '2026-12-31')`,
		p, municipality)
	f.exec(t, `INSERT INTO commitment (id, promise_id, municipality_code, party, activity_kind, text, outdoors_only)
		VALUES ($1, $2, $3, 'municipality', 'camera-surveillance', 'Utökad kamerabevakning vid resecentrum', $4)`,
		c, p, municipality, outdoorsOnly)
	return c
}

func TestCameraStore(t *testing.T) {
	f := newStaffFixture(t, false)
	ctx := f.as(t, trygg.RolePlanner, "kommun-1470")
	run := testRun("1470", "Vara centrum", varaOrigin, 10, 10, 2, false)
	if err := f.app.SaveHotspotRun(ctx, run); err != nil {
		t.Fatal(err)
	}

	c, err := f.app.CreateCamera(ctx, testCamera("Resecentrum norr"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Municipality != "1470" || c.State != trygg.CameraProposed || len(c.View) != 1 || c.ViewDrawn {
		t.Fatalf("created %+v", c)
	}
	// The sector is built in SWEREF 99 TM: its area there is θ/360·π·r² within 1 %.
	var area, north float64
	if err := f.sql.QueryRow(context.Background(), `SELECT ST_Area(ST_Transform(view, 3006)),
		ST_YMax(ST_Transform(view, 3006)) - ST_Y(ST_Transform(position, 3006)) FROM camera_site WHERE id = $1`, c.ID).Scan(&area, &north); err != nil {
		t.Fatal(err)
	}
	if want := math.Pi * 60 * 60 / 4; math.Abs(area-want)/want > 0.01 {
		t.Errorf("view area %.1f m², want %.1f", area, want)
	}
	if math.Abs(north-60) > 0.01 {
		t.Errorf("the view reaches %.2f m north, want 60 (bearing 0 is north)", north)
	}

	// Coverage: the first hotspot (south-west corner at the origin) lies partly in the view.
	cov, err := f.app.CameraCoverage(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cov) == 0 || cov[0].HotspotID != run.Hotspots[0].ID || cov[0].Share <= 0 || cov[0].Share > 1 {
		t.Fatalf("coverage %+v", cov)
	}
	all, err := f.app.CamerasCoverage(ctx, "1470")
	if err != nil || len(all) != len(cov) {
		t.Errorf("CamerasCoverage = %+v, %v", all, err)
	}

	// A position outside the municipality named is refused; outside all, too.
	bad := testCamera("Fel kommun")
	bad.Municipality = "1383"
	_, err = f.app.CreateCamera(ctx, bad)
	staffWantCode(t, "CreateCamera", err, trygg.EUNPROCESSABLE, "position")

	// Lifecycle under the weighing regime, and the outdoors-only rule.
	indoor := testCamera("Resecentrum väntsal")
	indoor.Indoor = true
	indoor.DecisionOn = cameraDay("2025-06-01")
	indoor.WeighingRef, indoor.DPIARef = "KS 2025/88", "KS 2025/89"
	indoor.CommitmentIDs = []string{f.commitment(t, "1470", true)}
	in, err := f.app.CreateCamera(ctx, indoor)
	if err != nil {
		t.Fatal(err)
	}
	today := trygg.SwedishDay(time.Now())
	for _, to := range []string{trygg.CameraAssessed, trygg.CameraApproved, trygg.CameraInstalled} {
		if in, err = f.app.TransitionCamera(ctx, in.ID, to, today); err != nil {
			t.Fatalf("to %s: %v", to, err)
		}
	}
	_, err = f.app.TransitionCamera(ctx, in.ID, trygg.CameraActive, today)
	staffWantCode(t, "TransitionCamera", err, trygg.ECONFLICT, "indoor")
	// Without the outdoors-only commitment it may be activated.
	in.CommitmentIDs = []string{f.commitment(t, "1470", false)}
	if in, err = f.app.UpdateCamera(ctx, in); err != nil {
		t.Fatal(err)
	}
	if in, err = f.app.TransitionCamera(ctx, in.ID, trygg.CameraActive, today); err != nil || in.State != trygg.CameraActive {
		t.Fatalf("activate: %+v %v", in.State, err)
	}
	// A commitment of Varberg is not Vara's to link (400 naming commitment_ids).
	in.CommitmentIDs = []string{f.commitment(t, "1383", false)}
	_, err = f.app.UpdateCamera(ctx, in)
	staffWantCode(t, "UpdateCamera", err, trygg.EINVALID, "commitment_ids")

	// Under the permit regime, installation needs the permit.
	permit := testCamera("Torget")
	permit.DecisionOn = cameraDay("2025-03-31")
	p, err := f.app.CreateCamera(ctx, permit)
	if err != nil {
		t.Fatal(err)
	}
	p, _ = f.app.TransitionCamera(ctx, p.ID, trygg.CameraAssessed, today)
	_, err = f.app.TransitionCamera(ctx, p.ID, trygg.CameraApproved, today)
	staffWantCode(t, "TransitionCamera", err, trygg.ECONFLICT, "permit_ref")

	// The public view: only the active camera, without its view (not public_view).
	var n int
	var view *string
	if err := f.sql.QueryRow(context.Background(), `SELECT count(*), max(ST_AsText(view)) FROM public_camera`).Scan(&n, &view); err != nil {
		t.Fatal(err)
	}
	if n != 1 || view != nil {
		t.Errorf("public_camera: %d cameras, view %v", n, view)
	}

	// The attention list: the active camera's signs were never checked.
	att, err := f.app.CamerasNeedingAttention(ctx, "", today)
	if err != nil || len(att) != 1 || att[0].Camera.ID != in.ID || att[0].Reasons[0].Reason != trygg.AttentionSignageNever {
		t.Errorf("attention = %+v, %v", att, err)
	}

	// Tiles: the public sees the active camera's position only; staff every camera and view.
	tile := func(staff bool) int {
		ctx := context.Background()
		if staff {
			ctx = f.as(t, trygg.RoleAdmin, "kommun-1470")
		}
		b, err := f.app.Tile(ctx, postgis.TileQuery{Layer: postgis.TileCameras, Z: 14, X: 8779, Y: 4917, Staff: staff})
		if err != nil {
			t.Fatal(err)
		}
		return len(b)
	}
	if pub, staff := tile(false), tile(true); pub == 0 || staff <= pub {
		t.Errorf("tile sizes: public %d, staff %d", pub, staff)
	}

	// Audit: create, update and transitions.
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE entity = 'camera'`); n < 8 {
		t.Errorf("%d audit entries", n)
	}
}

func TestCameraIsolation(t *testing.T) {
	f := newStaffFixture(t, false)
	vara := f.as(t, trygg.RolePlanner, "kommun-1470")
	berg := f.as(t, trygg.RoleAdmin, "kommun-1383")
	c, err := f.app.CreateCamera(vara, testCamera("Resecentrum"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.app.Camera(berg, c.ID)
	staffWantCode(t, "Camera", err, trygg.ENOTFOUND, "id")
	if cs, err := f.app.Cameras(berg, ""); err != nil || len(cs) != 0 {
		t.Errorf("Cameras = %v, %v", cs, err)
	}
	_, err = f.app.TransitionCamera(berg, c.ID, trygg.CameraAssessed, trygg.SwedishDay(time.Now()))
	staffWantCode(t, "TransitionCamera", err, trygg.ENOTFOUND, "id")
	_, err = f.app.UpdateCamera(berg, c)
	staffWantCode(t, "UpdateCamera", err, trygg.ENOTFOUND, "id")
	_, err = f.app.CameraCoverage(berg, c.ID)
	staffWantCode(t, "CameraCoverage", err, trygg.ENOTFOUND, "id")
	_, err = f.app.CreateCamera(berg, testCamera("Intrång"))
	staffWantCode(t, "CreateCamera", err, trygg.EFORBIDDEN, "municipality")
	conn := f.appConn(t, "1383", "")
	if _, err := conn.Exec(context.Background(), `UPDATE camera_site SET name = 'kapad'`); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, `SELECT count(*) FROM camera_site WHERE name = 'kapad'`); n != 0 {
		t.Error("a Varberg scope renamed Vara's camera")
	}
}
