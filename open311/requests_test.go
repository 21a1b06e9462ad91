package open311_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/open311"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// receivedNotice is the service_notice of a report awaiting moderation.
const receivedNotice = "Tack! Rapporten granskas av en moderator innan den visas för alla."

type request struct {
	ServiceRequestID  string   `json:"service_request_id"`
	Status            string   `json:"status"`
	StatusNotes       *string  `json:"status_notes"`
	ServiceName       string   `json:"service_name"`
	ServiceCode       string   `json:"service_code"`
	Description       *string  `json:"description"`
	AgencyResponsible *string  `json:"agency_responsible"`
	ServiceNotice     *string  `json:"service_notice"`
	RequestedDatetime string   `json:"requested_datetime"`
	UpdatedDatetime   string   `json:"updated_datetime"`
	ExpectedDatetime  *string  `json:"expected_datetime"`
	Address           *string  `json:"address"`
	AddressID         *string  `json:"address_id"`
	Zipcode           *string  `json:"zipcode"`
	Lat               *float64 `json:"lat"`
	Long              *float64 `json:"long"`
	MediaURL          *string  `json:"media_url"`
}

// list GETs requests.json with the query and returns the ids, in order.
func (e *env) list(t *testing.T, query string) []string {
	t.Helper()
	resp, body := e.get(t, "/open311/v2/requests.json?"+query)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET requests.json?%s: status %d: %s", query, resp.StatusCode, body)
	}
	var rs []request
	if err := json.Unmarshal(body, &rs); err != nil {
		t.Fatalf("GET requests.json?%s: %v: %s", query, err, body)
	}
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ServiceRequestID
	}
	return ids
}

