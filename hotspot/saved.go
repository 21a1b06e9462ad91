package hotspot

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

// Parameters is the query as a response or a saved run shows it: the parameters used,
// defaults filled in, by the names ParseQuery reads.
func Parameters(q trygg.HotspotQuery) map[string]any {
	p := map[string]any{"method": q.Method, "grid": q.Grid, "cell": q.CellM, "band": q.BandCells,
		"fdr": !q.NoFDR, "study_area": q.StudyArea, "half_life": q.HalfLifeDays, "source_weights": q.SourceWeights, "period": q.Period,
		"public": q.Public, "min_count": q.MinCount, "at": q.At.UTC().Format(time.RFC3339),
		"feeling_weights": trygg.FeelingWeights}
	if q.Method == trygg.MethodDBSCAN {
		p["eps"], p["min_points"] = q.EpsM, q.MinPoints
		delete(p, "grid")
		delete(p, "cell")
		delete(p, "band")
		delete(p, "fdr")
		delete(p, "study_area")
		delete(p, "period")
	}
	set := func(name string, v any, ok bool) {
		if ok {
			p[name] = v
		}
	}
	set("municipality", q.Municipality, q.Municipality != "")
	if b := q.BBox; b != nil {
		p["bbox"] = []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	}
	set("category", q.Categories, len(q.Categories) > 0)
	set("source", q.Sources, len(q.Sources) > 0)
	set("when", q.When, len(q.When) > 0)
	set("days", q.Days, q.Days != "")
	set("months", q.Months, len(q.Months) > 0)
	if q.Hours != nil {
		p["hours"] = fmt.Sprintf("%02d-%02d", q.Hours.From, q.Hours.To)
	}
	if q.Dark != nil {
		p["dark"] = *q.Dark
	}
	if q.From != nil {
		p["from"] = q.From.UTC().Format(time.RFC3339Nano)
	}
	if q.To != nil {
		p["to"] = q.To.UTC().Format(time.RFC3339Nano)
	}
	return p
}

// PublicCell is what the public may see of a cell: nothing but its place and P = 1
// when it has fewer reports than the public minimum count.
func PublicCell(c Cell, q trygg.HotspotQuery) Cell {
	if q.Public && c.Count < q.MinCount {
		return Cell{HotspotCell: postgis.HotspotCell{Cell: c.Cell}, P: 1}
	}
	return c
}

// SaveRun runs the analysis of q (normalized and checked, in one municipality) and
// saves it with its cells and hot areas under name and id (empty for a new id): the
// run POST /api/v1/hotspot-runs makes, and, when q.Public, what the public tiles show.
func SaveRun(ctx context.Context, db *postgis.DB, q trygg.HotspotQuery, name, id string) (*postgis.HotspotRun, error) {
	if q.Municipality == "" {
		return nil, trygg.Errorf(trygg.EINVALID, "query.municipality", "a saved run belongs to one municipality: give query.municipality")
	}
	res, err := Run(ctx, db, q)
	if err != nil {
		return nil, err
	}
	params, _ := json.Marshal(Parameters(res.Query)) // the band used, searched or given
	run := &postgis.HotspotRun{ID: id, Municipality: q.Municipality, Name: name, Method: q.Method, Public: q.Public, Query: params}
	if len(res.Cells) > 0 {
		cells := make([]postgis.Cell, len(res.Cells))
		for i, c := range res.Cells {
			cells[i] = c.Cell
		}
		polys, err := db.HotspotCellPolygons(ctx, q, cells)
		if err != nil {
			return nil, err
		}
		run.Cells = make([]postgis.RunCell, len(res.Cells))
		for i, c := range res.Cells {
			p := PublicCell(c, q)
			run.Cells[i] = postgis.RunCell{Cell: c.Cell, Polygon: polys[c.Cell], Value: p.Value, Count: p.Count,
				Z: p.Z, P: p.P, Class: p.Class}
		}
	}
	for _, h := range res.Hotspots {
		stats, _ := json.Marshal(h)
		run.Hotspots = append(run.Hotspots, postgis.RunHotspot{Rank: h.Rank, Polygon: h.Polygon, Score: h.Score,
			Z: h.Z, Value: h.Value, Count: h.Count, Pattern: h.Pattern, Stats: stats})
	}
	if err := db.SaveHotspotRun(ctx, run); err != nil {
		return nil, err
	}
	return run, nil
}
