package postgis

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
)

// The documents Lag (2023:196) asks of a municipality: the lägesbild (situation picture)
// and the åtgärdsplan (action plan). Every count here is one set-based statement in the
// caller's scoped transaction (row-level security applies); nothing personal is read:
// categories, sources, types, place labels (a stop, place or street, as public as the
// public report), states and statuses, never a resident's text, name or contact.

// Period is a span of calendar days in Swedish time, both ends included.
type Period struct {
	From trygg.Date `json:"from"`
	To   trygg.Date `json:"to"`
}

// Days is the number of days in the period.
func (p Period) Days() int { return int(p.To.Sub(p.From.Time).Hours()/24+0.5) + 1 }

// Previous is the period of equal length just before p.
func (p Period) Previous() Period {
	to := p.From.AddDate(0, 0, -1)
	return Period{From: trygg.Date{Time: to.AddDate(0, 0, -(p.Days() - 1))}, To: trygg.Date{Time: to}}
}

// Count is one key's count in the period and, where a trend is shown, in the previous
// period of equal length.
type Count struct {
	Key      string `json:"key"`
	Count    int    `json:"count"`
	Previous *int   `json:"previous,omitempty"`
}

// Trend compares a count with the previous period's.
type Trend struct {
	Count     int      `json:"count"`
	Previous  int      `json:"previous"`
	ChangePct *float64 `json:"change_pct"` // nil when the previous period had none
	Direction string   `json:"direction"`  // up, down or same
}

// NewTrend is the trend from previous to count.
func NewTrend(count, previous int) Trend {
	t := Trend{Count: count, Previous: previous, Direction: "same"}
	if previous > 0 {
		pct := float64(count-previous) * 100 / float64(previous)
		pct = float64(int64(pct*10+sign(pct)*0.5)) / 10
		t.ChangePct = &pct
	}
	switch {
	case count > previous:
		t.Direction = "up"
	case count < previous:
		t.Direction = "down"
	}
	return t
}

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}

// LagesbildReports are the reports of the period (not the Police's events, which have
// their own section; not rejected ones): by category and source with the previous
// period's counts, and by named time (a report counts in each time it named or was
// observed in; unknown: neither).
type LagesbildReports struct {
	Total      Trend   `json:"total"`
	ByCategory []Count `json:"by_category"`
	BySource   []Count `json:"by_source"`
	ByTime     []Count `json:"by_time"`
}

// LagesbildEST are the EST incidents (skadegörelse, klotter, …) by type with trend.
type LagesbildEST struct {
	Total  Trend   `json:"total"`
	ByType []Count `json:"by_type"`
}

// LagesbildPoliceEvents are the Police's published events by type and by area (the
// place label of the event's position; "" when the event names only the municipality).
type LagesbildPoliceEvents struct {
	Total  Trend   `json:"total"`
	ByType []Count `json:"by_type"`
	ByArea []Count `json:"by_area"`
}

// LagesbildDialogues are the citizen dialogues held in the period: meetings,
// conversations, the themes (categories) of the places named and those places.
type LagesbildDialogues struct {
	Meetings      int     `json:"meetings"`
	Conversations int     `json:"conversations"`
	Themes        []Count `json:"themes"`
	Places        []Count `json:"places"`
}

// LagesbildWalks are the safety walks of the period, their findings (observations by
// category) and the status of the actions that came from them.
type LagesbildWalks struct {
	Walks          int     `json:"walks"`
	ByStatus       []Count `json:"by_status"`
	Findings       int     `json:"findings"`
	FindingsByCat  []Count `json:"findings_by_category"`
	ActionsByState []Count `json:"actions_by_status"`
}

// LagesbildActions are the municipality's actions: created in the period by status, and
// now open, overdue and done in the period.
type LagesbildActions struct {
	Created  int     `json:"created"`
	ByStatus []Count `json:"by_status"`
	Open     int     `json:"open"`
	Overdue  int     `json:"overdue"`
	Done     int     `json:"done_in_period"`
}

// LagesbildCamera is one camera site as the lägesbild lists it.
type LagesbildCamera struct {
	Name      string `json:"name"`
	State     string `json:"state"`
	PlaceType string `json:"place_type"`
	Operator  string `json:"operator_kind"`
	Indoor    bool   `json:"indoor"`
}

