package postgis

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/trygg-gis/trygg"
)

// NewPhoto is a processed photo to store (package photo made it).
type NewPhoto struct {
	Hash          string // hex SHA-256 of Image
	Image         []byte // JPEG
	Width, Height int
	Thumbnail     []byte // JPEG
}

// AddedPhoto says what AddPhoto did: the photo, and whether it was there already (the
// same image uploaded again adds nothing).
type AddedPhoto struct {
	Photo  trygg.Photo
	Exists bool
}

func tooManyPhotos(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "TRP03" {
		return trygg.Errorf(trygg.ECONFLICT, "photos", "a report has at most %d photos: remove one first", trygg.MaxPhotos)
	}
	return nil
}

// AddPhotoAsReporter adds a photo to a report for the holder of its erasure token
// (erasureHash), only while the report is received (not yet moderated): ENOTFOUND for
// a wrong id or token, EFORBIDDEN once moderated, ECONFLICT on "photos" for a fourth.
func (db *DB) AddPhotoAsReporter(ctx context.Context, id string, erasureHash []byte, p NewPhoto) (AddedPhoto, error) {
	var out AddedPhoto
	if !isUUID(id) {
		return out, trygg.Errorf(trygg.ENOTFOUND, "id", "no report has id %q", id)
	}
	var res *string
	err := db.pool.QueryRow(ctx, `SELECT add_report_photo($1, $2, $3, $4, $5, $6, $7)`,
		id, erasureHash, p.Hash, p.Image, p.Width, p.Height, p.Thumbnail).Scan(&res)
	if e := tooManyPhotos(err); e != nil {
		return out, e
	}
	if err != nil {
		return out, wrap(err, "add photo")
	}
	switch {
	case res == nil:
		return out, trygg.Errorf(trygg.ENOTFOUND, "id", "no report with this id and erasure token")
	case *res == "moderated":
		return out, trygg.Errorf(trygg.EFORBIDDEN, "Erasure-Token",
			"the report is moderated: photos are added by the reporter only before that, and by the municipality's staff after")
	}
	return AddedPhoto{Photo: trygg.NewPhoto(id, p.Hash, p.Width, p.Height), Exists: *res == "exists"}, nil
}

// moderatesReport refuses a caller who may not moderate the report, with the checks of
// moderateTx: staff of a municipality it serves (a police area serving the
// municipality moderates nothing), and planners only staff's own sources.
func moderatesReport(ctx context.Context, municipality, source string) error {
	c := trygg.CallerFrom(ctx)
	if c == nil || c.User.ID == "" || c.User.Organisation.Kind != trygg.OrgMunicipality || !c.Serves(municipality) {
		return trygg.Errorf(trygg.EFORBIDDEN, "id", "reports are moderated by staff of municipality %s", municipality)
	}
	if c.Can(trygg.RolePlanner) && !trygg.StaffSourced(source) {
		return trygg.Errorf(trygg.EFORBIDDEN, "id", "a planner moderates EST incidents and police reports; %s reports are moderated by moderators", source)
	}
	return nil
}

// lockReportForPhotos locks a report the caller sees and checks that it moderates it.
func lockReportForPhotos(ctx context.Context, tx pgx.Tx, id string) (municipality string, err error) {
	var source string
	err = tx.QueryRow(ctx, `SELECT municipality_code, source FROM report WHERE id = $1 FOR UPDATE`, id).Scan(&municipality, &source)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", trygg.Errorf(trygg.ENOTFOUND, "id", "no report has id %q", id)
	}
	if err != nil {
		return "", wrap(err, "read report")
	}
	return municipality, moderatesReport(ctx, municipality, source)
}

