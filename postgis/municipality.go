package postgis

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/trygg-gis/trygg"
)

const municipalityColumns = `
	m.code, m.name, ST_AsBinary(m.boundary),
	coalesce((SELECT json_agg(json_build_object('id', pa.id, 'name', pa.name) ORDER BY pa.name)
	          FROM police_area_municipality pam
	          JOIN police_area pa ON pa.id = pam.police_area_id
	          WHERE pam.municipality_code = m.code), '[]')`

func scanMunicipality(row pgx.Row) (trygg.Municipality, error) {
	var m trygg.Municipality
	var boundary []byte
	if err := row.Scan(&m.Code, &m.Name, &boundary, &m.PoliceAreas); err != nil {
		return m, err
	}
	g, err := wkb.Unmarshal(boundary)
	if err != nil {
		return m, fmt.Errorf("decode boundary of %s: %w", m.Code, err)
	}
	mp, ok := g.(orb.MultiPolygon)
	if !ok {
		return m, fmt.Errorf("boundary of %s is a %s", m.Code, g.GeoJSONType())
	}
	m.Boundary = mp
	return m, nil
}

// Municipalities returns every municipality, ordered by code.
func (db *DB) Municipalities(ctx context.Context) ([]trygg.Municipality, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+municipalityColumns+` FROM municipality m ORDER BY m.code`)
	if err != nil {
		return nil, wrap(err, "list municipalities")
	}
	ms, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (trygg.Municipality, error) {
		return scanMunicipality(row)
	})
	return ms, wrap(err, "list municipalities")
}

// Municipality returns the municipality with the given SCB code, or ENOTFOUND.
func (db *DB) Municipality(ctx context.Context, code string) (*trygg.Municipality, error) {
	row := db.pool.QueryRow(ctx, `SELECT `+municipalityColumns+` FROM municipality m WHERE m.code = $1`, code)
	m, err := scanMunicipality(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, trygg.Errorf(trygg.ENOTFOUND, "code", "no municipality has code %q", code)
	}
	if err != nil {
		return nil, wrap(err, "get municipality")
	}
	return &m, nil
}

// CountMunicipalities returns how many municipalities are stored.
func (db *DB) CountMunicipalities(ctx context.Context) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `SELECT count(*) FROM municipality`).Scan(&n)
	return n, wrap(err, "count municipalities")
}

