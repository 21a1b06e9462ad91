package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// plantLagesbild plants Mariestad's (1493) data for the period 2026-01-01 – 2026-06-30
// and the previous one (2025-07-04 – 2025-12-31), and a report in Vara that must not
// count. It returns a walk's id and a commitment of Mariestad's promise.
func plantLagesbild(t *testing.T, e *env) (walkID, commitmentID string) {
	t.Helper()
	ctx := trygg.NewContext(context.Background(), &trygg.Caller{Actor: "cli:test"})
	at := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	centre := e.placeIn(t, "1493", 0, 0)
	var rs []trygg.Report
	add := func(n int, p orb.Point, cat, source, when string, spread float64) {
		for i := range n {
			q := orb.Point{p[0] + spread*float64(i%7)/7, p[1] + spread*float64(i/7)/7}
			rs = append(rs, trygg.Report{Location: q, Category: cat, Feeling: 2, Source: source, Precision: "exact",
				Status: trygg.StatusPublished, ObservedAt: at(when)})
		}
	}
	// In the period: 30 "belysning" in one spot at 20:30 (evening, a Tuesday), 5 "klotter"
	// scattered at noon; the previous period: 10 "belysning".
	add(30, centre, "belysning", "resident", "2026-03-10T19:30:00Z", 0.004)
	add(5, orb.Point{centre[0] + 0.03, centre[1] + 0.02}, "klotter", "survey", "2026-04-15T10:00:00Z", 0.02)
	add(10, centre, "belysning", "resident", "2025-10-10T19:30:00Z", 0.0004)
	// One without a time of day (a date only): unknown time.
	rs = append(rs, trygg.Report{Location: orb.Point{centre[0] - 0.01, centre[1] - 0.01}, Category: "ode-plats", Feeling: 2,
		Source: "survey", Precision: "exact", Status: trygg.StatusPublished, CreatedAt: *at("2026-02-02T12:00:00Z")})
	// EST: 3 skadegörelse in the period, 1 in the previous; Police events: 2 in the period.
	add(3, centre, "skadegorelse", "resident", "2026-02-01T22:00:00Z", 0.001)
	add(1, centre, "skadegorelse", "resident", "2025-12-01T22:00:00Z", 0.001)
	add(2, centre, "stokiga-grupper", "resident", "2026-05-01T21:00:00Z", 0.001)
	// A rejected report in the period and one in Vara: neither counts.
	add(1, centre, "belysning", "resident", "2026-03-11T19:30:00Z", 0)
	add(1, e.placeIn(t, "1470", 0, 0), "belysning", "resident", "2026-03-11T19:30:00Z", 0)
	sum, err := e.owner.ImportReports(ctx, rs, 50, "test", nil)
	if err != nil || sum.Inserted != len(rs) {
		t.Fatalf("ImportReports: %+v %v", sum, err)
	}
	conn := pgtest.Conn(t, e.url)
	for _, q := range []string{
		`UPDATE report SET source = 'est', est_type = 'skadegorelse' WHERE category = 'skadegorelse' AND municipality_code = '1493'`,
		`UPDATE report SET source = 'police-event', police_event_id = abs(hashtext(id::text)),
			police_event_type = 'Ordningslagen' WHERE category = 'stokiga-grupper' AND municipality_code = '1493'`,
		`UPDATE report SET status = 'rejected' WHERE observed_at = '2026-03-11T19:30:00Z' AND municipality_code = '1493'`,
	} {
		if _, err := conn.Exec(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// A walk in the period with an observation and an action on it, done.
	start := *at("2026-05-20T17:00:00Z")
	w, err := e.owner.CreateWalk(ctx, trygg.Walk{Municipality: "1493", Title: "Vandring i centrum", StartsAt: &start,
		Route: orb.LineString{centre, {centre[0] + 0.002, centre[1]}}, Status: trygg.WalkDone})
	if err != nil {
		t.Fatal(err)
	}
	ids, rejected, err := e.owner.AddObservations(ctx, w.ID, []trygg.Report{
		{Location: centre, Category: "vegetation", Feeling: 2, Description: "Buskage skymmer", Precision: "exact"}})
	if err != nil || len(rejected) > 0 {
		t.Fatalf("AddObservations: %v %v", rejected, err)
	}
	if _, err := e.owner.CreateAction(ctx, trygg.Action{ReportID: ids[0], Description: "Klippa buskage",
		OwnerText: "Tekniska förvaltningen", Status: trygg.ActionDone}); err != nil {
		t.Fatal(err)
	}
	// A dialogue in the period with a place named.
	d, err := e.owner.CreateDialogue(ctx, trygg.Dialogue{Municipality: "1493", Title: "Dialog på torget",
		HeldOn: trygg.Date{Time: time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)}, Conversations: 12})
	if err != nil {
		t.Fatal(err)
	}
	if _, rej, err := e.owner.AddDialoguePlaces(ctx, d.ID, []trygg.Report{{Location: centre, Category: "ode-plats", Feeling: 2,
		Precision: "exact"}}, 50); err != nil || len(rej) > 0 {
		t.Fatalf("AddDialoguePlaces: %v %v", rej, err)
	}
	// A camera site.
	if _, err := conn.Exec(context.Background(), `INSERT INTO camera_site (id, municipality_code, name, position, operator_kind,
		operator_name, purpose, place_type) VALUES (gen_random_uuid(), '1493', 'Stationen', ST_SetSRID(ST_MakePoint($1, $2), 4326),
		'municipality', 'Mariestads kommun', 'Brottsförebyggande', 'travel-centre')`, centre[0], centre[1]); err != nil {
		t.Fatal(err)
	}
	cs := pgtest.Strings(t, e.url, `SELECT c.id::text FROM commitment c JOIN promise p ON p.id = c.promise_id
		WHERE c.municipality_code = '1493' ORDER BY p.period_start DESC, c.position LIMIT 1`)
	if len(cs) != 1 {
		t.Fatal("Mariestad's demo promise has no commitment")
	}
	return w.ID, cs[0]
}

// countOf finds a key's count in a list of counts.
func countOf(cs []countJSON, key string) (int, int) {
	for _, c := range cs {
		if c.Key == key {
			p := 0
			if c.Previous != nil {
				p = *c.Previous
			}
			return c.Count, p
		}
	}
	return -1, -1
}

type countJSON struct {
	Key      string `json:"key"`
	Count    int    `json:"count"`
	Previous *int   `json:"previous"`
}

type trendJSON struct {
	Count     int      `json:"count"`
	Previous  int      `json:"previous"`
	ChangePct *float64 `json:"change_pct"`
	Direction string   `json:"direction"`
}

func TestLagesbild(t *testing.T) {
	e := newEnv(t, nil)
	plantLagesbild(t, e)
	planner := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1493").Email)
	const path = "/api/v1/municipalities/1493/lagesbild?from=2026-01-01&to=2026-06-30"

	resp, body := planner.do(t, "GET", path+"&format=json", nil)
	wantStatus(t, resp, body, http.StatusOK)
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"reports", "hotspots", "est", "police_events", "dialogues", "walks", "actions", "cameras",
		"promise", "municipality", "from", "to", "generated_at"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("lägesbild JSON lacks %q", k)
		}
	}
	var l struct {
		Municipality struct{ Code, Name string }
		From, To     string
		GeneratedAt  time.Time                 `json:"generated_at"`
		Previous     struct{ From, To string } `json:"previous_period"`
		Reports      struct {
			Total      trendJSON
			ByCategory []countJSON `json:"by_category"`
			BySource   []countJSON `json:"by_source"`
			ByTime     []countJSON `json:"by_time"`
		}
		Hotspots struct {
			Reports int
			Areas   []struct {
				Rank  int
				Label string
				Count int
			}
			Map string
		}
		EST struct {
			Total  trendJSON
			ByType []countJSON `json:"by_type"`
		}
		PoliceEvents struct {
			Total  trendJSON
			ByType []countJSON `json:"by_type"`
			ByArea []countJSON `json:"by_area"`
		} `json:"police_events"`
		Dialogues struct {
			Meetings, Conversations int
			Themes, Places          []countJSON
		}
		Walks struct {
			Walks, Findings int
			FindingsByCat   []countJSON `json:"findings_by_category"`
			Actions         []countJSON `json:"actions_by_status"`
		}
		Actions struct {
			Created int
			Done    int `json:"done_in_period"`
		}
		Cameras struct {
			Total int
			Sites []struct{ Name, State string }
		}
		Promise *struct {
			Title       string
			Commitments []struct {
				Text     string
				Progress struct{ Status string }
			}
		}
	}
	if err := json.Unmarshal(body, &l); err != nil {
		t.Fatal(err)
	}
	if l.Municipality.Code != "1493" || l.Municipality.Name != "Mariestad" || l.From != "2026-01-01" || l.To != "2026-06-30" {
		t.Errorf("header %+v %s–%s", l.Municipality, l.From, l.To)
	}
	if l.Previous.From != "2025-07-04" || l.Previous.To != "2025-12-31" {
		t.Errorf("previous period %+v, want 2025-07-04 – 2025-12-31 (181 days)", l.Previous)
	}
	if time.Since(l.GeneratedAt) > time.Minute {
		t.Errorf("generated_at %v is not now", l.GeneratedAt)
	}
	// Reports but the Police's events: 30 + 5 + 1 + 3 EST in the period; 10 + 1 EST
	// before. The rejected one and Vara's do not count, nor the walk's observation and the
	// dialogue's place (made today, after the period).
	if l.Reports.Total.Count != 39 || l.Reports.Total.Previous != 11 || l.Reports.Total.Direction != "up" {
		t.Errorf("reports total %+v, want 39 against 11, up", l.Reports.Total)
	}
	if c, p := countOf(l.Reports.ByCategory, "belysning"); c != 30 || p != 10 {
		t.Errorf("belysning %d (previous %d), want 30 (10)", c, p)
	}
	if c, _ := countOf(l.Reports.BySource, "survey"); c != 6 {
		t.Errorf("survey reports %d, want 6", c)
	}
	if c, _ := countOf(l.Reports.BySource, "est"); c != 3 {
		t.Errorf("EST among sources %d, want 3", c)
	}
	// 20:30 Swedish time on a Tuesday: evening and weekday; noon: day.
	if c, _ := countOf(l.Reports.ByTime, "evening"); c != 30 {
		t.Errorf("evening %d, want 30", c)
	}
	if c, _ := countOf(l.Reports.ByTime, "day"); c != 5 {
		t.Errorf("day %d, want 5", c)
	}
	if c, _ := countOf(l.Reports.ByTime, "unknown"); c != 1 {
		t.Errorf("unknown time %d, want 1 (the report with a date only)", c)
	}
	if c, p := countOf(l.EST.ByType, "skadegorelse"); c != 3 || p != 1 || l.EST.Total.Count != 3 {
		t.Errorf("EST skadegörelse %d (%d), total %+v; want 3 (1)", c, p, l.EST.Total)
	}
	if c, _ := countOf(l.PoliceEvents.ByType, "Ordningslagen"); c != 2 || l.PoliceEvents.Total.Count != 2 {
		t.Errorf("police events %+v", l.PoliceEvents)
	}
	if sum := func() int {
		n := 0
		for _, a := range l.PoliceEvents.ByArea {
			n += a.Count
		}
		return n
	}(); sum != 2 {
		t.Errorf("police events by area add up to %d, want 2", sum)
	}
	if l.Dialogues.Meetings != 1 || l.Dialogues.Conversations != 12 {
		t.Errorf("dialogues %+v", l.Dialogues)
	}
	if c, _ := countOf(l.Dialogues.Themes, "ode-plats"); c != 1 {
		t.Errorf("dialogue themes %+v", l.Dialogues.Themes)
	}
	if l.Walks.Walks != 1 || l.Walks.Findings != 1 {
		t.Errorf("walks %+v", l.Walks)
	}
	if c, _ := countOf(l.Walks.Actions, "done"); c != 1 {
		t.Errorf("walk actions %+v, want one done", l.Walks.Actions)
	}
	if l.Actions.Created != 0 || l.Actions.Done != 0 {
		// The action was made today, outside 2026-01-01 – 2026-06-30.
		t.Logf("actions %+v (made today)", l.Actions)
	}
	if l.Cameras.Total != 1 || len(l.Cameras.Sites) != 1 || l.Cameras.Sites[0].Name != "Stationen" {
		t.Errorf("cameras %+v", l.Cameras)
	}
	if l.Promise == nil || !strings.Contains(l.Promise.Title, "Mariestad") || len(l.Promise.Commitments) == 0 {
		t.Errorf("promise %+v, want Mariestad's with commitments", l.Promise)
	}
	// The hot area: the 30 reports in one spot.
	if len(l.Hotspots.Areas) == 0 || l.Hotspots.Areas[0].Count < 30 {
		t.Errorf("hot areas %+v, want the spot of 30 first: %.600s", l.Hotspots.Areas, raw["hotspots"])
	}
	pngBytes, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(l.Hotspots.Map, "data:image/png;base64,"))
	if err != nil || !strings.HasPrefix(l.Hotspots.Map, "data:image/png;base64,") {
		t.Fatalf("map is not a PNG data URL: %.40s… %v", l.Hotspots.Map, err)
	}
	img, err := png.Decode(bytes.NewReader(pngBytes))
	if err != nil || img.Bounds().Dx() != 960 || img.Bounds().Dy() != 720 {
		t.Fatalf("map PNG: %v %v", img, err)
	}
	// No personal data: no resident's text (the walk observation's), no signatory.
	for _, s := range []string{"Buskage skymmer", "Johan Abrahamsson", "Tekniska förvaltningen", "@"} {
		if bytes.Contains(body, []byte(s)) {
			t.Errorf("lägesbild JSON contains %q", s)
		}
	}

	// HTML: every section, in Swedish, with the map.
	resp, body = planner.do(t, "GET", path, nil)
	wantStatus(t, resp, body, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q", ct)
	}
	html := string(body)
	for _, want := range []string{"Lägesbild – Mariestad", "2026-01-01 – 2026-06-30", "2025-07-04 – 2025-12-31", "@page { size: A4",
		`id="reports"`, `id="hotspots"`, `id="est"`, `id="police_events"`, `id="dialogues"`, `id="walks"`, `id="actions"`,
		`id="cameras"`, `id="promise"`, "Dålig belysning", "Kväll (18–22)", "Skadegörelse", "Ordningslagen", "Stationen",
		"Resecentrum", `src="data:image/png;base64,`, "Medborgarlöfte Mariestad", "254,5 %, ökande"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}

	// PDF: pdftotext reads the municipality and Swedish characters back.
	resp, body = planner.do(t, "GET", path+"&format=pdf", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF-")) {
		t.Fatalf("Content-Type %q, body %.8q", ct, body)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "lagesbild-1493-2026-01-01-2026-06-30.pdf") {
		t.Errorf("Content-Disposition %q", cd)
	}
	text := pdfText(t, body)
	for _, want := range []string{"Lägesbild – Mariestad", "Rapporter", "Dålig belysning", "Skadegörelse", "Polisens händelser",
		"Medborgardialoger", "Trygghetsvandringar", "Åtgärder", "Kamerabevakning", "Stationen", "Medborgarlöfte", "Föregående period"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}

	// Bad input names its field.
	for q, field := range map[string]string{"?format=docx": "format", "?from=2026-13-01": "from", "?from=2026-07-01&to=2026-06-01": "from",
		"?foo=1": "foo"} {
		resp, body := planner.do(t, "GET", "/api/v1/municipalities/1493/lagesbild"+q, nil)
		wantStatus(t, resp, body, http.StatusBadRequest)
		if !strings.Contains(string(body), `"`+field+`"`) {
			t.Errorf("%s: problem does not name %s: %s", q, field, body)
		}
	}
}