func sameSet(got, want []string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

// TestSubmit posts a service request as a form, finds it stored as a resident report
// awaiting moderation and not public, publishes it in SQL, and then finds it listed.
func TestSubmit(t *testing.T) {
	e := newEnv(t, nil)
	f := form("email", "Anna@Example.se", "phone", "070-123 45 67", "attribute[when][]", "night",
		"jurisdiction_id", "1470", "first_name", "Anna", "device_id", "x", "media_url", "http://example.com/a.jpg")
	f.Add("attribute[when][]", "evening")
	f.Add("attribute[when][]", "night")
	resp, body := e.post(t, "/open311/v2/requests.json", f)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d, want 201: %s", resp.StatusCode, body)
	}
	var c []created
	if err := json.Unmarshal(body, &c); err != nil || len(c) != 1 {
		t.Fatalf("%v: %s", err, body)
	}
	id := c[0].ServiceRequestID
	if c[0].ServiceNotice == nil || *c[0].ServiceNotice != receivedNotice || c[0].AccountID != nil {
		t.Errorf("answer %s, want the received notice and account_id null", body)
	}
	if strings.Contains(string(body), "tre_") || strings.Contains(string(body), "erasure") {
		t.Errorf("the answer gives out the erasure token: %s", body)
	}
	if loc := resp.Header.Get("Location"); loc != "/open311/v2/requests/"+id+".json" {
		t.Errorf("Location %q", loc)
	}

	row := pgtest.Strings(t, e.url, `SELECT concat_ws('|', municipality_code, category, feeling, array_to_string(times, ','),
			description, source, precision, status, ST_AsText(geom), erasure_hash IS NOT NULL,
			(SELECT concat_ws(',', email, phone) FROM report_contact WHERE report_id = r.id),
			(SELECT count(*) FROM report_status WHERE report_id = r.id AND status = 'received'))
		FROM report r WHERE id = $1`, id)
	want := "1470|belysning|2|evening,night|Mörk gångtunnel vid stationen|resident|exact|received|POINT(13.1 58.26)|t|anna@example.se,070-123 45 67|1"
	if len(row) != 1 || row[0] != want {
		t.Fatalf("stored %v, want %s", row, want)
	}

	// Not public until a moderator publishes it.
	if ids := e.list(t, ""); len(ids) != 0 {
		t.Errorf("a received report is listed: %v", ids)
	}
	resp, body = e.get(t, "/open311/v2/requests/"+id+".json")
	wantError(t, resp, body, http.StatusNotFound)

	e.setStatus(t, id, "published")
	if ids := e.list(t, ""); !slices.Equal(ids, []string{id}) {
		t.Fatalf("listed %v, want %s", ids, id)
	}
	resp, body = e.get(t, "/open311/v2/requests/"+id+".json")
	var rs []request
	if err := json.Unmarshal(body, &rs); err != nil || resp.StatusCode != 200 || len(rs) != 1 {
		t.Fatalf("status %d: %v: %s", resp.StatusCode, err, body)
	}
	r := rs[0]
	if r.ServiceRequestID != id || r.Status != "open" || r.ServiceCode != "belysning" || r.ServiceName != "Dålig belysning" ||
		r.Description == nil || *r.Description != "Mörk gångtunnel vid stationen" ||
		r.AgencyResponsible == nil || *r.AgencyResponsible != "Vara kommun" {
		t.Errorf("got %s", body)
	}
	for name, v := range map[string]*string{"status_notes": r.StatusNotes, "service_notice": r.ServiceNotice,
		"expected_datetime": r.ExpectedDatetime, "address": r.Address, "address_id": r.AddressID,
		"zipcode": r.Zipcode, "media_url": r.MediaURL} {
		if v != nil {
			t.Errorf("%s is %q, want null", name, *v)
		}
	}
	// The public position is snapped to the 50 m grid, not the exact point.
	if r.Lat == nil || r.Long == nil || (*r.Lat == 58.26 && *r.Long == 13.1) ||
		abs(*r.Lat-58.26) > 0.001 || abs(*r.Long-13.1) > 0.001 {
		t.Errorf("lat %v long %v, want near but not at 58.26, 13.1", r.Lat, r.Long)
	}
	for _, s := range []string{"anna@example.se", "070-123", "Anna"} {
		if strings.Contains(string(body), s) {
			t.Errorf("the public request shows %q: %s", s, body)
		}
	}
	rt, err := time.Parse(time.RFC3339, r.RequestedDatetime)
	if err != nil || time.Since(rt) > time.Minute || !strings.HasSuffix(r.RequestedDatetime, "+01:00") && !strings.HasSuffix(r.RequestedDatetime, "+02:00") {
		t.Errorf("requested_datetime %q (%v), want now in Swedish time", r.RequestedDatetime, err)
	}

	e.setStatus(t, id, "resolved")
	_, body = e.get(t, "/open311/v2/requests/"+id+".json")
	if !strings.Contains(string(body), `"status":"closed"`) {
		t.Errorf("a resolved report: %s", body)
	}
}

