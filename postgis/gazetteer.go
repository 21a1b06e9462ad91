package postgis

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/trygg-gis/trygg"
)

// SearchQuery is a gazetteer search: Q normalised (trygg.NormalizeSearch), optionally
// near a point and within one municipality.
type SearchQuery struct {
	Q            string
	Near         *orb.Point
	Municipality string
	Limit        int
}

// searchSQL is the search statement for q and its arguments. Candidates come from the
// trigram index on gazetteer.search: a prefix of the text or of one of its words
// (LIKE), or a fuzzy, word-order-independent match (q <% search: word_similarity at
// least pg_trgm.word_similarity_threshold). They rank exact name before prefix before
// fuzzy, then by word similarity, kind (trygg.PlaceKinds), distance to Near in metres,
// and name in Swedish order.
func searchSQL(q SearchQuery) (string, []any) {
	pat := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q.Q)
	args := []any{q.Q, pat, trygg.PlaceKinds}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where := `(z.search LIKE $2 || '%' OR z.search LIKE '% ' || $2 || '%' OR $1 <% z.search)`
	if q.Municipality != "" {
		where += " AND z.municipality_code = " + arg(q.Municipality)
	}
	dist := ""
	if q.Near != nil {
		dist = fmt.Sprintf("ST_Distance(z.shape, ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), 4326), 3006)), ",
			arg(q.Near[0]), arg(q.Near[1]))
	}
	limit := q.Limit
	if limit <= 0 {
		limit = trygg.DefaultSearchLimit
	}
	return `SELECT z.kind, z.name, coalesce(z.street, ''), coalesce(z.housenumber, ''), coalesce(z.postcode, ''),
			coalesce(z.locality, ''), z.municipality_code, m.name, ST_X(z.geom), ST_Y(z.geom), z.source, z.source_id
		FROM gazetteer z JOIN municipality m ON m.code = z.municipality_code
		WHERE ` + where + `
		ORDER BY CASE WHEN lower(z.name) = $1 OR z.search = $1 THEN 0
		              WHEN z.search LIKE $2 || '%' OR z.search LIKE '% ' || $2 || '%' THEN 1 ELSE 2 END,
			word_similarity($1, z.search) DESC, array_position($3::text[], z.kind), ` + dist +
		`z.name COLLATE trygg_sv, z.id
		LIMIT ` + fmt.Sprint(limit), args
}

// Search finds gazetteer entries for q, best first (searchSQL).
// An unknown Municipality is EINVALID.
func (db *DB) Search(ctx context.Context, q SearchQuery) ([]trygg.GazetteerEntry, error) {
	if q.Municipality != "" {
		var ok bool
		if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM municipality WHERE code = $1)`, q.Municipality).Scan(&ok); err != nil {
			return nil, wrap(err, "search")
		}
		if !ok {
			return nil, trygg.Errorf(trygg.EINVALID, "municipality", "no municipality has code %q", q.Municipality)
		}
	}
	sql, args := searchSQL(q)
	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, wrap(err, "search")
	}
	es, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (trygg.GazetteerEntry, error) {
		var e trygg.GazetteerEntry
		var muniName string
		err := row.Scan(&e.Kind, &e.Name, &e.Street, &e.Housenumber, &e.Postcode, &e.Locality, &e.Municipality,
			&muniName, &e.Location[0], &e.Location[1], &e.Source, &e.SourceID)
		e.Label = entryLabel(e, muniName)
		return e, err
	})
	return es, wrap(err, "search")
}

// entryLabel is how an entry reads in a list of hits: its name and, but for a
// municipality, where it is ("Storgatan 5, Vara"), unless the name says so already.
func entryLabel(e trygg.GazetteerEntry, municipalityName string) string {
	if e.Kind == trygg.PlaceMunicipality {
		return e.Name + " kommun"
	}
	where := e.Locality
	if where == "" {
		where = municipalityName
	}
	if where == "" || strings.Contains(strings.ToLower(e.Name), strings.ToLower(where)) {
		return e.Name
	}
	return e.Name + ", " + where
}

// Reverse is what the form shows for a chosen position: the place label reports there
// get (place_label, migration 22) and the municipality they would belong to
// (report_municipality), either empty when there is none.
type Reverse struct {
	Label            string `json:"label"`
	Municipality     string `json:"municipality"`
	MunicipalityName string `json:"municipality_name"`
}

// ReverseGeocode names the place at p with the SQL functions a report stored there uses.
func (db *DB) ReverseGeocode(ctx context.Context, p orb.Point) (Reverse, error) {
	var r Reverse
	err := db.pool.QueryRow(ctx, `
		SELECT coalesce(place_label(g), ''), coalesce(m.code, ''), coalesce(m.name, '')
		FROM ST_SetSRID(ST_MakePoint($1, $2), 4326) g
		LEFT JOIN municipality m ON m.code = report_municipality(g)`, p[0], p[1]).Scan(&r.Label, &r.Municipality, &r.MunicipalityName)
	return r, wrap(err, "reverse geocode")
}

// ImportGazetteer stores gazetteer entries, set-based: they are copied into a staging
// table, given the municipality a report there would get (report_municipality: the
// boundary that covers them, on the boundaries' index, else the nearest within the
// boundary tolerance, as SCB's boundaries cut the coast), streets merged into one entry per name and municipality (their
// lines, at the point of them nearest their centre), and upserted on (source,
// source_id) in one INSERT … SELECT, so importing a file again changes nothing.
// Entries outside every municipality are skipped; an entry without a locality gets its
// municipality's name, so "storgatan vara" finds Vara's Storgatan. Reports without a place label are
// labelled afterwards, in the municipalities touched.
func (db *DB) ImportGazetteer(ctx context.Context, es []trygg.GazetteerEntry, progress func(done, total int)) (trygg.GazetteerSummary, error) {
	sum := trygg.GazetteerSummary{Read: len(es), ByKind: map[string]int{}}
	if len(es) == 0 {
		return sum, nil
	}
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return sum, wrap(err, "begin gazetteer import")
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_gazetteer (
		kind text, name text, street text, housenumber text, postcode text, locality text,
		wkb bytea, source text, source_id text) ON COMMIT DROP;
		CREATE TEMP TABLE gazetteer_written (id bigint) ON COMMIT DROP`); err != nil {
		return sum, wrap(err, "stage gazetteer")
	}
	i := 0
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"import_gazetteer"},
		[]string{"kind", "name", "street", "housenumber", "postcode", "locality", "wkb", "source", "source_id"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i >= len(es) {
				return nil, nil
			}
			e := es[i]
			i++
			var g orb.Geometry = e.Location
			if e.Kind == trygg.PlaceStreet && len(e.Lines) > 0 {
				g = e.Lines
			}
			b, err := wkb.Marshal(g)
			if err != nil {
				return nil, fmt.Errorf("encode entry %d: %w", i-1, err)
			}
			if progress != nil && (i%10000 == 0 || i == len(es)) {
				progress(i, len(es))
			}
			return []any{e.Kind, strings.TrimSpace(e.Name), nonEmpty(e.Street), nonEmpty(e.Housenumber), nonEmpty(e.Postcode),
				nonEmpty(e.Locality), b, e.Source, e.SourceID}, nil
		}))
	if err != nil {
		return sum, wrap(err, "copy gazetteer")
	}
	rows, err := tx.Query(ctx, `
		WITH staged AS (
			SELECT s.kind, s.name, s.street, s.housenumber, s.postcode, coalesce(s.locality, m.name) AS locality,
				s.source, s.source_id, g.g, m.code AS municipality_code
			FROM import_gazetteer s
			CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_GeomFromWKB(s.wkb), 4326) AS g) g
			LEFT JOIN municipality m ON m.code = report_municipality(g.g)
			WHERE s.name <> '' AND s.kind = ANY($1::text[]) AND ST_IsValid(g.g)
		), outside AS (
			SELECT count(*)::int AS n FROM staged WHERE municipality_code IS NULL
		), points AS (
			SELECT DISTINCT ON (source, source_id) kind, name, street, housenumber, postcode, locality,
				municipality_code, g AS geom, ST_Transform(g, 3006) AS shape, source, source_id
			FROM staged WHERE municipality_code IS NOT NULL AND kind <> 'street'
			ORDER BY source, source_id
		), streets AS (
			SELECT 'street' AS kind, name, NULL::text AS street, NULL::text AS housenumber, NULL::text AS postcode,
				locality, municipality_code, ST_Transform(ST_ClosestPoint(lines, ST_Centroid(lines)), 4326) AS geom,
				lines AS shape, source, municipality_code || ':' || lower(name) AS source_id
			FROM (SELECT name, municipality_code, min(locality) AS locality, min(source) AS source,
					ST_Multi(ST_LineMerge(ST_Collect(part))) AS lines
				FROM (SELECT name, municipality_code, locality, source, (ST_Dump(ST_Transform(g, 3006))).geom AS part
				      FROM staged WHERE municipality_code IS NOT NULL AND kind = 'street') w
				WHERE GeometryType(part) = 'LINESTRING'
				GROUP BY name, municipality_code) s
		), upsert AS (
			INSERT INTO gazetteer (kind, name, street, housenumber, postcode, locality, municipality_code,
				geom, shape, source, source_id)
			SELECT kind, name, street, housenumber, postcode, locality, municipality_code, geom, shape, source, source_id
			FROM (SELECT * FROM points UNION ALL SELECT * FROM streets) e
			ON CONFLICT (source, source_id) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name,
				street = EXCLUDED.street, housenumber = EXCLUDED.housenumber, postcode = EXCLUDED.postcode,
				locality = EXCLUDED.locality, municipality_code = EXCLUDED.municipality_code,
				geom = EXCLUDED.geom, shape = EXCLUDED.shape, updated_at = now()
				WHERE (gazetteer.kind, gazetteer.name, gazetteer.street, gazetteer.housenumber, gazetteer.postcode,
				       gazetteer.locality, gazetteer.municipality_code, gazetteer.geom, gazetteer.shape)
				      IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.name, EXCLUDED.street, EXCLUDED.housenumber,
				       EXCLUDED.postcode, EXCLUDED.locality, EXCLUDED.municipality_code, EXCLUDED.geom, EXCLUDED.shape)
			RETURNING id
		), written AS (
			INSERT INTO gazetteer_written SELECT id FROM upsert
		)
		SELECT 'written', (SELECT count(*)::int FROM upsert)
		UNION ALL SELECT 'outside', n FROM outside
		UNION ALL SELECT kind, count(*)::int FROM (SELECT kind FROM points UNION ALL SELECT kind FROM streets) k GROUP BY kind`,
		trygg.PlaceKinds[1:])
	if err != nil {
		return sum, wrap(err, "import gazetteer")
	}
	var what string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&what, &n}, func() error {
		switch what {
		case "written":
			sum.Written = n
		case "outside":
			sum.Outside = n
		default:
			sum.ByKind[what] = n
		}
		return nil
	}); err != nil {
		return sum, wrap(err, "import gazetteer")
	}
	if sum.Relabelled, err = relabelReports(ctx, tx); err != nil {
		return sum, err
	}
	if err := tx.Commit(ctx); err != nil {
		return sum, wrap(err, "commit gazetteer import")
	}
	// A large import leaves its trigram entries in the index's pending list, which
	// every search reads through until autovacuum merges it: merge it now.
	if sum.Written > 0 {
		if _, err := db.pool.Exec(ctx, `SELECT gin_clean_pending_list('gazetteer_search_trgm'::regclass)`); err != nil {
			return sum, wrap(err, "merge the search index")
		}
		if _, err := db.pool.Exec(ctx, `ANALYZE gazetteer`); err != nil {
			return sum, wrap(err, "analyze gazetteer")
		}
	}
	return sum, nil
}