// LagesbildCameras are the camera sites by state, and each site but decommissioned ones.
type LagesbildCameras struct {
	Total   int               `json:"total"`
	ByState []Count           `json:"by_state"`
	Sites   []LagesbildCamera `json:"sites"`
}

// Lagesbild is everything of the lägesbild the store counts; the hot areas come from
// the hotspot analysis and the promise from Followup.
type Lagesbild struct {
	Period       Period                `json:"-"`
	Previous     Period                `json:"previous"`
	Reports      LagesbildReports      `json:"reports"`
	EST          LagesbildEST          `json:"est"`
	PoliceEvents LagesbildPoliceEvents `json:"police_events"`
	Dialogues    LagesbildDialogues    `json:"dialogues"`
	Walks        LagesbildWalks        `json:"walks"`
	Actions      LagesbildActions      `json:"actions"`
	Cameras      LagesbildCameras      `json:"cameras"`
}

// reportDay is a report's calendar day in Sweden, which periods count.
const reportDay = `((coalesce(r.observed_at, r.created_at) AT TIME ZONE 'Europe/Stockholm')::date)`

// inDays bounds coalesce(observed_at, created_at) by the days $2 … $3 (Swedish time) so an
// index on the moment could serve; reportDay then splits the two periods.
const inDays = `coalesce(r.observed_at, r.created_at) >= ($2::date::timestamp AT TIME ZONE 'Europe/Stockholm')
	AND coalesce(r.observed_at, r.created_at) < (($3::date + 1)::timestamp AT TIME ZONE 'Europe/Stockholm')`