// TestSubmitVariants: XML, a single attribute[when], comma-separated values, multipart,
// an Idempotency-Key and a signed-in caller's published notice.
func TestSubmitVariants(t *testing.T) {
	e := newEnv(t, nil)
	resp, body := e.post(t, "/open311/v2/requests.xml", form("attribute[when]", "weekend,day", "description", ""))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	wellFormed(t, body)
	var x struct {
		XMLName  xml.Name `xml:"service_requests"`
		Requests []struct {
			ID            string `xml:"service_request_id"`
			ServiceNotice string `xml:"service_notice"`
			AccountID     string `xml:"account_id"`
		} `xml:"request"`
	}
	if err := xml.Unmarshal(body, &x); err != nil || len(x.Requests) != 1 || x.Requests[0].ID == "" ||
		x.Requests[0].ServiceNotice != receivedNotice {
		t.Fatalf("%v: %s", err, body)
	}
	if !strings.Contains(string(body), "<account_id></account_id>") {
		t.Errorf("no empty account_id: %s", body)
	}
	times := pgtest.Strings(t, e.url, `SELECT array_to_string(times, ',') FROM report WHERE id = $1`, x.Requests[0].ID)
	if times[0] != "day,weekend" {
		t.Errorf("times %v, want day,weekend", times)
	}

	// multipart/form-data, as clients that attach media send it.
	mp := "--b\r\nContent-Disposition: form-data; name=\"service_code\"\r\n\r\nklotter\r\n" +
		"--b\r\nContent-Disposition: form-data; name=\"lat\"\r\n\r\n58.26\r\n" +
		"--b\r\nContent-Disposition: form-data; name=\"long\"\r\n\r\n13.1\r\n" +
		"--b\r\nContent-Disposition: form-data; name=\"attribute[feeling]\"\r\n\r\n3\r\n" +
		"--b\r\nContent-Disposition: form-data; name=\"media\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\nJPEG\r\n--b--\r\n"
	resp, body = e.do(t, "POST", "/open311/v2/requests.json", "multipart/form-data; boundary=b", mp)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("multipart: status %d: %s", resp.StatusCode, body)
	}

	a := e.submit(t, form(), "Idempotency-Key", "o311-1")
	b := e.submit(t, form(), "Idempotency-Key", "o311-1")
	if a != b {
		t.Errorf("a retried request made a second report: %s, %s", a, b)
	}
	resp, body = e.post(t, "/open311/v2/requests.json", form("service_code", "klotter"), "Idempotency-Key", "o311-1")
	wantError(t, resp, body, http.StatusUnprocessableEntity)
	if n := e.countReports(t); n != "3" {
		t.Errorf("%s reports, want 3", n)
	}
}

// TestSubmitRefusals: each bad request gets an Open311 error with the right status and
// stores nothing.
func TestSubmitRefusals(t *testing.T) {
	e := newEnv(t, nil)
	cases := []struct {
		name   string
		form   url.Values
		status int
		want   string // in the description
	}{
		{"no lat and long", form("lat", "", "long", ""), 400, "lat and long are required"},
		{"address only", form("lat", "", "long", "", "address_string", "Stationsgatan 1, Vara"), 400, "does not look up addresses"},
		{"address id only", form("lat", "", "long", "", "address_id", "123"), 400, "does not look up addresses"},
		{"lat only", form("long", ""), 400, "lat and long are required"},
		{"lat not a number", form("lat", "north"), 400, "lat \"north\" is not a number"},
		{"long not a number", form("long", "13,1"), 400, "long \"13,1\" is not a number"},
		{"lat out of range", form("lat", "158.26"), 400, "lat/long:"},
		{"lat NaN", form("lat", "NaN"), 400, `lat "NaN" is not a number`},
		{"lat hex float", form("lat", "0x1.8p5"), 400, `lat "0x1.8p5" is not a number`},
		{"long hex float", form("long", "0xd.1p0"), 400, `long "0xd.1p0" is not a number`},
		{"lat Inf", form("lat", "+Inf"), 400, `lat "+Inf" is not a number`},
		{"lat underscores", form("lat", "5_8.26"), 400, `lat "5_8.26" is not a number`},
		{"swapped", form("lat", "13.1", "long", "58.26"), 400, "look swapped"},
		{"outside Sweden", form("lat", "52.52", "long", "13.40"), 422, "outside Sweden"},
		{"outside our municipalities", form("lat", "59.33", "long", "18.07"), 422, "outside every municipality"},
		{"no service_code", form("service_code", ""), 400, "service_code is missing"},
		{"unknown service_code", form("service_code", "pothole"), 400, "service_code \"pothole\" is not a service"},
		{"feeling 7", form("attribute[feeling]", "7"), 400, "attribute[feeling]:"},
		{"feeling not a number", form("attribute[feeling]", "bad"), 400, "is not 1, 2, 3 or 4"},
		{"unknown when", form("attribute[when][]", "morning"), 400, "attribute[when]:"},
		{"bad email", form("email", "not-an-address"), 400, "email:"},
		{"bad phone", form("phone", "12"), 400, "phone:"},
		{"long description", form("description", strings.Repeat("a", 2001)), 400, "at most 2000"},
		{"control character", form("description", "a\x00b"), 400, "control character"},
		{"unknown jurisdiction", form("jurisdiction_id", "0180"), 404, "jurisdiction_id \"0180\""},
		{"malformed jurisdiction", form("jurisdiction_id", "vara"), 404, "jurisdiction_id"},
		{"jurisdiction mismatch", form("jurisdiction_id", "1494"), 422, "not in jurisdiction_id 1494"},
	}
	for _, tc := range cases {
		for _, ext := range []string{"json", "xml"} {
			t.Run(tc.name+" "+ext, func(t *testing.T) {
				resp, body := e.post(t, "/open311/v2/requests."+ext, tc.form)
				if d := wantError(t, resp, body, tc.status); !strings.Contains(d, tc.want) {
					t.Errorf("description %q, want it to contain %q", d, tc.want)
				}
			})
		}
	}
	t.Run("not a form", func(t *testing.T) {
		resp, body := e.do(t, "POST", "/open311/v2/requests.json", "application/json", `{"service_code":"belysning"}`)
		wantError(t, resp, body, http.StatusUnsupportedMediaType)
	})
	t.Run("too large", func(t *testing.T) {
		resp, body := e.post(t, "/open311/v2/requests.xml", form("description", strings.Repeat("a", 70<<10)))
		wantError(t, resp, body, http.StatusRequestEntityTooLarge)
	})
	if n := e.countReports(t); n != "0" {
		t.Errorf("%s reports stored after refusals, want 0", n)
	}
}

