package postgis

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	orbwkb "github.com/paulmach/orb/encoding/wkb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/geo"
)

// Camera sites (table camera_site, migration 12). The view sector is computed in one
// place: the position is transformed to SWEREF 99 TM in SQL, geo.Sector builds the
// sector there in Go, and SQL transforms it back to 4326 as it stores it.

// SectorSegments is how many chords approximate a view sector's arc (geo.Sector's
// automatic count: one per 2°, at least 8).
const SectorSegments = 0

const cameraColumns = `c.id, c.municipality_code, c.name, ST_X(c.position), ST_Y(c.position), c.height_m, c.bearing, c.fov,
	c.range_m, ST_AsBinary(c.view), c.view_drawn, c.public_view, c.operator_kind, c.operator_name, c.purpose, c.place_type,
	c.public_access, c.indoor, c.audio, c.retention_days, c.signage_checked_on, c.review_on, c.state, c.decision_on,
	c.permit_ref, c.permit_conditions, c.permit_expires_on, c.weighing_ref, c.dpia_ref, c.created_at, c.updated_at,
	c.operated_from, c.operated_until, coalesce((SELECT array_agg(cc.commitment_id::text ORDER BY cc.commitment_id) FROM camera_commitment cc
	          WHERE cc.camera_id = c.id), '{}')`

func dateOf(t *time.Time) *trygg.Date {
	if t == nil {
		return nil
	}
	return &trygg.Date{Time: *t}
}

func timeOf(d *trygg.Date) *time.Time {
	if d == nil {
		return nil
	}
	t := d.Time
	return &t
}

func scanCamera(row pgx.Row) (trygg.Camera, error) {
	var c trygg.Camera
	var view []byte
	var signage, review, decision, expires, from, until *time.Time
	err := row.Scan(&c.ID, &c.Municipality, &c.Name, &c.Position[0], &c.Position[1], &c.HeightM, &c.Bearing, &c.FOV,
		&c.RangeM, &view, &c.ViewDrawn, &c.PublicView, &c.OperatorKind, &c.OperatorName, &c.Purpose, &c.PlaceType,
		&c.PublicAccess, &c.Indoor, &c.Audio, &c.RetentionDays, &signage, &review, &c.State, &decision,
		&c.PermitRef, &c.PermitConditions, &expires, &c.WeighingRef, &c.DPIARef, &c.CreatedAt, &c.UpdatedAt, &from, &until, &c.CommitmentIDs)
	if err != nil {
		return c, err
	}
	c.SignageChecked, c.ReviewOn, c.DecisionOn, c.PermitExpires = dateOf(signage), dateOf(review), dateOf(decision), dateOf(expires)
	c.OperatedFrom, c.OperatedUntil = dateOf(from), dateOf(until)
	c.View, err = decodePolygon(view)
	return c, err
}

