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
	if in, err = f.app.TransitionCamera(ctx, in.ID, trygg.CameraAssessed, today); err != nil {
		t.Fatal(err)
	}
	// Indoors under an outdoors-only commitment: refused at approval already.
	_, err = f.app.TransitionCamera(ctx, in.ID, trygg.CameraApproved, today)
	staffWantCode(t, "TransitionCamera", err, trygg.ECONFLICT, "indoor")
	// Without the outdoors-only commitment it may be approved, installed and activated.
	in.CommitmentIDs = []string{f.commitment(t, "1470", false)}
	if in, err = f.app.UpdateCamera(ctx, in, today); err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{trygg.CameraApproved, trygg.CameraInstalled, trygg.CameraActive} {
		if in, err = f.app.TransitionCamera(ctx, in.ID, to, today); err != nil || in.State != to {
			t.Fatalf("to %s: %v", to, err)
		}
	}
	if in.OperatedFrom == nil || !in.OperatedFrom.Equal(today.Time) {
		t.Errorf("activated without operated_from today: %v", in.OperatedFrom)
	}
	// A commitment of Varberg is not Vara's to link (400 naming commitment_ids).
	in.CommitmentIDs = []string{f.commitment(t, "1383", false)}
	_, err = f.app.UpdateCamera(ctx, in, today)
	staffWantCode(t, "UpdateCamera", err, trygg.EINVALID, "commitment_ids")

	// Decided before 2025-04-01, approval today needs today's weighing and DPIA.
	permit := testCamera("Torget")
	permit.DecisionOn = cameraDay("2025-03-31")
	p, err := f.app.CreateCamera(ctx, permit)
	if err != nil {
		t.Fatal(err)
	}
	p, _ = f.app.TransitionCamera(ctx, p.ID, trygg.CameraAssessed, today)
	_, err = f.app.TransitionCamera(ctx, p.ID, trygg.CameraApproved, today)
	staffWantCode(t, "TransitionCamera", err, trygg.ECONFLICT, "weighing_ref")

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
	_, err = f.app.UpdateCamera(berg, c, trygg.SwedishDay(time.Now()))
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