func TestAPIKey(t *testing.T) {
	e := newEnv(t, func(o *api.Options) { o.Open311APIKey = "s3cret" })
	for _, key := range []string{"", "wrong", "s3cret "} {
		resp, body := e.post(t, "/open311/v2/requests.json", form("api_key", key))
		if d := wantError(t, resp, body, http.StatusForbidden); !strings.Contains(d, "api_key") {
			t.Errorf("api_key %q: %s", key, d)
		}
	}
	resp, body := e.post(t, "/open311/v2/requests.xml", form("api_key", "wrong"))
	wantError(t, resp, body, http.StatusForbidden)
	if n := e.countReports(t); n != "0" {
		t.Fatalf("%s reports stored without the key", n)
	}
	e.submit(t, form("api_key", "s3cret"))
	// Reading needs no key.
	if resp, body := e.get(t, "/open311/v2/requests.json"); resp.StatusCode != 200 {
		t.Errorf("GET requests.json: status %d: %s", resp.StatusCode, body)
	}
	_, body = e.get(t, "/open311/v2/discovery.json")
	if !strings.Contains(string(body), "needs an api_key") {
		t.Errorf("discovery does not say a key is needed: %s", body)
	}
}

// TestRateLimit: Open311 submissions share the public limit of POST /api/v1/reports.
func TestRateLimit(t *testing.T) {
	e := newEnv(t, func(o *api.Options) { o.ReportRate = api.Rate{N: 2, Window: time.Hour} })
	e.submit(t, form())
	resp, body := e.do(t, "POST", "/api/v1/reports", "application/json",
		`{"location":{"type":"Point","coordinates":[13.1,58.26]},"category":"belysning","feeling":2}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/v1/reports: status %d: %s", resp.StatusCode, body)
	}
	resp, body = e.post(t, "/open311/v2/requests.xml", form())
	wantError(t, resp, body, http.StatusTooManyRequests)
	if resp.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
}

// TestFilters exercises every GET requests parameter.
func TestFilters(t *testing.T) {
	e := newEnv(t, nil)
	ids := e.seed(t)
	old := e.submit(t, form("service_code", "klotter"))
	e.setStatus(t, old, "published")
	// Noon UTC, so the same day in Swedish time.
	oldDay := time.Now().UTC().AddDate(0, 0, -200).Format(time.DateOnly)
	pgtest.Exec(t, e.url, fmt.Sprintf(`UPDATE report SET created_at = '%sT12:00:00Z' WHERE id = '%s'`, oldDay, old))
	vb, vk, lk := ids["vara-belysning"], ids["vara-klotter"], ids["lidkoping"]
	day := func(d int) string { return url.QueryEscape(time.Now().AddDate(0, 0, d).Format(time.RFC3339)) }

	cases := []struct {
		name, query string
		want        []string
	}{
		{"default: last 90 days, public only", "", []string{vb, vk, lk}},
		{"jurisdiction", "jurisdiction_id=1470", []string{vb, vk}},
		{"other jurisdiction", "jurisdiction_id=1494", []string{lk}},
		{"jurisdiction without reports", "jurisdiction_id=0685", nil},
		{"service_code", "service_code=belysning", []string{vb, lk}},
		{"service_codes", "service_code=belysning,klotter", []string{vb, vk, lk}},
		{"status open", "status=open", []string{vb, vk}},
		{"status closed", "status=closed", []string{lk}},
		{"status both", "status=open,closed", []string{vb, vk, lk}},
		{"status and code", "status=open&service_code=belysning", []string{vb}},
		{"start_date", "start_date=" + day(-1), []string{vb, vk, lk}},
		{"start_date tomorrow", "start_date=" + day(1), nil},
		{"end_date yesterday", "end_date=" + day(-1), nil},
		{"old window", "start_date=" + oldDay + "&end_date=" + time.Now().AddDate(0, 0, -150).Format(time.DateOnly), []string{old}},
		{"old day, date only", "start_date=" + oldDay + "&end_date=" + oldDay, []string{old}},
		{"unescaped plus", "start_date=" + strings.ReplaceAll(time.Now().Add(-time.Hour).In(time.FixedZone("", 3600)).Format(time.RFC3339), "+", "%20"), []string{vb, vk, lk}},
		{"ids", "service_request_id=" + vb + "," + lk, []string{vb, lk}},
		{"ids override other filters", "service_request_id=" + old + "&status=closed", []string{old}},
		{"ids within jurisdiction", "service_request_id=" + vb + "," + lk + "&jurisdiction_id=1494", []string{lk}},
		{"hidden ids", "service_request_id=" + ids["received"] + "," + ids["rejected"], nil},
		{"malformed ids", "service_request_id=abc,1129806", nil},
		{"ids with a malformed one", "service_request_id=abc," + vk, []string{vk}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := e.list(t, tc.query); !sameSet(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	// One request, within a jurisdiction or not.
	if resp, body := e.get(t, "/open311/v2/requests/"+vb+".json?jurisdiction_id=1470"); resp.StatusCode != 200 {
		t.Errorf("requests/{id} in its jurisdiction: status %d: %s", resp.StatusCode, body)
	}
	resp, body := e.get(t, "/open311/v2/requests/"+vb+".xml?jurisdiction_id=1494")
	wantError(t, resp, body, http.StatusNotFound)

	// Newest first.
	if got := e.list(t, "status=open"); !slices.Equal(got, []string{vk, vb}) {
		t.Errorf("order %v, want newest first %v", got, []string{vk, vb})
	}

	bad := []struct {
		query  string
		status int
	}{
		{"jurisdiction_id=0180", 404},
		{"service_code=pothole", 400},
		{"status=pending", 400},
		{"start_date=yesterday", 400},
		{"end_date=2026-13-01", 400},
		{"start_date=2026-01-01&end_date=2026-06-01", 400},
		{"start_date=2026-06-01&end_date=2026-01-01", 400},
	}
	for _, b := range bad {
		for _, ext := range []string{"json", "xml"} {
			resp, body := e.get(t, "/open311/v2/requests."+ext+"?"+b.query)
			t.Run(b.query+" "+ext, func(t *testing.T) { wantError(t, resp, body, b.status) })
		}
	}

	// At most 1000.
	pgtest.Exec(t, e.url, fmt.Sprintf(`INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, source, precision, status)
		SELECT gen_random_uuid(), municipality_code, geom, public_geom, category, feeling, source, precision, status
		FROM report r, generate_series(1, 1001) WHERE r.id = '%s'`, vb))
	if got := e.list(t, ""); len(got) != open311.MaxRequests {
		t.Errorf("got %d requests, want at most %d", len(got), open311.MaxRequests)
	}
}

func TestServices(t *testing.T) {
	e := newEnv(t, nil)
	cats := pgtest.Strings(t, e.url, `SELECT code || '|' || label_sv || '|' || label_en FROM category ORDER BY sort`)
	_, body := e.get(t, "/open311/v2/services.json")
	var ss []struct {
		Code        string `json:"service_code"`
		Name        string `json:"service_name"`
		Description string `json:"description"`
		Metadata    bool   `json:"metadata"`
		Type        string `json:"type"`
		Keywords    string `json:"keywords"`
		Group       string `json:"group"`
	}
	if err := json.Unmarshal(body, &ss); err != nil || len(ss) != len(cats) {
		t.Fatalf("%d services, want %d: %v: %s", len(ss), len(cats), err, body)
	}
	for i, s := range ss {
		if got := s.Code + "|" + s.Name + "|" + s.Description; got != cats[i] || !s.Metadata || s.Type != "realtime" ||
			s.Keywords == "" || s.Group == "" {
			t.Errorf("service %d: %+v, want %s", i, s, cats[i])
		}
	}

	for _, ext := range []string{"json", "xml"} {
		resp, body := e.get(t, "/open311/v2/services/trygg-plats."+ext)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		var d struct {
			Code       string `json:"service_code" xml:"service_code"`
			Attributes []struct {
				Variable bool   `json:"variable" xml:"variable"`
				Code     string `json:"code" xml:"code"`
				Datatype string `json:"datatype" xml:"datatype"`
				Required bool   `json:"required" xml:"required"`
				Order    int    `json:"order" xml:"order"`
				Desc     string `json:"description" xml:"description"`
				DTDesc   string `json:"datatype_description" xml:"datatype_description"`
				Values   []struct {
					Key  string `json:"key" xml:"key"`
					Name string `json:"name" xml:"name"`
				} `json:"values" xml:"values>value"`
			} `json:"attributes" xml:"attributes>attribute"`
		}
		var err error
		if ext == "json" {
			err = json.Unmarshal(body, &d)
		} else {
			wellFormed(t, body)
			err = xml.Unmarshal(body, &d)
		}
		if err != nil || d.Code != "trygg-plats" || len(d.Attributes) != 2 {
			t.Fatalf("%s: %v: %s", ext, err, body)
		}
		f, w := d.Attributes[0], d.Attributes[1]
		var fv, wv []string
		for _, v := range f.Values {
			fv = append(fv, v.Key+"="+v.Name)
		}
		for _, v := range w.Values {
			wv = append(wv, v.Key+"="+v.Name)
		}
		if f.Code != "feeling" || f.Datatype != "singlevaluelist" || f.Required || !strings.Contains(f.Desc, "Frivilligt") || !f.Variable || f.Order != 1 || f.Desc == "" || f.DTDesc == "" ||
			strings.Join(fv, ",") != "1=Mycket otryggt,2=Otryggt,3=Acceptabelt,4=Tryggt" {
			t.Errorf("%s feeling: %+v", ext, f)
		}
		if w.Code != "when" || w.Datatype != "multivaluelist" || w.Required || !w.Variable || w.Order != 2 || w.Desc == "" ||
			strings.Join(wv, ",") != "day=dag,evening=kväll,night=natt,weekday=vardag,weekend=helg" {
			t.Errorf("%s when: %+v", ext, w)
		}
	}
	for _, path := range []string{"services/pothole.json", "services/pothole.xml", "services.json?jurisdiction_id=9999",
		"services/belysning.xml?jurisdiction_id=9999"} {
		resp, body := e.get(t, "/open311/v2/"+path)
		wantError(t, resp, body, http.StatusNotFound)
	}
}

func TestDiscovery(t *testing.T) {
	e := newEnv(t, nil)
	_, body := e.get(t, "/open311/v2/discovery.json")
	var d struct {
		Changeset  string `json:"changeset"`
		KeyService string `json:"key_service"`
		Endpoints  []struct {
			Specification string   `json:"specification"`
			URL           string   `json:"url"`
			Changeset     string   `json:"changeset"`
			Type          string   `json:"type"`
			Formats       []string `json:"formats"`
		} `json:"endpoints"`
	}
	if err := json.Unmarshal(body, &d); err != nil || len(d.Endpoints) != 1 {
		t.Fatalf("%v: %s", err, body)
	}
	ep := d.Endpoints[0]
	if ep.Specification != "http://wiki.open311.org/GeoReport_v2" || ep.URL != e.srv.URL+"/open311/v2" ||
		ep.Type != "production" || !slices.Equal(ep.Formats, []string{"text/xml", "application/json"}) ||
		d.KeyService != "No api_key is needed." {
		t.Errorf("got %s", body)
	}
	if _, err := time.Parse(time.RFC3339, d.Changeset); err != nil {
		t.Errorf("changeset %q: %v", d.Changeset, err)
	}
	// The URL the discovery gives works.
	if resp, body := e.do(t, "GET", strings.TrimPrefix(ep.URL, e.srv.URL)+"/services.json", "", ""); resp.StatusCode != 200 {
		t.Errorf("GET %s/services.json: %d: %s", ep.URL, resp.StatusCode, body)
	}
}

// TestRouting: unknown endpoints and formats, methods, HEAD and metrics by route.
func TestRouting(t *testing.T) {
	e := newEnv(t, nil)
	cases := []struct {
		method, path string
		status       int
	}{
		{"GET", "/open311/v2/nothing.json", 404},
		{"GET", "/open311/v2/nothing.xml", 404},
		{"GET", "/open311/v2/services.csv", 404},
		{"GET", "/open311/v2/services", 404},
		{"GET", "/open311/v2/requests/abc.json", 404},
		{"GET", "/open311/v2/requests/00000000-0000-0000-0000-000000000000.xml", 404},
		{"GET", "/open311/v2/tokens/123.xml", 404},
		{"PUT", "/open311/v2/requests.json", 405},
		{"POST", "/open311/v2/services.xml", 405},
		{"DELETE", "/open311/v2/requests/abc.json", 405},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			resp, body := e.do(t, tc.method, tc.path, "", "")
			wantError(t, resp, body, tc.status)
			if strings.HasSuffix(tc.path, ".xml") != strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
				t.Errorf("Content-Type %q for %s", resp.Header.Get("Content-Type"), tc.path)
			}
		})
	}
	resp, body := e.do(t, "HEAD", "/open311/v2/services.xml", "", "")
	if resp.StatusCode != 200 || len(body) != 0 || resp.Header.Get("Content-Type") != "text/xml; charset=utf-8" {
		t.Errorf("HEAD: status %d, %d bytes", resp.StatusCode, len(body))
	}
	e.get(t, "/open311/v2/services/belysning.json")
	_, body = e.get(t, "/metrics")
	if want := `trygg_http_requests_total{method="GET",route="/open311/v2/services/{code}.{format}",status="200"} 1`; !strings.Contains(string(body), want) {
		t.Errorf("metrics lack %s", want)
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