func readCamera(ctx context.Context, tx pgx.Tx, id string) (trygg.Camera, error) {
	c, err := scanCamera(tx.QueryRow(ctx, `SELECT `+cameraColumns+` FROM camera_site c WHERE c.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, trygg.Errorf(trygg.ENOTFOUND, "id", "no camera has id %q", id)
	}
	return c, wrap(err, "read camera")
}

// Camera returns a camera the caller sees, or ENOTFOUND.
func (db *DB) Camera(ctx context.Context, id string) (trygg.Camera, error) {
	return byID(ctx, db, "camera", id, readCamera)
}

// Cameras lists the cameras the caller sees, optionally of one municipality, by name.
func (db *DB) Cameras(ctx context.Context, municipality string) ([]trygg.Camera, error) {
	var cs []trygg.Camera
	err := db.inTx(ctx, "list cameras", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+cameraColumns+` FROM camera_site c
			WHERE $1 = '' OR c.municipality_code = $1 ORDER BY c.municipality_code, c.name, c.id`, municipality)
		if err != nil {
			return wrap(err, "list cameras")
		}
		cs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (trygg.Camera, error) { return scanCamera(r) })
		return wrap(err, "list cameras")
	})
	return cs, err
}

// CreateCamera stores a new camera site (state proposed unless given) in the
// municipality its position lies in, which must be one the caller serves and, if the
// camera names one, the one it names; it links the commitments and audits it.
func (db *DB) CreateCamera(ctx context.Context, c trygg.Camera) (trygg.Camera, error) {
	if c.ID == "" {
		c.ID = uuid.NewString()
	}
	if c.State == "" {
		c.State = trygg.CameraProposed
	}
	if c.State != trygg.CameraProposed {
		return c, trygg.Errorf(trygg.EINVALID, "state", "a new camera is proposed; move it on with a transition")
	}
	var out trygg.Camera
	err := db.inTx(ctx, "create camera", func(tx pgx.Tx) error {
		var muni *string
		if err := tx.QueryRow(ctx, `SELECT report_municipality(ST_SetSRID(ST_MakePoint($1, $2), 4326))`,
			c.Position[0], c.Position[1]).Scan(&muni); err != nil {
			return wrap(err, "place camera")
		}
		switch {
		case muni == nil:
			return trygg.Errorf(trygg.EUNPROCESSABLE, "position", "the position is in no municipality")
		case c.Municipality == "":
			c.Municipality = *muni
		case c.Municipality != *muni:
			return trygg.Errorf(trygg.EUNPROCESSABLE, "position", "the position is in municipality %s, not %s", *muni, c.Municipality)
		}
		if err := c.Validate(); err != nil {
			return err
		}
		if err := mayWrite(ctx, c.Municipality); err != nil {
			return err
		}
		if err := writeCamera(ctx, tx, c, true); err != nil {
			return err
		}
		var err error
		if out, err = readCamera(ctx, tx, c.ID); err != nil {
			return err
		}
		return audit(ctx, tx, "camera.create", "camera", c.ID, []string{c.Municipality}, nil, cameraAudit(out))
	})
	return out, err
}

// UpdateCamera replaces a camera's fields but its municipality, position's
// municipality and state (which change only by TransitionCamera), and audits it. A
// camera approved, installed or active keeps what the law in force on today asks
// of it (keepsApproval).
func (db *DB) UpdateCamera(ctx context.Context, c trygg.Camera, today trygg.Date) (trygg.Camera, error) {
	if !isUUID(c.ID) {
		return c, trygg.Errorf(trygg.ENOTFOUND, "id", "no camera has id %q", c.ID)
	}
	var out trygg.Camera
	err := db.inTx(ctx, "update camera", func(tx pgx.Tx) error {
		before, err := readCamera(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if err := mayWrite(ctx, before.Municipality); err != nil {
			return err
		}
		c.Municipality, c.State = before.Municipality, before.State
		var muni *string
		if err := tx.QueryRow(ctx, `SELECT report_municipality(ST_SetSRID(ST_MakePoint($1, $2), 4326))`,
			c.Position[0], c.Position[1]).Scan(&muni); err != nil {
			return wrap(err, "place camera")
		}
		if muni == nil || *muni != c.Municipality {
			return trygg.Errorf(trygg.EUNPROCESSABLE, "position", "a camera stays in its municipality (%s)", c.Municipality)
		}
		if err := c.Validate(); err != nil {
			return err
		}
		if err := keepsApproval(ctx, tx, before, c, today); err != nil {
			return err
		}
		if err := writeCamera(ctx, tx, c, false); err != nil {
			return err
		}
		if out, err = readCamera(ctx, tx, c.ID); err != nil {
			return err
		}
		return audit(ctx, tx, "camera.update", "camera", c.ID, []string{c.Municipality}, cameraAudit(before), cameraAudit(out))
	})
	return out, err
}

// keepsApproval refuses (ECONFLICT) a change that takes a camera approved, installed
// or active out of what the law in force on today asks (a weighing or DPIA removed)
// or that makes it break a linked commitment's rule (indoors under outdoors only). A
// camera that did not meet the law today already may still be edited: the attention
// list shows it.
func keepsApproval(ctx context.Context, tx pgx.Tx, before, after trygg.Camera, today trygg.Date) error {
	if !slices.Contains([]string{trygg.CameraApproved, trygg.CameraInstalled, trygg.CameraActive}, before.State) {
		return nil
	}
	if before.Approved(today) == nil {
		if err := after.Approved(today); err != nil {
			e := err.(*trygg.Error)
			e.Message = "the camera is " + before.State + " and would lose its approval: " + e.Message
			return e
		}
	}
	if !after.Indoor {
		return nil
	}
	ids := append([]string{}, after.CommitmentIDs...)
	for _, id := range ids {
		if !isUUID(id) {
			return trygg.Errorf(trygg.EINVALID, "commitment_ids", "%q is not a commitment id", id)
		}
	}
	cms, err := readCommitmentRules(ctx, tx, ids)
	if err != nil {
		return err
	}
	if err := after.OutdoorsOnlyConflict(cms); err != nil {
		e := err.(*trygg.Error)
		e.Message = "the camera is " + before.State + ": " + e.Message
		return e
	}
	return nil
}

func cameraAudit(c trygg.Camera) map[string]any {
	return map[string]any{"name": c.Name, "position": c.Position, "height_m": c.HeightM, "bearing": c.Bearing, "fov": c.FOV,
		"range_m": c.RangeM, "view_drawn": c.ViewDrawn, "public_view": c.PublicView, "operator_kind": c.OperatorKind,
		"operator_name": c.OperatorName, "purpose": c.Purpose, "place_type": c.PlaceType, "public_access": c.PublicAccess,
		"indoor": c.Indoor, "audio": c.Audio, "retention_days": c.RetentionDays, "signage_checked_on": c.SignageChecked,
		"review_on": c.ReviewOn, "state": c.State, "decision_on": c.DecisionOn, "regime": c.Regime(),
		"permit_ref": c.PermitRef, "permit_conditions": c.PermitConditions, "permit_expires_on": c.PermitExpires,
		"weighing_ref": c.WeighingRef, "dpia_ref": c.DPIARef, "commitment_ids": c.CommitmentIDs,
		"operated_from": c.OperatedFrom, "operated_until": c.OperatedUntil}
}

// cameraView is the camera's view as WKB and its SRID: the sector built in SWEREF 99
// TM around the position transformed there, or the polygon drawn (4326); nil for none.
func cameraView(ctx context.Context, tx pgx.Tx, c trygg.Camera) ([]byte, int, error) {
	if c.Bearing == nil {
		if len(c.View) == 0 {
			return nil, 4326, nil
		}
		b, err := orbwkb.Marshal(c.View)
		if err != nil {
			return nil, 0, trygg.Errorf(trygg.EINVALID, "view", "cannot encode the view: %v", err)
		}
		return b, 4326, nil
	}
	var x, y float64
	if err := tx.QueryRow(ctx, `SELECT ST_X(p), ST_Y(p) FROM ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 4326), 3006) p`,
		c.Position[0], c.Position[1]).Scan(&x, &y); err != nil {
		return nil, 0, wrap(err, "transform camera position")
	}
	sector, err := geo.Sector(x, y, *c.Bearing, *c.FOV, *c.RangeM, SectorSegments)
	if err != nil {
		return nil, 0, trygg.Errorf(trygg.EINVALID, "bearing", "%s", strings.TrimPrefix(err.Error(), "geo: "))
	}
	b, err := orbwkb.Marshal(sector)
	return b, 3006, err
}

func writeCamera(ctx context.Context, tx pgx.Tx, c trygg.Camera, insert bool) error {
	view, srid, err := cameraView(ctx, tx, c)
	if err != nil {
		return err
	}
	q := `UPDATE camera_site SET name = $3, position = ST_SetSRID(ST_MakePoint($4, $5), 4326), height_m = $6, bearing = $7,
		fov = $8, range_m = $9, view = ST_Transform(ST_SetSRID(ST_GeomFromWKB($10), $11::int), 4326), view_drawn = $12,
		public_view = $13, operator_kind = $14, operator_name = $15, purpose = $16, place_type = $17, public_access = $18,
		indoor = $19, audio = $20, retention_days = $21, signage_checked_on = $22, review_on = $23, state = $24,
		decision_on = $25, permit_ref = $26, permit_conditions = $27, permit_expires_on = $28, weighing_ref = $29,
		dpia_ref = $30, operated_from = $31, operated_until = $32, updated_at = now()
		WHERE id = $1 AND municipality_code = $2`
	if insert {
		q = `INSERT INTO camera_site (id, municipality_code, name, position, height_m, bearing, fov, range_m, view, view_drawn,
			public_view, operator_kind, operator_name, purpose, place_type, public_access, indoor, audio, retention_days,
			signage_checked_on, review_on, state, decision_on, permit_ref, permit_conditions, permit_expires_on,
			weighing_ref, dpia_ref, operated_from, operated_until, created_by)
			VALUES ($1, $2, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326), $6, $7, $8, $9,
			ST_Transform(ST_SetSRID(ST_GeomFromWKB($10), $11::int), 4326), $12, $13, $14, $15, $16, $17, $18, $19, $20,
			$21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33)`
	}
	args := []any{c.ID, c.Municipality, c.Name, c.Position[0], c.Position[1], c.HeightM, c.Bearing, c.FOV, c.RangeM,
		view, srid, c.ViewDrawn, c.PublicView, c.OperatorKind, c.OperatorName, c.Purpose, c.PlaceType, c.PublicAccess,
		c.Indoor, c.Audio, c.RetentionDays, timeOf(c.SignageChecked), timeOf(c.ReviewOn), c.State, timeOf(c.DecisionOn),
		c.PermitRef, c.PermitConditions, timeOf(c.PermitExpires), c.WeighingRef, c.DPIARef, timeOf(c.OperatedFrom),
		timeOf(c.OperatedUntil)}
	if insert {
		args = append(args, callerID(ctx))
	}
	_, err = tx.Exec(ctx, q, args...)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "23514" || pgErr.Code == "XX000" || pgErr.Code == "22023") {
		return refusal(pgErr, "camera", cameraField(pgErr.ConstraintName))
	}
	if err != nil {
		return wrap(err, "write camera")
	}
	return linkCommitments(ctx, tx, c)
}

func cameraField(constraint string) string {
	for _, f := range []string{"view", "bearing", "fov", "range_m", "height_m", "name", "purpose", "operator_name", "operator_kind"} {
		if strings.Contains(constraint, f) {
			return f
		}
	}
	return "body"
}

// linkCommitments replaces the camera's commitment links: each a commitment of kind
// camera-surveillance in the camera's municipality that the caller sees.
func linkCommitments(ctx context.Context, tx pgx.Tx, c trygg.Camera) error {
	ids := append([]string{}, c.CommitmentIDs...)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for i, id := range ids {
		if !isUUID(id) {
			return trygg.Errorf(trygg.EINVALID, "commitment_ids", "commitment_ids[%d]: %q is not a commitment id", i, id)
		}
	}
	cms, err := readCommitmentRules(ctx, tx, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		i := slices.IndexFunc(cms, func(cm trygg.Commitment) bool { return cm.ID == id })
		switch {
		case i < 0:
			return trygg.Errorf(trygg.EINVALID, "commitment_ids", "no commitment has id %q", id)
		case cms[i].Municipality != c.Municipality:
			return trygg.Errorf(trygg.EINVALID, "commitment_ids", "no commitment has id %q in municipality %s", id, c.Municipality)
		case cms[i].ActivityKind != trygg.KindCameraSurveillance:
			return trygg.Errorf(trygg.EINVALID, "commitment_ids", "commitment %q is of kind %s, not camera-surveillance", id, cms[i].ActivityKind)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM camera_commitment WHERE camera_id = $1 AND NOT (commitment_id = ANY($2::uuid[]))`,
		c.ID, ids); err != nil {
		return wrap(err, "unlink commitments")
	}
	_, err = tx.Exec(ctx, `INSERT INTO camera_commitment (camera_id, commitment_id, municipality_code)
		SELECT $1, unnest($2::uuid[]), $3 ON CONFLICT DO NOTHING`, c.ID, ids, c.Municipality)
	return wrap(err, "link commitments")
}

