package documents

import (
	"bytes"
	_ "embed"
	"fmt"
	"strconv"

	"github.com/go-pdf/fpdf"
	"github.com/trygg-gis/trygg/postgis"
)

// DejaVu Sans (Bitstream Vera licence with public-domain DejaVu changes; see
// fonts/LICENSE-DejaVu.txt): a free TTF with every Swedish glyph, embedded in each PDF
// as a subset by fpdf's UTF-8 font support.
var (
	//go:embed fonts/DejaVuSans.ttf
	dejaVuSans []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	dejaVuSansBold []byte
)

const (
	pdfFont    = "DejaVu"
	pdfMargin  = 16.0 // mm
	pdfLineH   = 4.6  // mm per line of body text
	pdfBodyPt  = 9.5
	pdfTablePt = 8.5
)

// pdfDoc is an A4 document with headings, paragraphs and wrapped tables.
type pdfDoc struct {
	f     *fpdf.Fpdf
	width float64 // between the margins
}

func newPDF(title, footer string) *pdfDoc {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	f.SetAutoPageBreak(true, pdfMargin+4)
	f.AddUTF8FontFromBytes(pdfFont, "", dejaVuSans)
	f.AddUTF8FontFromBytes(pdfFont, "B", dejaVuSansBold)
	f.SetTitle(title, true)
	f.SetCreator("Trygg", true)
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(func() {
		f.SetY(-pdfMargin)
		f.SetFont(pdfFont, "", 7.5)
		f.SetTextColor(90, 100, 110)
		f.CellFormat(0, 4, footer+" · sida "+strconv.Itoa(f.PageNo())+" av {nb}", "", 0, "C", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	f.AddPage()
	w, _ := f.GetPageSize()
	return &pdfDoc{f: f, width: w - 2*pdfMargin}
}

func (d *pdfDoc) h1(s string) {
	d.f.SetFont(pdfFont, "B", 18)
	d.f.MultiCell(0, 8, s, "", "L", false)
	d.f.Ln(1)
}

func (d *pdfDoc) h2(s string) {
	d.need(18)
	d.f.Ln(3)
	d.f.SetFont(pdfFont, "B", 12.5)
	d.f.CellFormat(0, 6.5, s, "B", 1, "L", false, 0, "")
	d.f.Ln(1.5)
}

func (d *pdfDoc) h3(s string) {
	d.need(12)
	d.f.SetFont(pdfFont, "B", 10)
	d.f.CellFormat(0, 5.5, s, "", 1, "L", false, 0, "")
}

func (d *pdfDoc) para(s string) {
	d.f.SetFont(pdfFont, "", pdfBodyPt)
	d.f.MultiCell(0, pdfLineH, s, "", "L", false)
	d.f.Ln(1)
}

func (d *pdfDoc) muted(s string) {
	d.f.SetTextColor(90, 100, 110)
	d.para(s)
	d.f.SetTextColor(0, 0, 0)
}

// need starts a new page unless h millimetres are left on this one.
func (d *pdfDoc) need(h float64) {
	_, ph := d.f.GetPageSize()
	if d.f.GetY()+h > ph-pdfMargin-4 {
		d.f.AddPage()
	}
}

// table draws a header row and rows, each cell wrapped to its column (widths are
// shares of the width); numeric columns (right) are right-aligned. A row never splits
// over pages; the header repeats on a new page.
func (d *pdfDoc) table(head []string, shares []float64, right []bool, rows [][]string) {
	total := 0.0
	for _, s := range shares {
		total += s
	}
	widths := make([]float64, len(shares))
	for i, s := range shares {
		widths[i] = d.width * s / total
	}
	const lh = 4.0
	draw := func(cells []string, bold, fill bool) {
		d.f.SetFont(pdfFont, map[bool]string{true: "B", false: ""}[bold], pdfTablePt)
		lines := make([][]string, len(cells))
		n := 1
		for i, c := range cells {
			lines[i] = d.f.SplitText(c, widths[i]-2)
			if len(lines[i]) == 0 {
				lines[i] = []string{""}
			}
			n = max(n, len(lines[i]))
		}
		h := float64(n)*lh + 1.5
		_, ph := d.f.GetPageSize()
		if d.f.GetY()+h > ph-pdfMargin-4 {
			d.f.AddPage()
			if !bold {
				d.tableRow(head, widths, right, lh)
				d.f.SetFont(pdfFont, "", pdfTablePt)
			}
		}
		d.rowAt(lines, widths, right, lh, h, fill)
	}
	if len(rows) == 0 {
		return
	}
	draw(head, true, true)
	for _, r := range rows {
		draw(r, false, false)
	}
	d.f.Ln(2)
}

func (d *pdfDoc) tableRow(cells []string, widths []float64, right []bool, lh float64) {
	d.f.SetFont(pdfFont, "B", pdfTablePt)
	lines := make([][]string, len(cells))
	n := 1
	for i, c := range cells {
		lines[i] = d.f.SplitText(c, widths[i]-2)
		n = max(n, len(lines[i]))
	}
	d.rowAt(lines, widths, right, lh, float64(n)*lh+1.5, true)
}

func (d *pdfDoc) rowAt(lines [][]string, widths []float64, right []bool, lh, h float64, fill bool) {
	x0, y0 := d.f.GetX(), d.f.GetY()
	if fill {
		d.f.SetFillColor(238, 241, 244)
		d.f.Rect(x0, y0, d.width, h, "F")
	}
	x := x0
	for i, ls := range lines {
		align := "L"
		if i < len(right) && right[i] {
			align = "R"
		}
		for j, l := range ls {
			d.f.SetXY(x+1, y0+0.75+float64(j)*lh)
			d.f.CellFormat(widths[i]-2, lh, l, "", 0, align, false, 0, "")
		}
		x += widths[i]
	}
	d.f.SetDrawColor(216, 221, 226)
	d.f.Line(x0, y0+h, x0+d.width, y0+h)
	d.f.SetDrawColor(0, 0, 0)
	d.f.SetXY(x0, y0+h)
}

func (d *pdfDoc) bytes() ([]byte, error) {
	var b bytes.Buffer
	if err := d.f.Output(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// counts draws a table of counts like the HTML's "counts".
func (d *pdfDoc) counts(l Labels, kind, head string, cs []postgis.Count, trend bool, empty string) {
	if len(cs) == 0 {
		d.muted("Inga under perioden.")
		return
	}
	hd := []string{head, "Antal"}
	shares := []float64{4, 1}
	right := []bool{false, true}
	if trend {
		hd, shares, right = append(hd, "Föregående period"), append(shares, 1.5), append(right, true)
	}
	var rows [][]string
	for _, c := range cs {
		k := l.Label(kind, c.Key)
		if c.Key == "" {
			k = empty
		}
		r := []string{k, strconv.Itoa(c.Count)}
		if trend {
			p := 0
			if c.Previous != nil {
				p = *c.Previous
			}
			r = append(r, strconv.Itoa(p))
		}
		rows = append(rows, r)
	}
	d.table(hd, shares, right, rows)
}

func trendText(t postgis.Trend) string {
	return fmt.Sprintf("%d under perioden, %d under föregående period (%s, %s).", t.Count, t.Previous, pct(t.ChangePct),
		label(trendSV, t.Direction))
}

// LagesbildPDF is the lägesbild as PDF, with the content of LagesbildHTML.
func LagesbildPDF(l Lagesbild) ([]byte, error) {
	lb := l.Labels
	d := newPDF("Lägesbild – "+l.Municipality.Name, "Lägesbild "+l.Municipality.Name+" "+date(&l.From)+" – "+date(&l.To))
	d.h1("Lägesbild – " + l.Municipality.Name)
	d.muted(fmt.Sprintf("Kommun %s · period %s – %s (jämförs med %s – %s) · framtagen %s\nEnligt lag (2023:196) om kommuners ansvar för brottsförebyggande arbete. Siffrorna är räknade ur Trygg när dokumentet togs fram och innehåller inga personuppgifter.",
		l.Municipality.Code, date(&l.From), date(&l.To), date(&l.Previous.From), date(&l.Previous.To), stamp(l.GeneratedAt)))

	d.h2("Rapporter")
	d.para(trendText(l.Reports.Total))
	d.h3("Per kategori")
	d.counts(lb, "category", "Kategori", l.Reports.ByCategory, true, "–")
	d.h3("Per källa")
	d.counts(lb, "source", "Källa", l.Reports.BySource, true, "–")
	d.h3("Per tid")
	d.muted("En rapport räknas i varje tid den angav eller observerades i.")
	d.counts(lb, "time", "Tid", l.Reports.ByTime, false, "–")

	d.h2("Heta områden")
	d.para(fmt.Sprintf("Hotspotanalys (Getis-Ord Gi*) av periodens %d rapporter: %d heta områden.", l.Hotspots.Reports, len(l.Hotspots.Areas)))
	if len(l.Hotspots.MapPNG) > 0 {
		opts := fpdf.ImageOptions{ImageType: "PNG", ReadDpi: false}
		d.f.RegisterImageOptionsReader("map", opts, bytes.NewReader(l.Hotspots.MapPNG))
		w := d.width * 0.8
		h := w * 0.75
		d.need(h + 4)
		d.f.ImageOptions("map", pdfMargin+(d.width-w)/2, d.f.GetY(), w, h, true, opts, 0, "")
		d.f.Ln(2)
	}
	var rows [][]string
	for _, a := range l.Hotspots.Areas {
		conf, tr, lab := "–", "–", a.Label
		if a.Confidence > 0 {
			conf = strconv.Itoa(a.Confidence) + " %"
		}
		if a.Trend != "" {
			tr = label(trendSV, a.Trend)
		}
		if lab == "" {
			lab = "–"
		}
		rows = append(rows, []string{strconv.Itoa(a.Rank), lab, strconv.Itoa(a.Count), conf, tr, hours(a.PeakHours), weekdays(a.PeakDays)})
	}
	if len(rows) == 0 {
		d.muted("Inga heta områden under perioden.")
	}
	d.table([]string{"Nr", "Plats", "Rapporter", "Konfidens", "Trend", "Timmar", "Dagar"},
		[]float64{0.6, 2.6, 1.35, 1.35, 1.3, 1.1, 1.1}, []bool{true, false, true, true}, rows)

	d.h2("EST-händelser")
	d.para(trendText(l.EST.Total))
	d.counts(lb, "est", "Typ", l.EST.ByType, true, "–")

	d.h2("Polisens händelser")
	d.para(trendText(l.PoliceEvents.Total))
	d.h3("Per typ")
	d.counts(lb, "", "Typ", l.PoliceEvents.ByType, true, "–")
	d.h3("Per område")
	d.counts(lb, "", "Område", l.PoliceEvents.ByArea, false, "Hela kommunen")

	d.h2("Medborgardialoger")
	d.para(fmt.Sprintf("%d dialogtillfällen med %d samtal.", l.Dialogues.Meetings, l.Dialogues.Conversations))
	d.h3("Teman")
	d.counts(lb, "category", "Tema", l.Dialogues.Themes, false, "–")
	d.h3("Platser")
	d.counts(lb, "", "Plats", l.Dialogues.Places, false, "Utan platsnamn")

	d.h2("Trygghetsvandringar")
	d.para(fmt.Sprintf("%d vandringar med %d iakttagelser.", l.Walks.Walks, l.Walks.Findings))
	d.counts(lb, "walk", "Status", l.Walks.ByStatus, false, "–")
	d.h3("Iakttagelser per kategori")
	d.counts(lb, "category", "Kategori", l.Walks.FindingsByCat, false, "–")
	d.h3("Vandringarnas åtgärder")
	d.counts(lb, "action", "Status", l.Walks.ActionsByState, false, "–")

	d.h2("Åtgärder")
	d.para(fmt.Sprintf("%d nya åtgärder under perioden, %d klara under perioden. Just nu %d öppna, varav %d försenade.",
		l.Actions.Created, l.Actions.Done, l.Actions.Open, l.Actions.Overdue))
	d.counts(lb, "action", "Status", l.Actions.ByStatus, false, "–")

	d.h2("Kamerabevakning")
	d.para(fmt.Sprintf("%d kameraplatser i registret.", l.Cameras.Total))
	rows = nil
	for _, c := range l.Cameras.Sites {
		name := c.Name
		if c.Indoor {
			name += " (inomhus)"
		}
		rows = append(rows, []string{name, lb.Label("place_type", c.PlaceType), lb.Label("operator", c.Operator), lb.Label("camera", c.State)})
	}
	if len(rows) == 0 {
		d.muted("Inga kameraplatser.")
	}
	d.table([]string{"Plats", "Typ av plats", "Bevakas av", "Läge"}, []float64{3, 1.5, 1.5, 1.2}, nil, rows)

	d.h2("Medborgarlöfte")
	if p := l.Promise; p != nil {
		d.para(fmt.Sprintf("%s · %s – %s", p.Title, date(&p.PeriodStart), date(&p.PeriodEnd)))
		rows = nil
		for _, c := range p.Commitments {
			rows = append(rows, []string{c.Text, lb.Label("party", c.Party), lb.Label("focus", c.FocusArea), target(c.Progress),
				lb.Label("progress", c.Progress.Status)})
		}
		d.table([]string{"Åtagande", "Part", "Fokusområde", "Utfall", "Status"}, []float64{4, 1.2, 1.5, 1.5, 1.2}, nil, rows)
	} else {
		d.muted("Kommunen har inget medborgarlöfte i Trygg.")
	}
	return d.bytes()
}

// AtgardsplanPDF is the åtgärdsplan as PDF, with the content of AtgardsplanHTML.
func AtgardsplanPDF(p Atgardsplan) ([]byte, error) {
	d := newPDF("Åtgärdsplan – "+p.Municipality.Name, "Åtgärdsplan "+p.Municipality.Name+" "+date(&p.Today))
	d.h1("Åtgärdsplan – " + p.Municipality.Name)
	d.muted(fmt.Sprintf("Kommun %s · per %s · framtagen %s\nEnligt lag (2023:196) om kommuners ansvar för brottsförebyggande arbete. %d åtgärder, varav %d försenade.",
		p.Municipality.Code, date(&p.Today), stamp(p.GeneratedAt), p.Actions, p.Overdue))
	if len(p.Groups) == 0 {
		d.muted("Inga åtgärder.")
	}
	for _, g := range p.Groups {
		if g.CommitmentID == "" {
			d.h2("Utan åtagande")
		} else {
			d.h2(p.Labels.Label("focus", g.FocusArea))
			s := "Åtagande: " + g.Commitment
			if g.Promise != "" {
				s += " (" + g.Promise + ")"
			}
			d.para(s)
		}
		var rows [][]string
		for _, a := range g.Actions {
			due := date(a.DueOn)
			if a.Overdue {
				due += " (försenad)"
			}
			rows = append(rows, []string{a.Description, orDash(a.Target), a.Owner, due, p.Labels.Label("action", a.Status),
				orDash(a.ExpectedEffect), date(a.FollowUpOn)})
		}
		d.table([]string{"Åtgärd", "Gäller", "Ansvarig", "Senast", "Status", "Förväntad effekt", "Uppföljning"},
			[]float64{3, 2.2, 1.6, 1.5, 1.1, 2.2, 1.3}, nil, rows)
	}
	return d.bytes()
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
