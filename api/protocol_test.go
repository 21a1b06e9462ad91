package api_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
)

func TestWalkProtocol(t *testing.T) {
	e := newEnv(t, nil)
	e.addUser(t, trygg.RolePlanner, "kommun-1470")
	e.addUser(t, trygg.RolePlanner, "kommun-1383")
	ctx := trygg.NewContext(context.Background(), &trygg.Caller{Actor: "cli:test"})
	start := time.Date(2026, 11, 3, 18, 30, 0, 0, time.UTC)
	end := start.Add(90 * time.Minute)
	dark := true
	w, err := e.owner.CreateWalk(ctx, trygg.Walk{
		Municipality: "1470", Title: "Tätortsvandring Vara centrum", StartsAt: &start, EndsAt: &end, Dark: &dark,
		Organisers: []string{"Vara kommun", "Polisen LPO Västra Skaraborg"}, Participants: map[string]int{"boende": 14, "ungdomar": 5},
		Route:      orb.LineString{{13.100, 58.260}, {13.105, 58.262}, {13.110, 58.261}},
		RouteTimes: []time.Time{start, start.Add(40 * time.Minute), end},
		Status:     trygg.WalkDone, Notes: "Bra uppslutning trots regnet.",
	})
	if err != nil {
		t.Fatal(err)
	}
	ids, rejected, err := e.owner.AddObservations(ctx, w.ID, []trygg.Report{
		{Location: orb.Point{13.101, 58.2601}, Category: "belysning", Feeling: 1, When: []string{"evening", "night"}, Description: "Trasig lampa i gångtunneln", Precision: "exact"},
		{Location: orb.Point{13.106, 58.2615}, Category: "trygg-plats", Feeling: 4, Description: "Torget känns tryggt", Precision: "exact"},
	})
	if err != nil || len(rejected) > 0 || len(ids) != 2 {
		t.Fatalf("AddObservations: %v %v %v", ids, rejected, err)
	}
	due, _ := trygg.ParseDate("2026-12-15")
	for _, a := range []trygg.Action{
		{ReportID: ids[0], Description: "Byta armatur i gångtunneln", OwnerText: "Tekniska förvaltningen", DueOn: &due, Status: trygg.ActionInProgress},
		{WalkID: w.ID, Description: "Återkoppla till deltagarna", OwnerOrg: "kommun-1470", Status: trygg.ActionOpen},
	} {
		if _, err := e.owner.CreateAction(ctx, a); err != nil {
			t.Fatalf("CreateAction: %v", err)
		}
	}

	planner := e.signIn(t, "planner@kommun-1470.demo.trygg.se")
	resp, body := planner.do(t, "GET", "/api/v1/walks/"+w.ID+"/protocol", nil)
	wantStatus(t, resp, body, http.StatusOK)
	html := string(body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q", ct)
	}
	for _, want := range []string{
		"Protokoll från trygghetsvandring", "Tätortsvandring Vara centrum", "Vara kommun", "2026-11-03", "19:30–21:00",
		"Mörker</dt><dd>Ja", "boende: 14", "Trasig lampa i gångtunneln", "Dålig belysning", "Mycket otryggt", "kväll, natt",
		"Trygg plats", "Byta armatur i gångtunneln", "Tekniska förvaltningen", "2026-12-15", "Pågår", "<td>Nr ",
		"Återkoppla till deltagarna", "kommun-1470", "Vandringen", "spår med tider",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("protocol lacks %q", want)
		}
	}

	resp, body = planner.do(t, "GET", "/api/v1/walks/"+w.ID+"/protocol?format=csv", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.HasPrefix(string(body), "\ufefftyp;nr;") {
		t.Fatalf("CSV does not start with a BOM and the header: %q", string(body[:min(40, len(body))]))
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(body), "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, row := range rows[1:] {
		kinds[row[0]]++
	}
	if kinds["sträcka"] != 3 || kinds["observation"] != 2 || kinds["åtgärd"] != 2 {
		t.Errorf("CSV rows by kind: %v, want 3 route points, 2 observations, 2 actions", kinds)
	}

	resp, body = planner.do(t, "GET", "/api/v1/walks/"+w.ID+"/protocol?format=pdf", nil)
	wantStatus(t, resp, body, http.StatusBadRequest)
	other := e.signIn(t, "planner@kommun-1383.demo.trygg.se")
	resp, body = other.do(t, "GET", "/api/v1/walks/"+w.ID+"/protocol", nil)
	wantStatus(t, resp, body, http.StatusNotFound)
}
