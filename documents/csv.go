package documents

import (
	"bytes"

	"github.com/trygg-gis/trygg/csvout"
)

var planColumns = []csvout.Column{csvout.Text("fokusområde"), csvout.Text("medborgarlöfte"), csvout.Text("åtagande"),
	csvout.Text("åtgärd"), csvout.Text("gäller"), csvout.Text("ansvarig"), csvout.Text("senast"), csvout.Text("status"),
	csvout.Text("förväntad effekt"), csvout.Text("uppföljning"), csvout.Text("försenad"), csvout.Text("id")}

// AtgardsplanCSV is the åtgärdsplan as semicolon-separated UTF-8 with a BOM, as Swedish
// spreadsheet programs open it, one row per action and commitment, with formula cells
// neutralised by package csvout.
func AtgardsplanCSV(p Atgardsplan) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	c := csvout.NewWriter(&b, planColumns)
	c.SetComma(';')
	if err := c.WriteHeader(); err != nil {
		return nil, err
	}
	for _, g := range p.Groups {
		focus := ""
		if g.CommitmentID != "" {
			focus = p.Labels.Label("focus", g.FocusArea)
		}
		for _, a := range g.Actions {
			overdue := "nej"
			if a.Overdue {
				overdue = "ja"
			}
			due, follow := "", ""
			if a.DueOn != nil {
				due = date(a.DueOn)
			}
			if a.FollowUpOn != nil {
				follow = date(a.FollowUpOn)
			}
			if err := c.Write([]string{focus, g.Promise, g.Commitment, a.Description, a.Target, a.Owner, due,
				p.Labels.Label("action", a.Status), a.ExpectedEffect, follow, overdue, a.ID}); err != nil {
				return nil, err
			}
		}
	}
	if err := c.Flush(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
