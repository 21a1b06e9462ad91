package open311_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

// jsonObjects collects the objects of a JSON document by path ("" is the root, "[]"
// an array's elements, ".key" a member).
func jsonObjects(b []byte) (map[string][]map[string]any, error) {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	out := map[string][]map[string]any{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case []any:
			for _, x := range v {
				walk(path+"[]", x)
			}
		case map[string]any:
			out[path] = append(out[path], v)
			for k, x := range v {
				walk(path+"."+k, x)
			}
		}
	}
	walk("", v)
	return out, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	}
	return "object"
}

// jsonShapeDiff lists how ours differs from the sample: at every path where the
// sample has objects, ours must have objects, each with every key the sample's objects
// there have, of a type the sample also uses there (null is compatible with any type:
// the samples mix null and values under one key).
func jsonShapeDiff(sample, ours []byte) []string {
	s, err := jsonObjects(sample)
	if err != nil {
		return []string{"sample: " + err.Error()}
	}
	o, err := jsonObjects(ours)
	if err != nil {
		return []string{"ours is not JSON: " + err.Error()}
	}
	var diffs []string
	if len(s) == 0 {
		diffs = append(diffs, "the sample has no objects")
	}
	for path, sobjs := range s {
		oobjs := o[path]
		if len(oobjs) == 0 {
			diffs = append(diffs, fmt.Sprintf("%s: the sample has objects here, ours has none", orRoot(path)))
			continue
		}
		kinds := map[string]map[string]bool{}
		for _, so := range sobjs {
			for k, v := range so {
				if kinds[k] == nil {
					kinds[k] = map[string]bool{}
				}
				kinds[k][jsonKind(v)] = true
			}
		}
		for k, ks := range kinds {
			for i, oo := range oobjs {
				v, ok := oo[k]
				if !ok {
					diffs = append(diffs, fmt.Sprintf("%s: object %d has no %q", orRoot(path), i, k))
					continue
				}
				kind := jsonKind(v)
				if kind != "null" && !(len(ks) == 1 && ks["null"]) && !ks[kind] {
					diffs = append(diffs, fmt.Sprintf("%s.%s: ours is %s, the sample's are %v", orRoot(path), k, kind, setKeys(ks)))
				}
			}
		}
	}
	sort.Strings(diffs)
	return diffs
}

func orRoot(p string) string {
	if p == "" {
		return "(root)"
	}
	return p
}

func setKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// node is any XML element, with its child elements.
type node struct {
	XMLName xml.Name
	Nodes   []node `xml:",any"`
}

func xmlElements(b []byte) (map[string][]node, error) {
	var root node
	if err := xml.Unmarshal(b, &root); err != nil {
		return nil, err
	}
	out := map[string][]node{}
	var walk func(path string, n node)
	walk = func(path string, n node) {
		path += "/" + n.XMLName.Local
		out[path] = append(out[path], n)
		for _, c := range n.Nodes {
			walk(path, c)
		}
	}
	walk("", root)
	return out, nil
}

// xmlShapeDiff lists how ours differs from the sample: the same root and, at every
// path where the sample has elements, elements with every child element the sample's
// have there, leaves (text) where the sample has leaves and containers where it has
// containers. Attributes (the samples' xmlns, xsi:nil, is_array) do not count.
func xmlShapeDiff(sample, ours []byte) []string {
	s, err := xmlElements(sample)
	if err != nil {
		return []string{"sample: " + err.Error()}
	}
	o, err := xmlElements(ours)
	if err != nil {
		return []string{"ours is not XML: " + err.Error()}
	}
	var diffs []string
	for path, snodes := range s {
		onodes := o[path]
		if len(onodes) == 0 {
			diffs = append(diffs, path+": the sample has elements here, ours has none")
			continue
		}
		children := map[string]bool{}
		sampleLeaf := true
		for _, n := range snodes {
			for _, c := range n.Nodes {
				children[c.XMLName.Local] = true
			}
			sampleLeaf = sampleLeaf && len(n.Nodes) == 0
		}
		for i, n := range onodes {
			has := map[string]bool{}
			for _, c := range n.Nodes {
				has[c.XMLName.Local] = true
			}
			for c := range children {
				if !has[c] {
					diffs = append(diffs, fmt.Sprintf("%s: element %d has no <%s>", path, i, c))
				}
			}
			if leaf := len(n.Nodes) == 0; leaf != sampleLeaf {
				diffs = append(diffs, fmt.Sprintf("%s: element %d is a leaf: %v, the sample's: %v", path, i, leaf, sampleLeaf))
			}
		}
	}
	sort.Strings(diffs)
	return diffs
}

