package documents

import (
	"bytes"
	"embed"
	"html/template"
	"strings"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

//go:embed templates/*.html
var templateFiles embed.FS

// countRows is what the "counts" template draws: a table of counts with Swedish labels.
type countRows struct {
	L     Labels
	Kind  string
	Head  string
	Rows  []postgis.Count
	Trend bool
	Empty string // the label of an empty key
}

var stockholm = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Stockholm"); err == nil {
		return loc
	}
	return time.UTC
}()

// stamp is a moment in Swedish time as ÅÅÅÅ-MM-DD TT:MM.
func stamp(t time.Time) string { return t.In(stockholm).Format("2006-01-02 15:04") }

var funcs = template.FuncMap{
	"date": func(d any) string {
		switch v := d.(type) {
		case trygg.Date:
			return date(&v)
		case *trygg.Date:
			return date(v)
		}
		return "–"
	},
	"stamp":    stamp,
	"pct":      pct,
	"trend":    func(s string) string { return label(trendSV, s) },
	"hours":    hours,
	"weekdays": weekdays,
	"target":   target,
	"deref":    func(p *int) int { return *p },
	// dataURL marks the map's data: URL (PNG, made by the server) as safe for src.
	"dataURL": func(s string) template.URL {
		if strings.HasPrefix(s, "data:image/png;base64,") {
			return template.URL(s) //nolint:gosec // our own PNG, base64
		}
		return ""
	},
	"rows": func(l Labels, kind, head string, cs []postgis.Count, trend bool) countRows {
		return countRows{L: l, Kind: kind, Head: head, Rows: cs, Trend: trend, Empty: "–"}
	},
	"rowsEmpty": func(l Labels, kind, head string, cs []postgis.Count, trend bool, empty string) countRows {
		return countRows{L: l, Kind: kind, Head: head, Rows: cs, Trend: trend, Empty: empty}
	},
}

var (
	lagesbildTemplate   = template.Must(template.New("lagesbild.html").Funcs(funcs).ParseFS(templateFiles, "templates/lagesbild.html", "templates/style.html"))
	atgardsplanTemplate = template.Must(template.New("atgardsplan.html").Funcs(funcs).ParseFS(templateFiles, "templates/atgardsplan.html", "templates/style.html"))
)

// LagesbildHTML is the lägesbild as a printable A4 page.
func LagesbildHTML(l Lagesbild) ([]byte, error) {
	var b bytes.Buffer
	err := lagesbildTemplate.Execute(&b, l)
	return b.Bytes(), err
}

// AtgardsplanHTML is the åtgärdsplan as a printable A4 page.
func AtgardsplanHTML(p Atgardsplan) ([]byte, error) {
	var b bytes.Buffer
	err := atgardsplanTemplate.Execute(&b, p)
	return b.Bytes(), err
}
