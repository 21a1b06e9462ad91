package api

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/csvout"
	"github.com/trygg-gis/trygg/postgis"
)

//go:embed protocol.html
var protocolHTML string

var protocolTemplate = template.Must(template.New("protocol").Funcs(template.FuncMap{
	"date":    func(t *time.Time) string { return swedishTime(t, "2006-01-02") },
	"clock":   func(t *time.Time) string { return swedishTime(t, "15:04") },
	"feeling": feelingSV,
	"when":    whenSV,
	"inc":     func(i int) int { return i + 1 },
	"coord":   func(f float64) string { return strconv.FormatFloat(f, 'f', 5, 64) },
}).Parse(protocolHTML))

var stockholm = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		return time.UTC
	}
	return loc
}()

func swedishTime(t *time.Time, layout string) string {
	if t == nil {
		return ""
	}
	return t.In(stockholm).Format(layout)
}

var feelings = map[int]string{1: "Mycket otryggt", 2: "Otryggt", 3: "Acceptabelt", 4: "Tryggt"}

func feelingSV(f int) string { return feelings[f] }

var timesSV = map[string]string{"day": "dag", "evening": "kväll", "night": "natt", "weekday": "vardag", "weekend": "helg"}

func whenSV(ws []string) string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = timesSV[w]
	}
	return strings.Join(out, ", ")
}

var actionStatusSV = map[string]string{"open": "Ej påbörjad", "in_progress": "Pågår", "done": "Klar", "rejected": "Avslagen"}

// protocol is what a walk protocol shows.
type protocol struct {
	Walk         trygg.Walk
	Municipality string
	Dark         string
	RouteKm      float64
	Observations []protocolObservation
	Actions      []protocolAction
	Printed      string
}

type protocolObservation struct {
	trygg.Report
	Lon, Lat float64
	Category string
}

type protocolAction struct {
	trygg.Action
	Owner  string
	Due    string
	Status string
	For    string // which observation, "Nr 3", or the walk
}

func (s *Server) loadProtocol(ctx context.Context, id string) (protocol, error) {
	var p protocol
	w, err := s.db.Walk(ctx, id)
	if err != nil {
		return p, err
	}
	obs, err := s.db.Observations(ctx, id)
	if err != nil {
		return p, err
	}
	all, err := s.db.Actions(ctx, postgis.ActionFilter{Municipality: w.Municipality})
	if err != nil {
		return p, err
	}
	cats, err := s.db.Categories(ctx)
	if err != nil {
		return p, err
	}
	label := map[string]string{}
	for _, c := range cats {
		label[c.Code] = c.LabelSV
	}
	m, err := s.db.Municipality(ctx, w.Municipality)
	if err != nil {
		return p, err
	}
	p = protocol{Walk: w, Municipality: m.Name, RouteKm: orbgeo.Length(w.Route) / 1000,
		Dark: "Ej angivet", Printed: time.Now().In(stockholm).Format("2006-01-02 15:04")}
	if w.Dark != nil {
		p.Dark = map[bool]string{true: "Ja", false: "Nej"}[*w.Dark]
	}
	nr := map[string]int{}
	for i, o := range obs {
		c := o.Location.Bound().Center()
		p.Observations = append(p.Observations, protocolObservation{Report: o, Lon: c[0], Lat: c[1], Category: label[o.Category]})
		nr[o.ID] = i + 1
	}
	for _, a := range all {
		if _, ofObservation := nr[a.ReportID]; a.WalkID != id && !ofObservation {
			continue
		}
		pa := protocolAction{Action: a, Owner: a.OwnerText, Status: actionStatusSV[a.Status], For: "Vandringen"}
		if a.OwnerOrg != "" {
			pa.Owner = a.OwnerOrg
		}
		if a.DueOn != nil {
			pa.Due = a.DueOn.Format(time.DateOnly)
		}
		if n, ok := nr[a.ReportID]; ok {
			pa.For = fmt.Sprintf("Nr %d", n)
		}
		p.Actions = append(p.Actions, pa)
	}
	return p, nil
}

// handleProtocol answers GET /api/v1/walks/{id}/protocol: the walk's protocol as
// printable Swedish HTML, or as CSV with ?format=csv (or Accept: text/csv) for
// spreadsheets: route, observations and actions with owners and deadlines.
func (s *Server) handleProtocol(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadProtocol(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" && strings.Contains(r.Header.Get("Accept"), "text/csv") {
		format = "csv"
	}
	w.Header().Set("Cache-Control", "private, no-store")
	switch format {
	case "", "html":
		var b bytes.Buffer
		if err := protocolTemplate.Execute(&b, p); err != nil {
			return err
		}
		return writeBytes(w, http.StatusOK, "text/html; charset=utf-8", b.Bytes())
	case "csv":
		b, err := protocolCSV(p)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="trygghetsvandring-%s.csv"`, p.Walk.ID))
		return writeBytes(w, http.StatusOK, "text/csv; charset=utf-8", b)
	}
	return trygg.Errorf(trygg.EINVALID, "format", "format %q is not html or csv", format)
}

// protocolColumns are the protocol CSV's columns; lat and lon are the numeric ones.
var protocolColumns = []csvout.Column{csvout.Text("typ"), csvout.Text("nr"), csvout.Text("tid"),
	csvout.Number("lat"), csvout.Number("lon"), csvout.Text("kategori"), csvout.Text("upplevelse"),
	csvout.Text("när"), csvout.Text("anteckning"), csvout.Text("åtgärd"), csvout.Text("ansvarig"),
	csvout.Text("senast"), csvout.Text("status"), csvout.Text("återkoppling")}

// protocolCSV writes the protocol as semicolon-separated UTF-8 with a BOM, as Swedish
// spreadsheet programs read it, with formula cells neutralised (package csvout).
func protocolCSV(p protocol) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	c := csvout.NewWriter(&b, protocolColumns)
	c.SetComma(';')
	if err := c.WriteHeader(); err != nil {
		return nil, err
	}
	var rows [][]string
	for i, pt := range p.Walk.Route {
		t := ""
		if i < len(p.Walk.RouteTimes) {
			t = p.Walk.RouteTimes[i].In(stockholm).Format(time.RFC3339)
		}
		rows = append(rows, []string{"sträcka", strconv.Itoa(i + 1), t, coord(pt[1]), coord(pt[0]), "", "", "", "", "", "", "", "", ""})
	}
	for i, o := range p.Observations {
		rows = append(rows, []string{"observation", strconv.Itoa(i + 1), swedishTime(o.ObservedAt, time.RFC3339), coord(o.Lat), coord(o.Lon),
			o.Category, feelingSV(o.Feeling), whenSV(o.When), o.Description, "", "", "", "", ""})
	}
	for _, a := range p.Actions {
		rows = append(rows, []string{"åtgärd", a.For, "", "", "", "", "", "", "", a.Description, a.Owner, a.Due, a.Status, a.Feedback})
	}
	for _, r := range rows {
		if err := c.Write(r); err != nil {
			return nil, err
		}
	}
	if err := c.Flush(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func coord(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }
