package postgis

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/trygg-gis/trygg"
)

// DemographicCount is one cell of a demographic marginal: a value (an age band, a
// gender, or "total") and its count, nil when suppressed.
type DemographicCount struct {
	Value      string `json:"value"`
	Count      *int64 `json:"count"`
	Suppressed bool   `json:"suppressed"`
}

// DemographicStats are the counts of published residents' reports by the reporters'
// age band and, separately, gender: each marginal on its own, never crossed with the
// other or with a place finer than the municipality.
type DemographicStats struct {
	Total   DemographicCount   `json:"total"`
	AgeBand []DemographicCount `json:"age_band"`
	Gender  []DemographicCount `json:"gender"`
}

// DemographicsStats counts the published residents' reports of municipality ("" for
// all) that give category among their reasons ("" for any) by age band and by gender,
// in SQL (demographics_stats, migration 31, the only reader of the demographics): every
// count below 5 suppressed, and the next smallest of a marginal too when it would be
// its only suppressed cell; a total below 5 suppressed.
func (db *DB) DemographicsStats(ctx context.Context, municipality, category string) (DemographicStats, error) {
	out := DemographicStats{AgeBand: []DemographicCount{}, Gender: []DemographicCount{}}
	if municipality != "" {
		var ok bool
		if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM municipality WHERE code = $1)`, municipality).Scan(&ok); err != nil {
			return out, wrap(err, "read demographics")
		}
		if !ok {
			return out, trygg.Errorf(trygg.ENOTFOUND, "municipality", "no municipality has code %q", municipality)
		}
	}
	rows, err := db.pool.Query(ctx, `SELECT dimension, value, n, suppressed FROM demographics_stats($1, $2)`,
		nonEmpty(municipality), nonEmpty(category))
	if err != nil {
		return out, wrap(err, "read demographics")
	}
	var dim string
	var c DemographicCount
	_, err = pgx.ForEachRow(rows, []any{&dim, &c.Value, &c.Count, &c.Suppressed}, func() error {
		switch dim {
		case "total":
			out.Total = c
		case "age_band":
			out.AgeBand = append(out.AgeBand, c)
		case "gender":
			out.Gender = append(out.Gender, c)
		}
		c = DemographicCount{}
		return nil
	})
	return out, wrap(err, "read demographics")
}