// LagesbildCounts counts the lägesbild's sections for a municipality the caller serves
// over period p and the previous period of equal length.
func (db *DB) LagesbildCounts(ctx context.Context, municipality string, p Period) (Lagesbild, error) {
	prev := p.Previous()
	l := Lagesbild{Period: p, Previous: prev}
	err := db.inTx(ctx, "count the lägesbild", func(tx pgx.Tx) error {
		// $1 municipality, $2 previous from, $3 to, $4 from.
		args := []any{municipality, prev.From.Time, p.To.Time, p.From.Time}
		var err error
		// Reports but the Police's events, by category and by source, and the total. A
		// report counts in each of its categories (its reasons), once by source and in
		// the total.
		rows, err := tx.Query(ctx, `
			SELECT GROUPING(c.cat, r.source), coalesce(c.cat, r.source, ''),
				count(DISTINCT r.id) FILTER (WHERE `+reportDay+` >= $4), count(DISTINCT r.id) FILTER (WHERE `+reportDay+` < $4)
			FROM report r CROSS JOIN LATERAL unnest(r.categories) c(cat)
			WHERE r.municipality_code = $1 AND r.source <> 'police-event' AND r.status <> 'rejected' AND `+inDays+`
			GROUP BY GROUPING SETS ((c.cat), (r.source), ())
			ORDER BY 1, 3 DESC, 2`, args...)
		if err != nil {
			return wrap(err, "count reports")
		}
		err = groupedCounts(rows, map[int]*[]Count{1: &l.Reports.ByCategory, 2: &l.Reports.BySource}, &l.Reports.Total)
		if err != nil {
			return wrap(err, "count reports")
		}
		// By named time: day, evening, night, weekday, weekend, and unknown.
		if l.Reports.ByTime, err = keyCounts(ctx, tx, `
			SELECT w.key, count(r.id) FILTER (WHERE CASE WHEN w.key = 'unknown' THEN r.observed_at IS NULL AND r.times = '{}'
				ELSE time_matches(r.observed_at, r.times, ARRAY[w.key]) END)
			FROM unnest(ARRAY['day', 'evening', 'night', 'weekday', 'weekend', 'unknown']) WITH ORDINALITY AS w(key, n)
			LEFT JOIN report r ON r.municipality_code = $1 AND r.source <> 'police-event' AND r.status <> 'rejected'
				AND `+inDays+` AND `+reportDay+` >= $4
			GROUP BY w.key, w.n ORDER BY w.n`, args...); err != nil {
			return err
		}
		// EST incidents by type.
		rows, err = tx.Query(ctx, `
			SELECT GROUPING(r.est_type), coalesce(r.est_type, ''),
				count(*) FILTER (WHERE `+reportDay+` >= $4), count(*) FILTER (WHERE `+reportDay+` < $4)
			FROM report r
			WHERE r.municipality_code = $1 AND r.source = 'est' AND r.status <> 'rejected' AND `+inDays+`
			GROUP BY GROUPING SETS ((r.est_type), ()) ORDER BY 1, 3 DESC, 2`, args...)
		if err != nil {
			return wrap(err, "count EST incidents")
		}
		if err = groupedCounts(rows, map[int]*[]Count{0: &l.EST.ByType}, &l.EST.Total); err != nil {
			return wrap(err, "count EST incidents")
		}
		// The Police's events by type, and by area in the period.
		rows, err = tx.Query(ctx, `
			SELECT GROUPING(r.police_event_type), coalesce(r.police_event_type, ''),
				count(*) FILTER (WHERE `+reportDay+` >= $4), count(*) FILTER (WHERE `+reportDay+` < $4)
			FROM report r
			WHERE r.municipality_code = $1 AND r.source = 'police-event' AND `+inDays+`
			GROUP BY GROUPING SETS ((r.police_event_type), ()) ORDER BY 1, 3 DESC, 2`, args...)
		if err != nil {
			return wrap(err, "count police events")
		}
		if err = groupedCounts(rows, map[int]*[]Count{0: &l.PoliceEvents.ByType}, &l.PoliceEvents.Total); err != nil {
			return wrap(err, "count police events")
		}
		if l.PoliceEvents.ByArea, err = keyCounts(ctx, tx, `
			SELECT coalesce(r.place_label, ''), count(*) FROM report r
			WHERE r.municipality_code = $1 AND r.source = 'police-event' AND `+inDays+` AND `+reportDay+` >= $4
			GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 15`, args...); err != nil {
			return err
		}
		// Dialogues held in the period, the themes and places named in them.
		if err := tx.QueryRow(ctx, `SELECT count(*), coalesce(sum(conversations), 0) FROM dialogue
			WHERE municipality_code = $1 AND held_on BETWEEN $4 AND $3 AND $2::date IS NOT NULL`, args...).Scan(&l.Dialogues.Meetings, &l.Dialogues.Conversations); err != nil {
			return wrap(err, "count dialogues")
		}
		const dialoguePlaces = ` FROM report r JOIN dialogue d ON d.id = r.dialogue_id
			WHERE d.municipality_code = $1 AND d.held_on BETWEEN $4 AND $3 AND r.status <> 'rejected' AND $2::date IS NOT NULL`
		if l.Dialogues.Themes, err = keyCounts(ctx, tx, `SELECT r.category, count(*)`+dialoguePlaces+`
			GROUP BY 1 ORDER BY 2 DESC, 1`, args...); err != nil {
			return err
		}
		if l.Dialogues.Places, err = keyCounts(ctx, tx, `SELECT coalesce(r.place_label, ''), count(*)`+dialoguePlaces+`
			GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 15`, args...); err != nil {
			return err
		}
		// Safety walks of the period, their findings and the status of their actions.
		const walks = `(SELECT w.id, w.status FROM walk w WHERE w.municipality_code = $1 AND $2::date IS NOT NULL
			AND ((coalesce(w.starts_at, w.created_at) AT TIME ZONE 'Europe/Stockholm')::date) BETWEEN $4 AND $3) w`
		if l.Walks.ByStatus, err = keyCounts(ctx, tx, `SELECT w.status, count(*) FROM `+walks+` GROUP BY 1 ORDER BY 2 DESC, 1`, args...); err != nil {
			return err
		}
		if l.Walks.FindingsByCat, err = keyCounts(ctx, tx, `SELECT r.category, count(*) FROM `+walks+`
			JOIN report r ON r.walk_id = w.id WHERE r.status <> 'rejected' GROUP BY 1 ORDER BY 2 DESC, 1`, args...); err != nil {
			return err
		}
		if l.Walks.ActionsByState, err = keyCounts(ctx, tx, `SELECT a.status, count(*) FROM `+walks+`
			JOIN action a ON a.walk_id = w.id GROUP BY 1 ORDER BY 2 DESC, 1`, args...); err != nil {
			return err
		}
		l.Walks.Walks, l.Walks.Findings = sum(l.Walks.ByStatus), sum(l.Walks.FindingsByCat)
		// Actions: created in the period by status; open, overdue and done now.
		if l.Actions.ByStatus, err = keyCounts(ctx, tx, `SELECT a.status, count(*) FROM action a
			WHERE a.municipality_code = $1 AND $2::date IS NOT NULL
				AND ((a.created_at AT TIME ZONE 'Europe/Stockholm')::date) BETWEEN $4 AND $3
			GROUP BY 1 ORDER BY 2 DESC, 1`, args...); err != nil {
			return err
		}
		l.Actions.Created = sum(l.Actions.ByStatus)
		if err := tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE a.status IN ('open', 'in_progress')),
				count(*) FILTER (WHERE a.status IN ('open', 'in_progress') AND a.due_on < `+today+`),
				count(*) FILTER (WHERE a.status = 'done' AND ((a.done_at AT TIME ZONE 'Europe/Stockholm')::date) BETWEEN $4 AND $3)
			FROM action a WHERE a.municipality_code = $1 AND $2::date IS NOT NULL`, args...).Scan(
			&l.Actions.Open, &l.Actions.Overdue, &l.Actions.Done); err != nil {
			return wrap(err, "count actions")
		}
		// Camera sites.
		rows, err = tx.Query(ctx, `SELECT name, state, place_type, operator_kind, indoor FROM camera_site
			WHERE municipality_code = $1 AND state <> 'decommissioned' ORDER BY name COLLATE trygg_sv, id`, municipality)
		if err != nil {
			return wrap(err, "list camera sites")
		}
		if l.Cameras.Sites, err = pgx.CollectRows(rows, pgx.RowToStructByPos[LagesbildCamera]); err != nil {
			return wrap(err, "list camera sites")
		}
		if l.Cameras.ByState, err = keyCounts(ctx, tx, `SELECT state, count(*) FROM camera_site WHERE municipality_code = $1
			GROUP BY 1 ORDER BY 2 DESC, 1`, municipality); err != nil {
			return err
		}
		l.Cameras.Total = sum(l.Cameras.ByState)
		return nil
	})
	return l, err
}

func sum(cs []Count) int {
	n := 0
	for _, c := range cs {
		n += c.Count
	}
	return n
}

// keyCounts reads rows of (key, count).
func keyCounts(ctx context.Context, tx pgx.Tx, q string, args ...any) ([]Count, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, wrap(err, "count")
	}
	cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Count, error) {
		var c Count
		err := r.Scan(&c.Key, &c.Count)
		return c, err
	})
	if cs == nil {
		cs = []Count{}
	}
	return cs, wrap(err, "count")
}

// groupedCounts reads rows of (grouping, key, count, previous) from GROUPING SETS: the
// grouping value selects the list a row goes to, and the grand total (every bit set,
// or no row at all) is the trend.
func groupedCounts(rows pgx.Rows, lists map[int]*[]Count, total *Trend) error {
	for _, l := range lists {
		*l = []Count{}
	}
	*total = NewTrend(0, 0)
	defer rows.Close()
	for rows.Next() {
		var g int
		var c Count
		var prev int
		if err := rows.Scan(&g, &c.Key, &c.Count, &prev); err != nil {
			return err
		}
		if l, ok := lists[g]; ok {
			c.Previous = &prev
			*l = append(*l, c)
		} else {
			*total = NewTrend(c.Count, prev)
		}
	}
	return rows.Err()
}

// CurrentPromise is the municipality's promise whose period covers today (Swedish
// time), else the one that began last; ENOTFOUND when it has none.
func (db *DB) CurrentPromise(ctx context.Context, municipality string) (string, error) {
	var id string
	err := db.inTx(ctx, "find the current promise", func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT id::text FROM promise WHERE municipality_code = $1 AND status <> 'draft'
			ORDER BY (`+today+` BETWEEN period_start AND period_end) DESC, period_start DESC, id LIMIT 1`, municipality).Scan(&id)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return "", trygg.Errorf(trygg.ENOTFOUND, "promise", "municipality %s has no promise", municipality)
	}
	return id, wrap(err, "find the current promise")
}