// Reference shapes from the GeoReport v2 specification's examples, for the responses
// no city sample covers. Identifiers and keys are strings, as Bloomington's are.
const (
	specDiscoveryJSON = `{"changeset":"2011-04-05T17:48:34Z","contact":"c","key_service":"k",
		"endpoints":[{"specification":"http://wiki.open311.org/GeoReport_v2","url":"https://example.gov/v2",
		"changeset":"2011-04-20T17:48:34Z","type":"production","formats":["text/xml","application/json"]}]}`
	specDiscoveryXML = `<?xml version="1.0" encoding="utf-8"?><discovery><changeset>2011-04-05T17:48:34Z</changeset>
		<contact>c</contact><key_service>k</key_service><endpoints><endpoint>
		<specification>http://wiki.open311.org/GeoReport_v2</specification><url>https://example.gov/v2</url>
		<changeset>2011-04-20T17:48:34Z</changeset><type>production</type>
		<formats><format>text/xml</format><format>application/json</format></formats></endpoint></endpoints></discovery>`
	specDefinitionJSON = `{"service_code":"DMV66","attributes":[{"variable":true,"code":"WHISHETN",
		"datatype":"singlevaluelist","required":true,"datatype_description":null,"order":1,
		"description":"What is the ticket/tag/DL number?","values":[{"key":"123","name":"Ford"},{"key":"124","name":"Chrysler"}]}]}`
	specDefinitionXML = `<?xml version="1.0" encoding="utf-8"?><service_definition><service_code>DMV66</service_code>
		<attributes><attribute><variable>true</variable><code>WHISHETN</code><datatype>singlevaluelist</datatype>
		<required>true</required><datatype_description></datatype_description><order>1</order>
		<description>What is the ticket/tag/DL number?</description><values><value><key>123</key><name>Ford</name></value>
		<value><key>124</key><name>Chrysler</name></value></values></attribute></attributes></service_definition>`
	specCreatedJSON = `[{"service_request_id":"293944","service_notice":"The City will inspect.","account_id":null}]`
	specCreatedXML  = `<?xml version="1.0" encoding="utf-8"?><service_requests><request>
		<service_request_id>293944</service_request_id><service_notice>The City will inspect.</service_notice>
		<account_id/></request></service_requests>`
	specErrorsJSON = `[{"code":403,"description":"Invalid api_key received -- can't proceed with create_request."}]`
	specErrorsXML  = `<?xml version="1.0" encoding="utf-8"?><errors><error><code>403</code>
		<description>Invalid api_key received -- can't proceed with create_request.</description></error></errors>`
)