// pdfText is the PDF's text by pdftotext (poppler-utils; scripts/test.sh needs it).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func TestAtgardsplan(t *testing.T) {
	e := newEnv(t, nil)
	walkID, commitmentID := plantLagesbild(t, e)
	planner := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1493").Email)
	// Actions on a commitment (overdue), on a place (with a formula-like description),
	// and the walk's (done, from plantLagesbild).
	resp, body := planner.do(t, "POST", "/api/v1/places", map[string]any{"name": "Hamnen", "municipality": "1493",
		"geometry": map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{13.82, 58.70}, {13.83, 58.70}, {13.83, 58.71}, {13.82, 58.70}}}}})
	wantStatus(t, resp, body, http.StatusCreated)
	var place struct{ Properties struct{ ID string } }
	if err := json.Unmarshal(body, &place); err != nil {
		t.Fatal(err)
	}
	resp, body = planner.do(t, "POST", "/api/v1/actions", map[string]any{"commitment_ids": []string{commitmentID},
		"description": "Fler föräldravandringar", "owner_org": "kommun-1493", "due_on": "2026-01-15",
		"expected_effect": "Färre stökiga kvällar", "follow_up_on": "2026-03-01"})
	wantStatus(t, resp, body, http.StatusCreated)
	var a struct {
		ID            string   `json:"id"`
		CommitmentIDs []string `json:"commitment_ids"`
		Expected      string   `json:"expected_effect"`
		FollowUpOn    string   `json:"follow_up_on"`
		Municipality  string   `json:"municipality"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatal(err)
	}
	if len(a.CommitmentIDs) != 1 || a.CommitmentIDs[0] != commitmentID || a.Expected != "Färre stökiga kvällar" ||
		a.FollowUpOn != "2026-03-01" || a.Municipality != "1493" {
		t.Errorf("action on a commitment: %s", body)
	}
	resp, body = planner.do(t, "POST", "/api/v1/actions", map[string]any{"place_id": place.Properties.ID,
		"description": "=HYPERLINK(\"http://x\")", "owner_text": "Hamnbolaget", "due_on": "2099-01-01"})
	wantStatus(t, resp, body, http.StatusCreated)
	// An action on a hot area of a saved run (the 30 reports' spot).
	resp, body = planner.do(t, "POST", "/api/v1/hotspot-runs", map[string]any{"name": "Våren 2026",
		"query": map[string]string{"municipality": "1493", "from": "2026-01-01", "to": "2026-06-30"}})
	wantStatus(t, resp, body, http.StatusCreated)
	var run struct{ Hotspots []struct{ ID string } }
	if err := json.Unmarshal(body, &run); err != nil || len(run.Hotspots) == 0 {
		t.Fatalf("saved run without hot areas: %s", body)
	}
	resp, body = planner.do(t, "POST", "/api/v1/actions", map[string]any{"hotspot_id": run.Hotspots[0].ID,
		"description": "Ny belysning vid stationen", "owner_text": "Gatuavdelningen"})
	wantStatus(t, resp, body, http.StatusCreated)
	if !strings.Contains(string(body), `"hotspot_id":"`+run.Hotspots[0].ID+`"`) || !strings.Contains(string(body), `"municipality":"1493"`) {
		t.Errorf("action on a hot area: %s", body)
	}
	// PATCH sets the new fields; another municipality's user sees none of it.
	resp, body = planner.do(t, "PATCH", "/api/v1/actions/"+a.ID, map[string]any{"expected_effect": "Tryggare torg", "follow_up_on": nil})
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), `"expected_effect":"Tryggare torg"`) || !strings.Contains(string(body), `"follow_up_on":null`) {
		t.Errorf("PATCH: %s", body)
	}

	resp, body = planner.do(t, "GET", "/api/v1/municipalities/1493/atgardsplan?format=json", nil)
	wantStatus(t, resp, body, http.StatusOK)
	var p struct {
		Municipality struct{ Name string }
		Actions      int
		Overdue      int
		Groups       []struct {
			FocusArea    string `json:"focus_area"`
			CommitmentID string `json:"commitment_id"`
			Actions      []struct {
				Description string
				Target      string
				Owner       string
				Overdue     bool
			}
		}
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Actions != 4 || p.Overdue != 1 || len(p.Groups) != 2 {
		t.Fatalf("plan: %d actions, %d overdue, %d groups; want 4, 1, 2: %s", p.Actions, p.Overdue, len(p.Groups), body)
	}
	if g := p.Groups[0]; g.CommitmentID != commitmentID || len(g.Actions) != 1 || !g.Actions[0].Overdue ||
		g.Actions[0].Owner != "Mariestad kommun" {
		t.Errorf("first group %+v, want the commitment's overdue action owned by Mariestad kommun", g)
	}
	if g := p.Groups[1]; g.CommitmentID != "" || len(g.Actions) != 3 {
		t.Errorf("last group %+v, want the three ungrouped actions", g)
	}
	var targets string
	for _, a := range p.Groups[1].Actions {
		targets += a.Target + "|"
	}
	if !strings.Contains(targets, "Plats: Hamnen") || !strings.Contains(targets, "Vandring: Vandring i centrum") ||
		!strings.Contains(targets, "Hett område nr 1 (Våren 2026)") || !strings.Contains(targets, "Iakttagelse: Igenvuxen vegetation") {
		t.Errorf("targets %q", targets)
	}
	_ = walkID

	resp, body = planner.do(t, "GET", "/api/v1/municipalities/1493/atgardsplan", nil)
	wantStatus(t, resp, body, http.StatusOK)
	for _, want := range []string{"Åtgärdsplan – Mariestad", "Utan åtagande", "Fler föräldravandringar", "(försenad)",
		"Färre stökiga kvällar", "Tryggare torg", "Plats: Hamnen", "Klar"} {
		if want == "Färre stökiga kvällar" {
			continue // replaced by the PATCH
		}
		if !strings.Contains(string(body), want) {
			t.Errorf("plan HTML lacks %q", want)
		}
	}

	resp, body = planner.do(t, "GET", "/api/v1/municipalities/1493/atgardsplan?format=csv", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !bytes.HasPrefix(body, []byte("\ufefffokusområde;")) {
		t.Fatalf("CSV does not start with a BOM and ';'-separated header: %q", body[:min(40, len(body))])
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff"))))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || len(rows) != 5 {
		t.Fatalf("CSV rows %d, %v", len(rows), err)
	}
	formula := false
	for _, row := range rows {
		if row[3] == `'=HYPERLINK("http://x")` {
			formula = true
		}
		if strings.HasPrefix(row[3], "=") {
			t.Errorf("formula cell not escaped: %q", row[3])
		}
	}
	if !formula {
		t.Errorf("the formula-like description is not in the CSV, escaped: %v", rows)
	}
	if rows[1][10] != "ja" {
		t.Errorf("overdue column of the first action %q, want ja", rows[1][10])
	}

	resp, body = planner.do(t, "GET", "/api/v1/municipalities/1493/atgardsplan?format=pdf", nil)
	wantStatus(t, resp, body, http.StatusOK)
	text := pdfText(t, body)
	for _, want := range []string{"Åtgärdsplan – Mariestad", "Fler föräldravandringar", "Utan åtagande", "försenad", "Förväntad"} {
		if !strings.Contains(text, want) {
			t.Errorf("plan PDF lacks %q", want)
		}
	}
}