// PlanAction is one action of the åtgärdsplan with what it hangs on, described without
// personal data: the report's category and place label, the walk's title, the hot
// area's rank and run, the place's name; and the commitment it serves (one row per
// linked commitment; none for an action without).
type PlanAction struct {
	trygg.Action
	Owner          string `json:"owner"`           // the organisation's name, else owner_text
	Target         string `json:"target"`          // what the action hangs on, in Swedish
	CommitmentID   string `json:"commitment_id"`   // "" when ungrouped
	CommitmentText string `json:"commitment_text"` // the commitment's text
	FocusArea      string `json:"focus_area"`      // the commitment's focus area, "" when none
	PromiseTitle   string `json:"promise_title"`
	Overdue        bool   `json:"overdue"`
}

// Atgardsplan lists a municipality's actions for the åtgärdsplan: each action once per
// commitment it serves (focus area, promise, commitment position), then those serving
// none, soonest due first within each.
func (db *DB) Atgardsplan(ctx context.Context, municipality string, today trygg.Date) ([]PlanAction, error) {
	var out []PlanAction
	err := db.inTx(ctx, "list the åtgärdsplan", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+actionColumns+`,
				coalesce(o.name, a.owner_text, ''),
				concat_ws(' · ',
					CASE WHEN r.id IS NOT NULL THEN 'Iakttagelse: ' || coalesce(cat.label_sv, r.category) || coalesce(' ' || r.place_label, '') END,
					CASE WHEN w.id IS NOT NULL THEN 'Vandring: ' || w.title END,
					CASE WHEN h.id IS NOT NULL THEN 'Hett område nr ' || h.rank || ' (' || hr.name || ')' END,
					CASE WHEN pl.id IS NOT NULL THEN 'Plats: ' || pl.name END),
				coalesce(c.id::text, ''), coalesce(c.text, ''), coalesce(c.focus_area, ''), coalesce(p.title, '')
			FROM action a
			LEFT JOIN organisation o ON o.id = a.owner_org
			LEFT JOIN report r ON r.id = a.report_id
			LEFT JOIN category cat ON cat.code = r.category
			LEFT JOIN walk w ON w.id = a.walk_id
			LEFT JOIN hotspot h ON h.id = a.hotspot_id
			LEFT JOIN hotspot_run hr ON hr.id = h.run_id
			LEFT JOIN place pl ON pl.id = a.place_id
			LEFT JOIN action_commitment ac ON ac.action_id = a.id
			LEFT JOIN commitment c ON c.id = ac.commitment_id
			LEFT JOIN promise p ON p.id = c.promise_id
			WHERE a.municipality_code = $1
			ORDER BY c.id IS NULL, c.focus_area NULLS LAST, p.period_start DESC, p.id, c.position, c.id,
				a.due_on NULLS LAST, a.created_at, a.id`, municipality)
		if err != nil {
			return wrap(err, "list the åtgärdsplan")
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (PlanAction, error) {
			var pa PlanAction
			var due, followUp *time.Time
			a := &pa.Action
			err := row.Scan(&a.ID, &a.Municipality, &a.ReportID, &a.WalkID, &a.HotspotID, &a.PlaceID, &a.CommitmentIDs,
				&a.Description, &a.OwnerOrg, &a.OwnerText, &due, &a.ExpectedEffect, &followUp, &a.Status, &a.Feedback,
				&a.DoneAt, &a.CreatedAt, &a.UpdatedAt,
				&pa.Owner, &pa.Target, &pa.CommitmentID, &pa.CommitmentText, &pa.FocusArea, &pa.PromiseTitle)
			a.DueOn, a.FollowUpOn = dateOf(due), dateOf(followUp)
			pa.Overdue = a.Overdue(today)
			return pa, err
		})
		return wrap(err, "list the åtgärdsplan")
	})
	return out, err
}

