package postgis

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/trygg-gis/trygg"
)

// The risk-date calendar (calendar.go in the root package) with each municipality's own
// windows of skolavslutning, studentdagar and påsklov (table risk_date_local,
// migration 24; the public reads them through public_risk_date_local).

// querier is what a pool and a transaction share.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// calendarYears reads the municipality's local dates for the years from..to and
// returns the calendars of those years in order; ENOTFOUND for an unknown municipality.
func calendarYears(ctx context.Context, q querier, municipality string, from, to int) ([]trygg.CalendarDate, error) {
	rows, err := q.Query(ctx, `SELECT r.year, r.key, r.starts_on, r.ends_on
		FROM municipality m LEFT JOIN public_risk_date_local r
		  ON r.municipality_code = m.code AND r.year BETWEEN $2 AND $3
		WHERE m.code = $1`, municipality, from, to)
	if err != nil {
		return nil, wrap(err, "read risk dates")
	}
	local := map[int][]trygg.LocalDate{}
	found := false
	for rows.Next() {
		var year *int
		var key *string
		var starts, ends *time.Time
		if err := rows.Scan(&year, &key, &starts, &ends); err != nil {
			rows.Close()
			return nil, wrap(err, "read risk dates")
		}
		found = true
		if year != nil {
			local[*year] = append(local[*year], trygg.LocalDate{Key: *key, From: trygg.Date{Time: *starts}, To: trygg.Date{Time: *ends}})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(err, "read risk dates")
	}
	if !found {
		return nil, trygg.Errorf(trygg.ENOTFOUND, "municipality", "no municipality has code %q", municipality)
	}
	var out []trygg.CalendarDate
	for y := from; y <= to; y++ {
		out = append(out, trygg.Calendar(y, local[y])...)
	}
	return out, nil
}

// Calendar is the year's holidays and risk dates in the municipality, with its own
// windows of the local risk dates: public data, read by anyone.
func (db *DB) Calendar(ctx context.Context, municipality string, year int) ([]trygg.CalendarDate, error) {
	if !trygg.ValidMunicipalityCode(municipality) {
		return nil, trygg.Errorf(trygg.EINVALID, "municipality", "municipality %q is not an SCB code", municipality)
	}
	if err := trygg.CheckCalendarYear("year", year); err != nil {
		return nil, err
	}
	return calendarYears(ctx, db.pool, municipality, year, year)
}

// RiskDatesOn are the municipality's risk dates whose window holds a Swedish day from
// start to end (a patrol shift); none for an unknown municipality.
func (db *DB) RiskDatesOn(ctx context.Context, municipality string, start, end time.Time) ([]trygg.CalendarDate, error) {
	from, to := trygg.Today(start).Year(), trygg.Today(end).Year()
	if to < from || from < 2000 || to > 2100 {
		return nil, nil
	}
	cal, err := calendarYears(ctx, db.pool, municipality, from-1, to) // nyår reaches into January
	if trygg.ErrorCode(err) == trygg.ENOTFOUND {
		return nil, nil
	}
	return trygg.RiskDatesOn(cal, start, end), err
}

// SetLocalRiskDates replaces the municipality's own windows of the local risk dates for
// a year (those not given take the defaults again), audited, and returns the year's
// calendar. The caller must serve the municipality; row-level security holds it too.
func (db *DB) SetLocalRiskDates(ctx context.Context, municipality string, year int, dates []trygg.LocalDate) ([]trygg.CalendarDate, error) {
	if !trygg.ValidMunicipalityCode(municipality) {
		return nil, trygg.Errorf(trygg.EINVALID, "municipality", "municipality %q is not an SCB code", municipality)
	}
	if err := trygg.CheckCalendarYear("year", year); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, d := range dates {
		if err := d.Validate(year); err != nil {
			return nil, prefixError(err, fmt.Sprintf("dates[%d].", i))
		}
		if seen[d.Key] {
			return nil, trygg.Errorf(trygg.EINVALID, fmt.Sprintf("dates[%d].key", i), "%s is given twice", d.Key)
		}
		seen[d.Key] = true
	}
	if err := mayWrite(ctx, municipality); err != nil {
		return nil, err
	}
	var out []trygg.CalendarDate
	err := db.inTx(ctx, "set risk dates", func(tx pgx.Tx) error {
		before, err := localRiskDates(ctx, tx, municipality, year)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM risk_date_local WHERE municipality_code = $1 AND year = $2`, municipality, year); err != nil {
			return wrap(err, "set risk dates")
		}
		for _, d := range dates {
			if _, err := tx.Exec(ctx, `INSERT INTO risk_date_local (municipality_code, year, key, starts_on, ends_on)
				VALUES ($1, $2, $3, $4, $5)`, municipality, year, d.Key, d.From.Time, d.To.Time); err != nil {
				return wrap(err, "set risk dates")
			}
		}
		if out, err = calendarYears(ctx, tx, municipality, year, year); err != nil {
			if trygg.ErrorCode(err) == trygg.ENOTFOUND {
				return trygg.Errorf(trygg.ENOTFOUND, "municipality", "no municipality has code %q", municipality)
			}
			return err
		}
		after := dates
		if after == nil {
			after = []trygg.LocalDate{}
		}
		return audit(ctx, tx, "risk_dates.update", "risk_date_local", fmt.Sprintf("%s/%d", municipality, year),
			[]string{municipality}, before, after)
	})
	return out, err
}

func localRiskDates(ctx context.Context, tx pgx.Tx, municipality string, year int) ([]trygg.LocalDate, error) {
	rows, err := tx.Query(ctx, `SELECT key, starts_on, ends_on FROM risk_date_local
		WHERE municipality_code = $1 AND year = $2 ORDER BY key`, municipality, year)
	if err != nil {
		return nil, wrap(err, "read risk dates")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (trygg.LocalDate, error) {
		var d trygg.LocalDate
		err := r.Scan(&d.Key, &d.From.Time, &d.To.Time)
		return d, err
	})
	if out == nil {
		out = []trygg.LocalDate{}
	}
	return out, wrap(err, "read risk dates")
}

// followupRiskDates adds to each risk-date campaign commitment of a follow-up
// (trygg.RiskDateCommitment) the risk dates of the promise's period and whether an
// activity linked to it fell on one or in the trygg.RiskLeadDays days before.
func followupRiskDates(ctx context.Context, tx pgx.Tx, f *Followup, now time.Time) error {
	var cal []trygg.CalendarDate
	for i := range f.Commitments {
		cf := &f.Commitments[i]
		if !trygg.RiskDateCommitment(cf.Commitment) {
			continue
		}
		if cal == nil {
			var err error
			p := f.Promise
			cal, err = calendarYears(ctx, tx, p.Municipality, p.PeriodStart.Year()-1, p.PeriodEnd.Year())
			if err != nil {
				return err
			}
		}
		cf.RiskDates = trygg.RiskCoverage(cal, cf.Activities, f.Promise.PeriodStart, f.Promise.PeriodEnd, now)
	}
	return nil
}