// relabelReports gives reports without a place label within 1 km (the farthest a
// label reaches) of an entry this import wrote the label place_label finds now, and
// returns how many got one: reports stored before the gazetteer was loaded. Labelled
// reports keep theirs.
func relabelReports(ctx context.Context, tx pgx.Tx) (int, error) {
	tag, err := tx.Exec(ctx, `
		UPDATE report r SET place_label = l.label
		FROM (SELECT c.id, place_label(c.geom) AS label
		      FROM (SELECT DISTINCT r.id, r.geom FROM gazetteer_written w
		            JOIN gazetteer g ON g.id = w.id
		            JOIN report r ON ST_DWithin(r.xy, g.shape, 1000)
		            WHERE r.place_label IS NULL AND r.source <> 'police-event') c) l
		WHERE r.id = l.id AND l.label IS NOT NULL`)
	if err != nil {
		return 0, wrap(err, "label reports")
	}
	return int(tag.RowsAffected()), nil
}

// NearBoundary counts the reports among ids (that the caller may see) that lie outside
// their municipality's boundary: placed there by the boundary tolerance
// (report_municipality, migration 22). Imports report it in their summaries.
func (db *DB) NearBoundary(ctx context.Context, ids []string) (int, error) {
	var n int
	if len(ids) == 0 {
		return 0, nil
	}
	err := db.inTx(ctx, "count reports near the boundary", func(tx pgx.Tx) error {
		return wrap(tx.QueryRow(ctx, `SELECT count(*)::int FROM report
			WHERE id = ANY($1::uuid[]) AND report_outside_boundary(geom, municipality_code)`, ids).Scan(&n),
			"count reports near the boundary")
	})
	return n, err
}
