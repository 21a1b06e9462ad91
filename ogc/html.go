package ogc

import (
	"bufio"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"sort"
	"strings"

	"github.com/trygg-gis/trygg/postgis"
)

// The HTML pages are plain Swedish pages of the same content as the JSON ones, for
// looking around in a browser.

type crumb struct{ name, href string }

const pageStyle = `body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:70rem}table{border-collapse:collapse}` +
	`td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}nav{margin-bottom:1rem}`

func pageHead(title string, crumbs []crumb) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, `<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>%s</title><style>%s</style></head><body><nav>`,
		html.EscapeString(title), pageStyle)
	for i, c := range crumbs {
		if i > 0 {
			sb.WriteString(" › ")
		}
		if c.href == "" {
			sb.WriteString(html.EscapeString(c.name))
		} else {
			fmt.Fprintf(&sb, `<a href="%s">%s</a>`, html.EscapeString(withHTML(c.href)), html.EscapeString(c.name))
		}
	}
	fmt.Fprintf(&sb, "</nav><h1>%s</h1>", html.EscapeString(title))
	return sb.String()
}

func withHTML(href string) string {
	if strings.Contains(href, "f=") {
		return href
	}
	if strings.Contains(href, "?") {
		return href + "&f=html"
	}
	return href + "?f=html"
}

// writeHTML writes a whole page whose body body writes.
func writeHTML(w http.ResponseWriter, title string, crumbs []crumb, body func(*strings.Builder)) error {
	var sb strings.Builder
	sb.WriteString(pageHead(title, crumbs))
	body(&sb)
	sb.WriteString("</body></html>")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err := w.Write([]byte(sb.String()))
	return err
}

// htmlWriter streams a page of features as a table.
type htmlWriter struct {
	w     *bufio.Writer
	h     *Handler
	c     *postgis.FeatureCollectionDef
	props []string
	base  string
	srid  int
}

func (hw *htmlWriter) contentType() string { return "text/html; charset=utf-8" }

func (hw *htmlWriter) head() {
	hw.w.WriteString(pageHead(hw.c.Title+" – objekt", []crumb{{"Start", hw.base}, {"Samlingar", hw.base + "/collections"},
		{hw.c.Title, hw.base + "/collections/" + hw.c.ID}, {"Objekt", ""}}))
	fmt.Fprintf(hw.w, "<p>Koordinatsystem: %s</p><table><tr><th>id</th><th>geometri</th>", html.EscapeString(crsURI(hw.srid)))
	for _, p := range hw.props {
		fmt.Fprintf(hw.w, "<th>%s</th>", html.EscapeString(p))
	}
	hw.w.WriteString("</tr>")
}

func (hw *htmlWriter) feature(row postgis.FeatureRow) error {
	g, err := decodeWKB(row.WKB)
	if err != nil {
		return err
	}
	geom := "(ingen)"
	if g != nil {
		geom = g.GeoJSONType()
	}
	var props map[string]json.RawMessage
	if err := json.Unmarshal(row.Props, &props); err != nil {
		return err
	}
	u := hw.base + "/collections/" + hw.c.ID + "/items/" + row.ID + "?f=html"
	fmt.Fprintf(hw.w, `<tr><td><a href="%s">%s</a></td><td>%s</td>`, html.EscapeString(u), html.EscapeString(row.ID), geom)
	for _, p := range hw.props {
		fmt.Fprintf(hw.w, "<td>%s</td>", html.EscapeString(csvValue(props[p])))
	}
	_, err = hw.w.WriteString("</tr>")
	return err
}

func (hw *htmlWriter) tail(p postgis.FeaturePage, links []link) {
	hw.w.WriteString("</table><p>")
	if p.Matched >= 0 {
		fmt.Fprintf(hw.w, "Träffar: %d. ", p.Matched)
	}
	fmt.Fprintf(hw.w, "Visade: %d.</p><p>", p.Returned)
	names := map[string]string{"next": "Nästa sida", "prev": "Föregående sida", "collection": "Samlingen"}
	sort.SliceStable(links, func(i, j int) bool { return links[i].Rel < links[j].Rel })
	for _, l := range links {
		name := names[l.Rel]
		if name == "" && l.Rel == "alternate" {
			name = l.Type
		}
		if name != "" {
			fmt.Fprintf(hw.w, `<a href="%s">%s</a> `, html.EscapeString(l.Href), html.EscapeString(name))
		}
	}
	hw.w.WriteString("</p></body></html>")
}