// readCommitmentRules reads what the camera rules need of the commitments the caller
// sees among ids.
func readCommitmentRules(ctx context.Context, tx pgx.Tx, ids []string) ([]trygg.Commitment, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `SELECT id::text, municipality_code, activity_kind, text, outdoors_only
		FROM commitment WHERE id = ANY($1::uuid[]) ORDER BY id`, ids)
	if err != nil {
		return nil, wrap(err, "read commitments")
	}
	cms, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (trygg.Commitment, error) {
		var cm trygg.Commitment
		err := r.Scan(&cm.ID, &cm.Municipality, &cm.ActivityKind, &cm.Text, &cm.OutdoorsOnly)
		return cm, err
	})
	return cms, wrap(err, "read commitments")
}

// TransitionCamera moves a camera to state to, as of today, under the rules of
// trygg.Camera.CanTransition (a refusal is ECONFLICT with its reason), and audits it.
// The first activation records today as the first day filmed (operated_from, unless
// given), decommissioning a camera that filmed its last (operated_until).
// The camera's row is locked, so two transitions at once apply one after the other.
func (db *DB) TransitionCamera(ctx context.Context, id, to string, today trygg.Date) (trygg.Camera, error) {
	if !isUUID(id) {
		return trygg.Camera{}, trygg.Errorf(trygg.ENOTFOUND, "id", "no camera has id %q", id)
	}
	var out trygg.Camera
	err := db.inTx(ctx, "transition camera", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM camera_site WHERE id = $1 FOR UPDATE`, id); err != nil {
			return wrap(err, "lock camera")
		}
		before, err := readCamera(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := mayWrite(ctx, before.Municipality); err != nil {
			return err
		}
		cms, err := readCommitmentRules(ctx, tx, before.CommitmentIDs)
		if err != nil {
			return err
		}
		if err := before.CanTransition(to, cms, today); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE camera_site SET state = $2, updated_at = now(),
			operated_from = CASE WHEN $2 = 'active' THEN coalesce(operated_from, $3::date) ELSE operated_from END,
			operated_until = CASE WHEN $2 = 'decommissioned' AND operated_from IS NOT NULL
			                      THEN coalesce(operated_until, greatest(operated_from, $3::date)) ELSE operated_until END
			WHERE id = $1`, id, to, today.Time); err != nil {
			return wrap(err, "transition camera")
		}
		if out, err = readCamera(ctx, tx, id); err != nil {
			return err
		}
		_, why := out.MayOperate(today)
		return audit(ctx, tx, "camera.transition", "camera", id, []string{out.Municipality},
			map[string]any{"state": before.State}, map[string]any{"state": out.State, "regime": out.Regime(), "on": today,
				"law": trygg.RegimeOn(today), "operate": why.Code})
	})
	return out, err
}

// CameraAttention is a camera that needs attention, and why.
type CameraAttention struct {
	Camera  trygg.Camera
	Reasons []trygg.Attention
}

// CamerasNeedingAttention lists the cameras the caller sees (optionally of one
// municipality) that need attention on today (trygg.Camera.Attention).
func (db *DB) CamerasNeedingAttention(ctx context.Context, municipality string, today trygg.Date) ([]CameraAttention, error) {
	cs, err := db.Cameras(ctx, municipality)
	if err != nil {
		return nil, err
	}
	var out []CameraAttention
	for _, c := range cs {
		if rs := c.Attention(today); len(rs) > 0 {
			out = append(out, CameraAttention{Camera: c, Reasons: rs})
		}
	}
	return out, nil
}

// Coverage is a hotspot of a latest run covered by a camera's view: Share is the part
// of the hotspot's area (in SWEREF 99 TM) inside the view, 0…1.
type Coverage struct {
	CameraID     string  `json:"camera_id"`
	CameraName   string  `json:"camera_name"`
	CameraState  string  `json:"camera_state"`
	HotspotID    string  `json:"hotspot_id"`
	RunID        string  `json:"run_id"`
	Municipality string  `json:"municipality"`
	Rank         int     `json:"rank"`
	Share        float64 `json:"share"`
}