// TestShapes compares every endpoint's response, in both formats, with the real city
// responses, or, where no city sample covers it, the specification's example.
func TestShapes(t *testing.T) {
	e := newEnv(t, nil)
	ids := e.seed(t)
	cases := []struct {
		name, method, path string
		form               url.Values
		status             int
		sample             []byte
	}{
		{"services json bloomington", "GET", "/open311/v2/services.json", nil, 200, readSample(t, "bloomington_services.json")},
		{"services xml san francisco", "GET", "/open311/v2/services.xml", nil, 200, readSample(t, "san_francisco_services.xml")},
		{"services xml giessen", "GET", "/open311/v2/services.xml?jurisdiction_id=1470", nil, 200, readSample(t, "services_giessen.xml")},
		{"requests json bloomington", "GET", "/open311/v2/requests.json", nil, 200, readSample(t, "bloomington_requests.json")},
		{"requests xml san francisco", "GET", "/open311/v2/requests.xml", nil, 200, readSample(t, "san_francisco_requests.xml")},
		{"request json bloomington", "GET", "/open311/v2/requests/" + ids["vara-klotter"] + ".json", nil, 200, readSample(t, "bloomington_requests.json")},
		{"request xml san francisco", "GET", "/open311/v2/requests/" + ids["lidkoping"] + ".xml", nil, 200, readSample(t, "san_francisco_requests.xml")},
		{"discovery json", "GET", "/open311/v2/discovery.json", nil, 200, []byte(specDiscoveryJSON)},
		{"discovery xml", "GET", "/open311/v2/discovery.xml", nil, 200, []byte(specDiscoveryXML)},
		{"definition json", "GET", "/open311/v2/services/belysning.json", nil, 200, []byte(specDefinitionJSON)},
		{"definition xml", "GET", "/open311/v2/services/belysning.xml", nil, 200, []byte(specDefinitionXML)},
		{"create json", "POST", "/open311/v2/requests.json", form(), 201, []byte(specCreatedJSON)},
		{"create xml", "POST", "/open311/v2/requests.xml", form(), 201, []byte(specCreatedXML)},
		{"error json", "GET", "/open311/v2/services/nothing.json", nil, 404, []byte(specErrorsJSON)},
		{"error xml", "GET", "/open311/v2/services/nothing.xml", nil, 404, []byte(specErrorsXML)},
		{"token json", "GET", "/open311/v2/tokens/abc.json", nil, 404, []byte(specErrorsJSON)},
		{"token xml", "GET", "/open311/v2/tokens/abc.xml", nil, 404, []byte(specErrorsXML)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var resp *http.Response
			var body []byte
			if tc.method == "POST" {
				resp, body = e.post(t, tc.path, tc.form)
			} else {
				resp, body = e.get(t, tc.path)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			isXML := strings.Contains(tc.path, ".xml")
			wantCT, diff := "application/json; charset=utf-8", jsonShapeDiff
			if isXML {
				wantCT, diff = "text/xml; charset=utf-8", xmlShapeDiff
				wellFormed(t, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != wantCT {
				t.Errorf("Content-Type %q, want %q", ct, wantCT)
			}
			for _, d := range diff(tc.sample, body) {
				t.Error(d)
			}
			if t.Failed() {
				t.Logf("ours: %s", body)
			}
		})
	}
}

// TestShapeCheck guards the shape checks themselves: each sample matches itself, and a
// missing field, a changed type or a changed nesting is caught.
func TestShapeCheck(t *testing.T) {
	for _, name := range []string{"bloomington_requests.json", "bloomington_services.json"} {
		if d := jsonShapeDiff(readSample(t, name), readSample(t, name)); len(d) > 0 {
			t.Errorf("%s against itself: %v", name, d)
		}
	}
	for _, name := range []string{"san_francisco_requests.xml", "san_francisco_services.xml", "services_giessen.xml"} {
		if d := xmlShapeDiff(readSample(t, name), readSample(t, name)); len(d) > 0 {
			t.Errorf("%s against itself: %v", name, d)
		}
	}
	requests := string(readSample(t, "bloomington_requests.json"))
	for _, bad := range []string{
		`[{"service_request_id":"1","status":"open"}]`,
		strings.Replace(requests, `"lat":39.146551871103`, `"lat":"39.146551871103"`, 1),
		strings.Replace(requests, `"service_request_id":"4fbd40b2b1fe2c4b02000001"`, `"service_request_id":7`, 1),
		`{"service_request_id":"1"}`,
	} {
		if len(jsonShapeDiff([]byte(requests), []byte(bad))) == 0 {
			t.Errorf("JSON shape check passed %.100s", bad)
		}
	}
	sf := string(readSample(t, "san_francisco_requests.xml"))
	for _, bad := range []string{
		strings.Replace(sf, "<zipcode>0</zipcode>", "", 1),
		strings.Replace(sf, "<lat>0.0</lat>", "<lat><value>0.0</value></lat>", 1),
		strings.ReplaceAll(sf, "service_requests", "requests"),
	} {
		if len(xmlShapeDiff([]byte(sf), []byte(bad))) == 0 {
			t.Errorf("XML shape check passed a changed document")
		}
	}
}

// clientRequests is how a client of San Francisco's Open311 endpoint would read
// service requests in XML.
type clientRequests struct {
	XMLName  xml.Name `xml:"service_requests"`
	Requests []struct {
		ServiceRequestID  string  `xml:"service_request_id"`
		Status            string  `xml:"status"`
		StatusNotes       string  `xml:"status_notes"`
		ServiceName       string  `xml:"service_name"`
		ServiceCode       string  `xml:"service_code"`
		Description       string  `xml:"description"`
		AgencyResponsible string  `xml:"agency_responsible"`
		RequestedDatetime string  `xml:"requested_datetime"`
		UpdatedDatetime   string  `xml:"updated_datetime"`
		ExpectedDatetime  string  `xml:"expected_datetime"`
		Address           string  `xml:"address"`
		Zipcode           string  `xml:"zipcode"`
		Lat               float64 `xml:"lat"`
		Long              float64 `xml:"long"`
	} `xml:"request"`
}

// clientServices is how a client would read a service list in XML.
type clientServices struct {
	XMLName  xml.Name `xml:"services"`
	Services []struct {
		ServiceCode string `xml:"service_code"`
		ServiceName string `xml:"service_name"`
		Description string `xml:"description"`
		Metadata    bool   `xml:"metadata"`
		Type        string `xml:"type"`
		Keywords    string `xml:"keywords"`
		Group       string `xml:"group"`
	} `xml:"service"`
}

// jsonClientRequest is how a client of Bloomington's endpoint would read a service
// request in JSON.
type jsonClientRequest struct {
	ServiceRequestID  string   `json:"service_request_id"`
	Status            string   `json:"status"`
	ServiceName       string   `json:"service_name"`
	ServiceCode       string   `json:"service_code"`
	Description       *string  `json:"description"`
	AgencyResponsible string   `json:"agency_responsible"`
	RequestedDatetime string   `json:"requested_datetime"`
	UpdatedDatetime   string   `json:"updated_datetime"`
	Address           *string  `json:"address"`
	Zipcode           *string  `json:"zipcode"`
	Lat               *float64 `json:"lat"`
	Long              *float64 `json:"long"`
	MediaURL          string   `json:"media_url"`
}

// TestClientsReadUs reads the city samples and our responses with the same client
// structs, as existing clients would.
func TestClientsReadUs(t *testing.T) {
	e := newEnv(t, nil)
	ids := e.seed(t)

	var sf clientRequests
	if err := xml.Unmarshal(readSample(t, "san_francisco_requests.xml"), &sf); err != nil {
		t.Fatal(err)
	}
	if len(sf.Requests) != 56 || sf.Requests[0].ServiceRequestID != "1129806" || sf.Requests[3].Lat != 37.77944 {
		t.Fatalf("San Francisco sample read as %d requests, first %+v", len(sf.Requests), sf.Requests[0])
	}
	_, body := e.get(t, "/open311/v2/requests.xml")
	var ours clientRequests
	if err := xml.Unmarshal(body, &ours); err != nil {
		t.Fatalf("our XML does not read as San Francisco's: %v: %s", err, body)
	}
	if len(ours.Requests) != 3 {
		t.Fatalf("got %d requests, want 3 public ones: %s", len(ours.Requests), body)
	}
	byID := map[string]int{}
	for i, r := range ours.Requests {
		byID[r.ServiceRequestID] = i
		if r.Lat < 55 || r.Lat > 69 || r.Long < 11 || r.Long > 24 {
			t.Errorf("%s: lat %v long %v not in Sweden", r.ServiceRequestID, r.Lat, r.Long)
		}
		if _, err := time.Parse(time.RFC3339, r.RequestedDatetime); err != nil {
			t.Errorf("requested_datetime: %v", err)
		}
	}
	vara := ours.Requests[byID[ids["vara-belysning"]]]
	if vara.Status != "open" || vara.ServiceCode != "belysning" || vara.ServiceName != "Dålig belysning" ||
		vara.Description != "Mörk gångtunnel vid stationen" || vara.AgencyResponsible != "Vara kommun" {
		t.Errorf("Vara report read as %+v", vara)
	}
	if l := ours.Requests[byID[ids["lidkoping"]]]; l.Status != "closed" || l.AgencyResponsible != "Lidköping kommun" {
		t.Errorf("Lidköping report read as %+v", l)
	}

	var sfServices, ourServices, giessen clientServices
	if err := xml.Unmarshal(readSample(t, "san_francisco_services.xml"), &sfServices); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(readSample(t, "services_giessen.xml"), &giessen); err != nil {
		t.Fatal(err)
	}
	if len(sfServices.Services) != 38 || len(giessen.Services) != 8 || giessen.Services[2].ServiceName != "Laterne defekt" {
		t.Fatalf("samples read as %d and %d services", len(sfServices.Services), len(giessen.Services))
	}
	_, body = e.get(t, "/open311/v2/services.xml")
	if err := xml.Unmarshal(body, &ourServices); err != nil {
		t.Fatal(err)
	}
	if len(ourServices.Services) != 21 {
		t.Fatalf("got %d services, want the 21 categories", len(ourServices.Services))
	}
	if s := ourServices.Services[0]; s.ServiceCode != "belysning" || s.ServiceName != "Dålig belysning" ||
		s.Description != "Poor lighting" || !s.Metadata || s.Type != "realtime" || s.Group != "Miljö" {
		t.Errorf("first service read as %+v", s)
	}

	var bloomington, ourJSON []jsonClientRequest
	if err := json.Unmarshal(readSample(t, "bloomington_requests.json"), &bloomington); err != nil {
		t.Fatal(err)
	}
	if len(bloomington) != 21 {
		t.Fatalf("Bloomington sample read as %d requests", len(bloomington))
	}
	_, body = e.get(t, "/open311/v2/requests.json")
	if err := json.Unmarshal(body, &ourJSON); err != nil {
		t.Fatalf("our JSON does not read as Bloomington's: %v: %s", err, body)
	}
	for _, r := range ourJSON {
		if r.Lat == nil || r.Long == nil || r.ServiceRequestID == "" || r.Address != nil || r.Zipcode != nil {
			t.Errorf("read %+v", r)
		}
		if _, err := time.Parse(time.RFC3339, r.UpdatedDatetime); err != nil {
			t.Errorf("updated_datetime: %v", err)
		}
		if r.ServiceRequestID == ids["vara-klotter"] && r.Description != nil {
			t.Errorf("an empty description is %q, want null", *r.Description)
		}
	}
}
