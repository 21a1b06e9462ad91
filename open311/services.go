package open311

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/gorilla/mux"
	"github.com/trygg-gis/trygg"
)

// Specification is the GeoReport v2 specification's address, as discovery names it.
const Specification = "http://wiki.open311.org/GeoReport_v2"

// changeset is when this endpoint last changed.
const changeset = "2026-12-03T00:00:00Z"

type discoveryBody struct {
	XMLName    xml.Name   `json:"-" xml:"discovery"`
	Changeset  string     `json:"changeset" xml:"changeset"`
	Contact    string     `json:"contact" xml:"contact"`
	KeyService string     `json:"key_service" xml:"key_service"`
	Endpoints  []endpoint `json:"endpoints" xml:"endpoints>endpoint"`
}

type endpoint struct {
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

// discovery answers GET discovery.{format}.
func (h *Handler) discovery(w http.ResponseWriter, r *http.Request, f format) error {
	base := h.baseURL(r)
	key := "No api_key is needed."
	if h.opts.APIKey != "" {
		key = "POST requests needs an api_key: ask the municipality that runs this Trygg server for one."
	}
	d := discoveryBody{
		Changeset: changeset,
		Contact: "Trygg: the municipality that runs this server answers for its reports. " +
			"Service requests are places where residents feel unsafe; they are public once a moderator has reviewed them.",
		KeyService: key,
		Endpoints: []endpoint{{Specification: Specification, URL: base + Prefix,
			Changeset: changeset, Type: "production", Formats: []string{"text/xml", "application/json"}}},
	}
	w.Header().Set("Cache-Control", "no-cache")
	write(w, http.StatusOK, f, d, d)
	return nil
}

// service is one entry of the service list, in the specification's element order.
type service struct {
	ServiceCode string `json:"service_code" xml:"service_code"`
	ServiceName string `json:"service_name" xml:"service_name"`
	Description string `json:"description" xml:"description"`
	Metadata    bool   `json:"metadata" xml:"metadata"`
	Type        string `json:"type" xml:"type"`
	Keywords    string `json:"keywords" xml:"keywords"`
	Group       string `json:"group" xml:"group"`
}

type xmlServices struct {
	XMLName  xml.Name  `xml:"services"`
	Services []service `xml:"service"`
}

// groupNames are the Swedish names of the category groups.
var groupNames = map[string]string{"miljo": "Miljö", "beteende": "Beteende", "trafik": "Trafik", "ovrigt": "Övrigt"}

func serviceOf(c trygg.Category) service {
	group := groupNames[c.Group]
	if group == "" {
		group = c.Group
	}
	return service{ServiceCode: c.Code, ServiceName: c.LabelSV, Description: c.LabelEN, Metadata: true,
		Type: "realtime", Keywords: strings.ToLower(c.LabelEN) + ", " + c.Group, Group: group}
}

// services answers GET services.{format}: one service per report category, the same
// in every jurisdiction.
func (h *Handler) services(w http.ResponseWriter, r *http.Request, f format) error {
	if _, err := h.jurisdiction(r.Context(), r.URL.Query().Get("jurisdiction_id")); err != nil {
		return err
	}
	cats, err := h.db.Categories(r.Context())
	if err != nil {
		return err
	}
	ss := make([]service, len(cats))
	for i, c := range cats {
		ss[i] = serviceOf(c)
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	write(w, http.StatusOK, f, ss, xmlServices{Services: ss})
	return nil
}

type definition struct {
	XMLName     xml.Name    `json:"-" xml:"service_definition"`
	ServiceCode string      `json:"service_code" xml:"service_code"`
	Attributes  []attribute `json:"attributes" xml:"attributes>attribute"`
}

type attribute struct {
	Variable            bool    `json:"variable" xml:"variable"`
	Code                string  `json:"code" xml:"code"`
	Datatype            string  `json:"datatype" xml:"datatype"`
	Required            bool    `json:"required" xml:"required"`
	DatatypeDescription string  `json:"datatype_description" xml:"datatype_description"`
	Order               int     `json:"order" xml:"order"`
	Description         string  `json:"description" xml:"description"`
	Values              []value `json:"values" xml:"values>value"`
}

type value struct {
	Key  string `json:"key" xml:"key"`
	Name string `json:"name" xml:"name"`
}

// feelings are the Swedish names of the feeling scale, 1 to 4.
var feelings = []string{"Mycket otryggt", "Otryggt", "Acceptabelt", "Tryggt"}

// timeNames are the Swedish names of trygg.Times.
var timeNames = map[string]string{"day": "dag", "evening": "kväll", "night": "natt", "weekday": "vardag", "weekend": "helg"}

// attributes are what every service asks besides the place and the description.
func attributes() []attribute {
	feeling := attribute{Variable: true, Code: "feeling", Datatype: "singlevaluelist", Required: false,
		DatatypeDescription: "Välj ett: 1 mycket otryggt, 2 otryggt, 3 acceptabelt, 4 tryggt. Utan svar sparas 2 otryggt.",
		Order:               1, Description: "Hur trygg känns platsen? Frivilligt: utan svar sparas rapporten som otrygg (2)."}
	for i, name := range feelings {
		feeling.Values = append(feeling.Values, value{Key: string(rune('1' + i)), Name: name})
	}
	when := attribute{Variable: true, Code: "when", Datatype: "multivaluelist", Required: false,
		DatatypeDescription: "Välj en eller flera: dag 06–18, kväll 18–22, natt 22–06; vardag, helg.",
		Order:               2, Description: "När känns platsen otrygg?"}
	for _, t := range trygg.Times {
		when.Values = append(when.Values, value{Key: t, Name: timeNames[t]})
	}
	return []attribute{feeling, when}
}

// serviceDefinition answers GET services/{code}.{format}: the attributes feeling and
// when, both optional (a missing feeling is stored as DefaultFeeling, unsafe).
func (h *Handler) serviceDefinition(w http.ResponseWriter, r *http.Request, f format) error {
	if _, err := h.jurisdiction(r.Context(), r.URL.Query().Get("jurisdiction_id")); err != nil {
		return err
	}
	code := mux.Vars(r)["code"]
	c, ok, err := h.category(r.Context(), code)
	if err != nil {
		return err
	}
	if !ok {
		return trygg.Errorf(trygg.ENOTFOUND, "service_code",
			"service_code %q is not a service (GET %s/services.%s lists them)", code, Prefix, f)
	}
	d := definition{ServiceCode: c.Code, Attributes: attributes()}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	write(w, http.StatusOK, f, d, d)
	return nil
}

// baseURL is the server's absolute URL: the hook's, else the request's scheme and Host.
func (h *Handler) baseURL(r *http.Request) string {
	if h.hooks.BaseURL != nil {
		return h.hooks.BaseURL(r)
	}
	if r.TLS != nil || h.opts.HTTPS {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}