// coverageSQL is the hotspots of the latest runs (the caller's, under row-level
// security) that the views of the cameras selected by $1 (a camera id or NULL) and $2
// (a municipality, or empty for all) cover, with the covered share of each.
const coverageSQL = `SELECT c.id::text, c.name, c.state, h.id::text, h.run_id::text, h.municipality_code, h.rank,
	least(1, ST_Area(ST_Intersection(ST_Transform(h.geom, 3006), ST_Transform(c.view, 3006))) /
	         nullif(ST_Area(ST_Transform(h.geom, 3006)), 0)) AS share
FROM scoped_camera_site c
JOIN hotspot h ON ST_Intersects(h.geom, c.view) AND h.municipality_code = c.municipality_code
WHERE c.view IS NOT NULL AND ($1::uuid IS NULL OR c.id = $1) AND ($2 = '' OR c.municipality_code = $2)
  AND h.run_id IN ` + latestRuns + `
ORDER BY h.rank, h.id, share DESC, c.id`

func (db *DB) coverage(ctx context.Context, camera *string, municipality string) ([]Coverage, error) {
	var out []Coverage
	err := db.inTx(ctx, "read camera coverage", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, coverageSQL, camera, municipality)
		if err != nil {
			return wrap(err, "read camera coverage")
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Coverage, error) {
			var cv Coverage
			var share *float64
			err := r.Scan(&cv.CameraID, &cv.CameraName, &cv.CameraState, &cv.HotspotID, &cv.RunID, &cv.Municipality, &cv.Rank, &share)
			if share != nil {
				cv.Share = *share
			}
			return cv, err
		})
		return wrap(err, "read camera coverage")
	})
	// Touching hotspots (share 0) cover nothing.
	out = slices.DeleteFunc(out, func(cv Coverage) bool { return cv.Share <= 0 })
	return out, err
}

// CameraCoverage lists the hotspots of the latest runs the camera's view covers, or
// ENOTFOUND for a camera the caller does not see.
func (db *DB) CameraCoverage(ctx context.Context, id string) ([]Coverage, error) {
	if _, err := db.Camera(ctx, id); err != nil {
		return nil, err
	}
	return db.coverage(ctx, &id, "")
}

// CamerasCoverage lists, for the caller's municipalities (or one), every hotspot of the
// latest runs that a camera's view covers, with the camera and the share.
func (db *DB) CamerasCoverage(ctx context.Context, municipality string) ([]Coverage, error) {
	return db.coverage(ctx, nil, municipality)
}