// TestCameraLawStore: the store judges the law of the day it is given, on both sides
// of 2025-04-01, and keeps indoor cameras under outdoors-only commitments out of
// approval, installation and the public view.
func TestCameraLawStore(t *testing.T) {
	f := newStaffFixture(t, false)
	ctx := f.as(t, trygg.RolePlanner, "kommun-1470")
	today := *cameraDay("2026-06-02")
	weighing := func(c *trygg.Camera) { c.WeighingRef, c.DPIARef = "KS 2025/88 intresseavvägning", "KS 2025/89" }
	create := func(name, decided string, mod func(*trygg.Camera)) trygg.Camera {
		t.Helper()
		c := testCamera(name)
		c.DecisionOn = cameraDay(decided)
		if mod != nil {
			mod(&c)
		}
		out, err := f.app.CreateCamera(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if out, err = f.app.TransitionCamera(ctx, out.ID, trygg.CameraAssessed, today); err != nil {
			t.Fatal(err)
		}
		return out
	}
	steps := func(c trygg.Camera, on trygg.Date, to ...string) trygg.Camera {
		t.Helper()
		for _, s := range to {
			var err error
			if c, err = f.app.TransitionCamera(ctx, c.ID, s, on); err != nil {
				t.Fatalf("%s to %s on %s: %v", c.Name, s, on.Format(time.DateOnly), err)
			}
		}
		return c
	}

	// The 2024 camera whose permit expired 2026-06-01, with weighing and DPIA: in service today.
	old := create("Resecentrum 2024", "2024-03-01", func(c *trygg.Camera) {
		weighing(c)
		c.PermitRef, c.PermitExpires = "DI-2024-0417", cameraDay("2026-06-01")
	})
	old = steps(old, today, trygg.CameraApproved, trygg.CameraInstalled, trygg.CameraActive)
	if old.OperatedFrom == nil || old.OperatedFrom.Format(time.DateOnly) != "2026-06-02" {
		t.Errorf("operated_from %v", old.OperatedFrom)
	}
	// Its weighing cannot be removed while it is active.
	noWeighing := old
	noWeighing.WeighingRef = ""
	_, err := f.app.UpdateCamera(ctx, noWeighing, today)
	staffWantCode(t, "UpdateCamera", err, trygg.ECONFLICT, "weighing_ref")
	// Decommissioned, it filmed until the day.
	old = steps(old, *cameraDay("2026-07-01"), trygg.CameraDecommissioned)
	if old.OperatedUntil == nil || old.OperatedUntil.Format(time.DateOnly) != "2026-07-01" {
		t.Errorf("operated_until %v", old.OperatedUntil)
	}

	// The decision of 2025-01-15 without a permit: not on 2025-03-31, yes from 2025-04-01.
	jan := create("Torget 2025-01-15", "2025-01-15", weighing)
	_, err = f.app.TransitionCamera(ctx, jan.ID, trygg.CameraApproved, *cameraDay("2025-03-31"))
	staffWantCode(t, "TransitionCamera", err, trygg.ECONFLICT, "permit_ref")
	steps(jan, *cameraDay("2025-04-01"), trygg.CameraApproved)

	// A shop without a permit or weighing: yes on 2025-03-31, not on 2025-04-01.
	shop := create("Butiken", "2024-09-01", func(c *trygg.Camera) { c.OperatorKind, c.OperatorName = trygg.OperatorShop, "Ica Nära" })
	_, err = f.app.TransitionCamera(ctx, shop.ID, trygg.CameraApproved, *cameraDay("2025-04-01"))
	staffWantCode(t, "TransitionCamera", err, trygg.ECONFLICT, "weighing_ref")
	steps(shop, *cameraDay("2025-03-31"), trygg.CameraApproved)

	// Operator kinds are checked by the database too.
	f.exec(t, `UPDATE camera_site SET operator_kind = 'private-public-task' WHERE id = $1`, jan.ID)
	if _, err := f.sql.Exec(context.Background(), `UPDATE camera_site SET operator_kind = 'nsa' WHERE id = $1`, jan.ID); err == nil {
		t.Error("operator_kind nsa stored")
	}

	// Indoors under an outdoors-only commitment: 409 at approval and at install, never public.
	outdoors := f.commitment(t, "1470", false)
	in := create("Väntsalen", "2025-06-01", func(c *trygg.Camera) {
		weighing(c)
		c.Indoor, c.PublicView, c.CommitmentIDs = true, true, []string{outdoors}
	})
	in = steps(in, today, trygg.CameraApproved)
	// The commitment becomes outdoors-only after the approval: installing is refused.
	f.exec(t, `UPDATE commitment SET outdoors_only = true WHERE id = $1`, outdoors)
	_, err = f.app.TransitionCamera(ctx, in.ID, trygg.CameraInstalled, today)
	staffWantCode(t, "TransitionCamera", err, trygg.ECONFLICT, "indoor")
	// Nor may an approved outdoor camera be moved indoors under it.
	out := create("Perrongen", "2025-06-01", func(c *trygg.Camera) { weighing(c); c.CommitmentIDs = []string{outdoors} })
	out = steps(out, today, trygg.CameraApproved)
	out.Indoor = true
	_, err = f.app.UpdateCamera(ctx, out, today)
	staffWantCode(t, "UpdateCamera", err, trygg.ECONFLICT, "indoor")
	// Forced into service behind the register's back, it is still not public.
	f.exec(t, `UPDATE camera_site SET state = 'active' WHERE id = $1`, in.ID)
	if n := f.count(t, `SELECT count(*) FROM public_camera WHERE id = $1`, in.ID); n != 0 {
		t.Error("an indoor camera under an outdoors-only commitment is public")
	}
	publicTile := func() int {
		t.Helper()
		b, err := f.app.Tile(context.Background(), postgis.TileQuery{Layer: postgis.TileCameras, Z: 14, X: 8779, Y: 4917})
		if err != nil {
			t.Fatal(err)
		}
		return len(b)
	}
	if n := publicTile(); n != 0 {
		t.Errorf("public tile with the indoor camera: %d bytes", n)
	}
	f.exec(t, `UPDATE commitment SET outdoors_only = false WHERE id = $1`, outdoors)
	if n := f.count(t, `SELECT count(*) FROM public_camera WHERE id = $1`, in.ID); n != 1 {
		t.Error("an indoor camera without the rule is not public")
	}
	if n := publicTile(); n == 0 {
		t.Error("the public tile lacks the indoor camera without the rule")
	}
	f.exec(t, `UPDATE commitment SET outdoors_only = true WHERE id = $1`, outdoors)

	// The attention list: a camera that filmed from 2024-06-01 without the permit it needed.
	past := create("Skolgården", "2024-05-01", func(c *trygg.Camera) { weighing(c); c.OperatedFrom = cameraDay("2024-06-01") })
	private := create("Fastighetens entré", "2024-05-01", func(c *trygg.Camera) {
		weighing(c)
		c.OperatorKind, c.OperatedFrom = trygg.OperatorPropertyOwner, cameraDay("2024-06-01")
	})
	att, err := f.app.CamerasNeedingAttention(ctx, "1470", today)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string][]string{}
	for _, a := range att {
		for _, r := range a.Reasons {
			found[a.Camera.ID] = append(found[a.Camera.ID], r.Reason)
		}
	}
	if got := found[past.ID]; len(got) != 1 || got[0] != trygg.AttentionPastViolation {
		t.Errorf("past violation: %v (%+v)", got, att)
	}
	if got := found[private.ID]; len(got) != 0 {
		t.Errorf("a property owner needed no permit: %v", got)
	}
}
