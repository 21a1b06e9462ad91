package open311_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// TestAddressIsPlaceLabel: a request's address is its report's place label and
// municipality ("vid Stora torget, Vara"); without a label, null.
func TestAddressIsPlaceLabel(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	pgtest.Exec(t, e.url, `
		INSERT INTO gazetteer (kind, name, locality, municipality_code, geom, shape, source, source_id)
		VALUES ('stop', 'Stora torget', 'Vara', '1470', ST_SetSRID(ST_MakePoint(12.955344, 58.262208), 4326),
		        ST_Transform(ST_SetSRID(ST_MakePoint(12.955344, 58.262208), 4326), 3006), 'test', '1');
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, source, precision, status)
		VALUES ('00000000-0000-4000-8000-000000000001', '1470', ST_SetSRID(ST_MakePoint(12.9555, 58.2623), 4326),
		        ST_SetSRID(ST_MakePoint(12.9555, 58.2623), 4326), 'belysning', 2, 'survey', 'exact', 'published'),
		       ('00000000-0000-4000-8000-000000000002', '1470', ST_SetSRID(ST_MakePoint(13.05, 58.25), 4326),
		        ST_SetSRID(ST_MakePoint(13.05, 58.25), 4326), 'belysning', 2, 'survey', 'exact', 'published')`)
	resp, body := e.get(t, "/open311/v2/requests.json")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var rs []struct {
		ID      string  `json:"service_request_id"`
		Address *string `json:"address"`
	}
	if err := json.Unmarshal(body, &rs); err != nil {
		t.Fatal(err)
	}
	got := map[string]*string{}
	for _, r := range rs {
		got[r.ID] = r.Address
	}
	if a := got["00000000-0000-4000-8000-000000000001"]; a == nil || *a != "vid Stora torget, Vara" {
		t.Errorf("labelled report's address %v, want vid Stora torget, Vara (%s)", a, body)
	}
	if a, ok := got["00000000-0000-4000-8000-000000000002"]; !ok || a != nil {
		t.Errorf("unlabelled report's address %v (listed %v), want null", a, ok)
	}
}