// PlaceLabels names each polygon's place as reports' places are named
// (place_label of a point on its surface: a stop, place or street of the gazetteer);
// "" where none is near.
func (db *DB) PlaceLabels(ctx context.Context, polys []orb.Polygon) ([]string, error) {
	wkbs := make([][]byte, len(polys))
	for i, p := range polys {
		b, err := geometryWKB(p)
		if err != nil {
			return nil, trygg.Errorf(trygg.EINTERNAL, "", "encode a polygon: %v", err)
		}
		wkbs[i] = b
	}
	labels := make([]string, len(polys))
	if len(polys) == 0 {
		return labels, nil
	}
	err := db.inTx(ctx, "label places", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT g.n, coalesce(place_label(ST_PointOnSurface(ST_SetSRID(ST_GeomFromWKB(g.wkb), 4326))), '')
			FROM unnest($1::bytea[]) WITH ORDINALITY AS g(wkb, n)`, wkbs)
		if err != nil {
			return wrap(err, "label places")
		}
		defer rows.Close()
		for rows.Next() {
			var n int
			var s string
			if err := rows.Scan(&n, &s); err != nil {
				return wrap(err, "label places")
			}
			labels[n-1] = s
		}
		return wrap(rows.Err(), "label places")
	})
	return labels, err
}