// AddPhoto adds a photo to a report as the caller, staff who moderate it (any status),
// and audits it as report.photo_add: ENOTFOUND for a report out of scope, EFORBIDDEN
// for staff who do not moderate it, ECONFLICT on "photos" for a fourth.
func (db *DB) AddPhoto(ctx context.Context, id string, p NewPhoto) (AddedPhoto, error) {
	var out AddedPhoto
	if !isUUID(id) {
		return out, trygg.Errorf(trygg.ENOTFOUND, "id", "no report has id %q", id)
	}
	out.Photo = trygg.NewPhoto(id, p.Hash, p.Width, p.Height)
	err := db.inTx(ctx, "add photo", func(tx pgx.Tx) error {
		muni, err := lockReportForPhotos(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM report_photo WHERE report_id = $1 AND hash = $2)`,
			id, p.Hash).Scan(&out.Exists); err != nil || out.Exists {
			return wrap(err, "add photo")
		}
		var by *string
		if c := trygg.CallerFrom(ctx); c != nil && c.User.ID != "" {
			by = &c.User.ID
		}
		_, err = tx.Exec(ctx, `INSERT INTO report_photo (report_id, hash, image, width, height, thumbnail, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, p.Hash, p.Image, p.Width, p.Height, p.Thumbnail, by)
		if e := tooManyPhotos(err); e != nil {
			return e
		}
		if err != nil {
			return wrap(err, "add photo")
		}
		return audit(ctx, tx, "report.photo_add", "report", id, []string{muni}, nil,
			map[string]any{"photo": p.Hash, "width": p.Width, "height": p.Height})
	})
	return out, err
}

// RemovePhoto removes a report's photo as the caller, staff who moderate it, and
// audits it as report.photo_remove: ENOTFOUND for a report out of scope or a photo it
// does not have.
func (db *DB) RemovePhoto(ctx context.Context, id, hash string) error {
	if !isUUID(id) {
		return trygg.Errorf(trygg.ENOTFOUND, "id", "no report has id %q", id)
	}
	return db.inTx(ctx, "remove photo", func(tx pgx.Tx) error {
		muni, err := lockReportForPhotos(ctx, tx, id)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM report_photo WHERE report_id = $1 AND hash = $2`, id, hash)
		if err != nil {
			return wrap(err, "remove photo")
		}
		if tag.RowsAffected() == 0 {
			return trygg.Errorf(trygg.ENOTFOUND, "photo", "report %s has no photo %q", id, hash)
		}
		return audit(ctx, tx, "report.photo_remove", "report", id, []string{muni}, map[string]any{"photo": hash}, nil)
	})
}

// RemovePhotoAsReporter removes a photo of a report for the holder of its erasure
// token, only while the report is received: ENOTFOUND for a wrong id, token or photo,
// EFORBIDDEN once moderated.
func (db *DB) RemovePhotoAsReporter(ctx context.Context, id string, erasureHash []byte, hash string) error {
	if !isUUID(id) {
		return trygg.Errorf(trygg.ENOTFOUND, "id", "no report has id %q", id)
	}
	var res *string
	if err := db.pool.QueryRow(ctx, `SELECT remove_report_photo($1, $2, $3)`, id, erasureHash, hash).Scan(&res); err != nil {
		return wrap(err, "remove photo")
	}
	switch {
	case res == nil:
		return trygg.Errorf(trygg.ENOTFOUND, "id", "no report with this id and erasure token")
	case *res == "moderated":
		return trygg.Errorf(trygg.EFORBIDDEN, "Erasure-Token",
			"the report is moderated: its photos are removed by the municipality's staff now")
	case *res == "missing":
		return trygg.Errorf(trygg.ENOTFOUND, "photo", "report %s has no photo %q", id, hash)
	}
	return nil
}

// PhotoImage is the bytes of a photo or its thumbnail and whether everyone may see it.
type PhotoImage struct {
	JPEG   []byte
	Public bool
}

// StaffPhoto returns a photo (or its thumbnail) of a report the caller's staff scope
// covers, or ENOTFOUND.
func (db *DB) StaffPhoto(ctx context.Context, id, hash string, thumbnail bool) (PhotoImage, error) {
	var out PhotoImage
	if !isUUID(id) {
		return out, trygg.Errorf(trygg.ENOTFOUND, "id", "no report has id %q", id)
	}
	err := db.inTx(ctx, "read photo", func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT CASE WHEN $3 THEN p.thumbnail ELSE p.image END,
				r.status IN ('published', 'resolved') AND r.source <> 'police-event'
			FROM report_photo p JOIN report r ON r.id = p.report_id
			WHERE p.report_id = $1 AND p.hash = $2`, id, hash, thumbnail).Scan(&out.JPEG, &out.Public)
		if errors.Is(err, pgx.ErrNoRows) {
			return trygg.Errorf(trygg.ENOTFOUND, "photo", "no such photo")
		}
		return wrap(err, "read photo")
	})
	return out, err
}