// TestDocumentsAccess: the municipality's planners and admins and the police of its area
// read both documents; its moderators may not (403), another municipality's staff and
// another area's police do not see it (404), and nobody signed in gets 401.
func TestDocumentsAccess(t *testing.T) {
	e := newEnv(t, nil)
	users := map[string]*client{}
	for name, u := range map[string]struct {
		role trygg.Role
		org  string
	}{
		"planner": {trygg.RolePlanner, "kommun-1493"}, "admin": {trygg.RoleAdmin, "kommun-1493"},
		"police": {trygg.RolePolice, "lpo-ostra-skaraborg"}, "moderator": {trygg.RoleModerator, "kommun-1493"},
		"other planner": {trygg.RolePlanner, "kommun-1470"}, "other police": {trygg.RolePolice, "lpo-vastra-skaraborg"},
	} {
		users[name] = e.signIn(t, e.addUser(t, u.role, u.org).Email)
	}
	users["nobody"] = e.client()
	want := map[string]int{"planner": 200, "admin": 200, "police": 200, "moderator": 403, "other planner": 404,
		"other police": 404, "nobody": 401}
	for _, doc := range []string{"lagesbild?format=json", "atgardsplan?format=json", "atgardsplan?format=csv", "lagesbild?format=pdf"} {
		for name, c := range users {
			resp, body := c.do(t, "GET", "/api/v1/municipalities/1493/"+doc, nil)
			if resp.StatusCode != want[name] {
				t.Errorf("%s %s: status %d, want %d: %.200s", name, doc, resp.StatusCode, want[name], body)
			}
			if resp.StatusCode != 200 && strings.Contains(string(body), "Mariestad") {
				t.Errorf("%s %s: refusal names the municipality: %s", name, doc, body)
			}
		}
	}
	// A municipality that does not exist is 404 too, for its would-be staff as for others.
	resp, body := users["planner"].do(t, "GET", "/api/v1/municipalities/9999/lagesbild", nil)
	wantStatus(t, resp, body, http.StatusNotFound)
	// Another municipality's actions stay out of the plan: Vara's planner's action is not in Mariestad's.
	vara := users["other planner"]
	resp, body = vara.do(t, "POST", "/api/v1/places", map[string]any{"name": "Torget", "municipality": "1470",
		"geometry": map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{13.08, 58.26}, {13.09, 58.26}, {13.09, 58.27}, {13.08, 58.26}}}}})
	wantStatus(t, resp, body, http.StatusCreated)
	var place struct{ Properties struct{ ID string } }
	if err := json.Unmarshal(body, &place); err != nil {
		t.Fatal(err)
	}
	resp, body = vara.do(t, "POST", "/api/v1/actions", map[string]any{"place_id": place.Properties.ID,
		"description": "Varas åtgärd", "owner_text": "Vara"})
	wantStatus(t, resp, body, http.StatusCreated)
	// Mariestad's planner cannot hang an action on Vara's place.
	resp, body = users["planner"].do(t, "POST", "/api/v1/actions", map[string]any{"place_id": place.Properties.ID,
		"description": "Intrång", "owner_text": "X"})
	wantStatus(t, resp, body, http.StatusNotFound)
	resp, body = users["planner"].do(t, "GET", "/api/v1/municipalities/1493/atgardsplan?format=json", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Contains(string(body), "Varas åtgärd") {
		t.Error("Mariestad's plan shows Vara's action")
	}
}