// UpsertMunicipalities inserts or updates municipalities by code, all or nothing. Their
// boundaries are in the CRS with EPSG code srid and are transformed to WGS 84 here;
// Polygons become MultiPolygons. A boundary PostGIS finds invalid (a self-intersecting
// ring, say) after the transform is rejected with ST_IsValidReason, and then nothing is
// written: the summary lists the rejections by their index in ms. progress, if not
// nil, is called as rows are sent.
func (db *DB) UpsertMunicipalities(ctx context.Context, ms []trygg.Municipality, srid int,
	progress func(done, total int)) (trygg.ImportSummary, error) {
	var sum trygg.ImportSummary
	seen := make(map[string]int, len(ms))
	for i := range ms {
		if err := ms[i].Validate(); err != nil {
			sum.Rejected = append(sum.Rejected, trygg.Rejection{Index: i, Code: ms[i].Code, Reason: trygg.ErrorMessage(err)})
		} else if j, dup := seen[ms[i].Code]; dup {
			sum.Rejected = append(sum.Rejected, trygg.Rejection{Index: i, Code: ms[i].Code,
				Reason: fmt.Sprintf("code %s is also used by record %d", ms[i].Code, j)})
		}
		seen[ms[i].Code] = i
	}
	if len(sum.Rejected) > 0 {
		return sum, nil
	}
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return sum, wrap(err, "begin import")
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit

	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_municipality (
		idx int PRIMARY KEY, code text NOT NULL, name text NOT NULL, wkb bytea NOT NULL, geom geometry
	) ON COMMIT DROP`); err != nil {
		return sum, wrap(err, "create import table")
	}
	i := 0
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"import_municipality"}, []string{"idx", "code", "name", "wkb"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i >= len(ms) {
				return nil, nil
			}
			m := ms[i]
			b, err := wkb.Marshal(m.Boundary)
			if err != nil {
				return nil, fmt.Errorf("encode boundary %d: %w", i, err)
			}
			i++
			if progress != nil {
				progress(i, len(ms))
			}
			return []any{i - 1, m.Code, m.Name, b}, nil
		}))
	if err != nil {
		return sum, wrap(err, "copy municipalities")
	}

	// Transform once, then judge validity of what would be stored.
	if _, err := tx.Exec(ctx, `
		UPDATE import_municipality
		SET geom = ST_Multi(ST_Transform(ST_SetSRID(ST_GeomFromWKB(wkb), $1::int), 4326))`, srid); err != nil {
		return sum, wrap(err, "transform boundaries")
	}
	rows, err := tx.Query(ctx, `
		SELECT idx, code, ST_IsValidReason(geom) FROM import_municipality
		WHERE NOT ST_IsValid(geom) ORDER BY idx`)
	if err != nil {
		return sum, wrap(err, "validate boundaries")
	}
	sum.Rejected, err = pgx.CollectRows(rows, pgx.RowToStructByPos[trygg.Rejection])
	if err != nil {
		return sum, wrap(err, "validate boundaries")
	}
	if len(sum.Rejected) > 0 {
		for k := range sum.Rejected {
			sum.Rejected[k].Reason = "invalid boundary: " + sum.Rejected[k].Reason
		}
		return sum, nil
	}

	rows, err = tx.Query(ctx, `
		INSERT INTO municipality AS m (code, name, boundary)
		SELECT code, name, geom FROM import_municipality ORDER BY idx
		ON CONFLICT (code) DO UPDATE
			SET name = EXCLUDED.name, boundary = EXCLUDED.boundary, updated_at = now()
			WHERE m.name IS DISTINCT FROM EXCLUDED.name
			   OR NOT ST_OrderingEquals(m.boundary, EXCLUDED.boundary)
		RETURNING (xmax = 0)`)
	if err != nil {
		return sum, wrap(err, "upsert municipalities")
	}
	inserted, err := pgx.CollectRows(rows, pgx.RowTo[bool])
	if err != nil {
		return sum, wrap(err, "upsert municipalities")
	}
	for _, ins := range inserted {
		if ins {
			sum.Inserted++
		} else {
			sum.Updated++
		}
	}
	sum.Unchanged = len(ms) - len(inserted)
	if err := tx.Commit(ctx); err != nil {
		return trygg.ImportSummary{}, wrap(err, "commit import")
	}
	return sum, nil
}

// UpsertPoliceArea stores a police area and replaces the list of municipalities it
// serves. Every municipality must already be stored.
func (db *DB) UpsertPoliceArea(ctx context.Context, p trygg.PoliceArea) error {
	if err := p.Validate(); err != nil {
		return err
	}
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return wrap(err, "begin police area")
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit

	var missing []string
	err = tx.QueryRow(ctx, `
		SELECT coalesce(array_agg(c ORDER BY c), '{}') FROM unnest($1::text[]) AS c
		WHERE NOT EXISTS (SELECT 1 FROM municipality WHERE code = c)`, p.MunicipalityCodes).Scan(&missing)
	if err != nil {
		return wrap(err, "check police area municipalities")
	}
	if len(missing) > 0 {
		return trygg.Errorf(trygg.EINVALID, "municipalities", "police area %s: unknown municipalities %v", p.ID, missing)
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO police_area (id, name, region) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, region = EXCLUDED.region`,
		p.ID, p.Name, p.Region); err != nil {
		if isUniqueViolation(err, "police_area_name_key") {
			return trygg.Errorf(trygg.ECONFLICT, "name", "police area name %q is already used by another police area", p.Name)
		}
		return wrap(err, "upsert police area")
	}
	if _, err := tx.Exec(ctx, `
		DELETE FROM police_area_municipality WHERE police_area_id = $1 AND NOT municipality_code = ANY($2)`, p.ID, p.MunicipalityCodes); err != nil {
		return wrap(err, "update police area municipalities")
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO police_area_municipality (police_area_id, municipality_code)
		SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, p.ID, p.MunicipalityCodes); err != nil {
		return wrap(err, "update police area municipalities")
	}
	return wrap(tx.Commit(ctx), "commit police area")
}