// Photo returns a photo (or its thumbnail) of a public report, or with the hash of
// its erasure token (else nil) of the reporter's own report in any status; else
// ENOTFOUND.
func (db *DB) Photo(ctx context.Context, id, hash string, thumbnail bool, erasureHash []byte) (PhotoImage, error) {
	var out PhotoImage
	if !isUUID(id) {
		return out, trygg.Errorf(trygg.ENOTFOUND, "id", "no report has id %q", id)
	}
	err := db.pool.QueryRow(ctx, `SELECT image, public FROM report_photo_image($1, $2, $3, $4)`,
		id, hash, thumbnail, erasureHash).Scan(&out.JPEG, &out.Public)
	if errors.Is(err, pgx.ErrNoRows) {
		return out, trygg.Errorf(trygg.ENOTFOUND, "photo", "no such photo")
	}
	return out, wrap(err, "read photo")
}

// PublicPhotos returns the photos of the reports ids that the public may see, and with
// an erasure token's hash (else nil) also those of its own report, by report id
// (oldest first); every id has a list, empty for none.
func (db *DB) PublicPhotos(ctx context.Context, ids []string, erasureHash []byte) (map[string][]trygg.Photo, error) {
	out := make(map[string][]trygg.Photo, len(ids))
	var valid []string
	for _, id := range ids {
		out[id] = []trygg.Photo{}
		if isUUID(id) {
			valid = append(valid, id)
		}
	}
	if len(valid) == 0 {
		return out, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT report_id::text, hash, width, height FROM report_photo_list($1::uuid[], $2)`, valid, erasureHash)
	if err != nil {
		return nil, wrap(err, "list photos")
	}
	err = collectPhotos(rows, out)
	return out, wrap(err, "list photos")
}

// staffPhotos fills the photos of rs as the caller's scope sees them (in tx).
func staffPhotos(ctx context.Context, tx pgx.Tx, rs []trygg.Report) error {
	if len(rs) == 0 {
		return nil
	}
	ids := make([]string, len(rs))
	byID := make(map[string][]trygg.Photo, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
		byID[r.ID] = []trygg.Photo{}
	}
	rows, err := tx.Query(ctx, `SELECT report_id::text, hash, width, height FROM report_photo
		WHERE report_id = ANY($1::uuid[]) ORDER BY report_id, created_at, hash`, ids)
	if err != nil {
		return wrap(err, "list photos")
	}
	if err := collectPhotos(rows, byID); err != nil {
		return wrap(err, "list photos")
	}
	for i := range rs {
		rs[i].Photos = byID[rs[i].ID]
	}
	return nil
}

func collectPhotos(rows pgx.Rows, into map[string][]trygg.Photo) error {
	var id, hash string
	var w, h int
	_, err := pgx.ForEachRow(rows, []any{&id, &hash, &w, &h}, func() error {
		into[id] = append(into[id], trygg.NewPhoto(id, hash, w, h))
		return nil
	})
	return err
}

// fillPublicPhotos sets the photos of public reports (one query for all of them).
func (db *DB) fillPublicPhotos(ctx context.Context, rs []trygg.Report) error {
	if len(rs) == 0 {
		return nil
	}
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	m, err := db.PublicPhotos(ctx, ids, nil)
	if err != nil {
		return err
	}
	for i := range rs {
		rs[i].Photos = m[rs[i].ID]
	}
	return nil
}
