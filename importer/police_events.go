package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
)

// PoliceEventStore is what importing police events needs of the store.
type PoliceEventStore interface {
	MunicipalityNames(ctx context.Context) (map[string]string, error)
	ImportPoliceEvents(ctx context.Context, es []trygg.PoliceEvent, actor string,
		progress func(done, total int)) (trygg.ImportSummary, error)
}

// PoliceEventOptions tune PoliceEvents.
type PoliceEventOptions struct {
	Name     string    // the file's name: each new report's first status is by "import:" + Name
	Size     int64     // the file's size in bytes, for reading progress; 0 if unknown
	Progress io.Writer // progress lines; nil for none
}

// PoliceEventSummary is what PoliceEvents did. Every event read is inserted, updated,
// unchanged or skipped (a summary, or in no stored municipality), unless there are
// errors: then nothing was written.
type PoliceEventSummary struct {
	Read           int            // elements of the array
	Inserted       int            // new reports
	Updated        int            // stored events that changed
	Unchanged      int            // stored events as they were
	Summaries      int            // skipped: "Sammanfattning natt" and the like, which are not incidents
	NotServed      int            // skipped: their place names name no stored municipality
	ByMunicipality map[string]int // events stored (inserted, updated or unchanged) per municipality code
	Errors         []EventError   // refusals, in file order; if any, nothing was written
}

// Skipped is the number of events that are not stored: summaries and events in no
// stored municipality.
func (s PoliceEventSummary) Skipped() int { return s.Summaries + s.NotServed }

// EventError is one refusal of a police event: the element, its member at fault and why.
type EventError struct {
	Index  int    // the element's index in the array, from 0
	ID     int64  // the event's id, 0 if not read
	Field  string // the member at fault ("datetime", "location.gps"); "" for the whole element
	Reason string
}

func (e EventError) Error() string {
	s := fmt.Sprintf("element %d", e.Index)
	if e.ID != 0 {
		s += fmt.Sprintf(" (id %d)", e.ID)
	}
	if e.Field != "" {
		s += ", " + e.Field
	}
	return s + ": " + e.Reason
}

// policeEventJSON is an element of the Police's event array (polisen.se/api/events).
// Members are pointers where a missing one must be told from an empty one.
type policeEventJSON struct {
	ID       *int64  `json:"id"`
	Datetime *string `json:"datetime"`
	Name     string  `json:"name"`
	Summary  string  `json:"summary"`
	URL      string  `json:"url"`
	Type     *string `json:"type"`
	Location *struct {
		Name string  `json:"name"`
		GPS  *string `json:"gps"`
	} `json:"location"`
}

// policeTimeLayout reads the feed's datetime, whose hour has no leading zero
// ("2026-03-01 6:29:58 +01:00"): Go's hour 15 takes one or two digits.
const policeTimeLayout = "2006-01-02 15:04:05 -07:00"

// progressMinBytes is the file size from which reading progress is shown.
const progressMinBytes = 1 << 20

// PoliceEvents imports the Police's public events: a JSON array of {id, datetime, name,
// summary, url, type, location{name, gps "lat,lon"}}, as polisen.se/api/events gives
// it, decoded one element at a time. Each event's municipality comes from its place
// names, compared with the stored municipalities' names without case (but with å, ä,
// ö: Habo is not Håbo): location.name (until 2025 usually the municipality), else the
// last ", "-separated part of name (since 2026 location.name is the county, "Västra
// Götalands län", and name ends with the municipality: "30 juni 10.36, Trafikolycka,
// Mariestad"); a trailing " kommun" is allowed on either side. Summaries ("Sammanfattning
// natt") and events in no stored municipality are skipped and counted. The type maps
// to a report category (PoliceEventCategory) and is kept as written. Every element is
// checked (id, datetime, type and location.gps present and readable, ids unique); if
// any is refused, nothing is written and the summary lists every refusal. Otherwise the
// events are written in one transaction, by id: an event stored before is updated if
// it changed, never duplicated.
func PoliceEvents(ctx context.Context, store PoliceEventStore, r io.Reader, opts PoliceEventOptions) (PoliceEventSummary, error) {
	var sum PoliceEventSummary
	names, err := store.MunicipalityNames(ctx)
	if err != nil {
		return sum, err
	}
	if len(names) == 0 {
		return sum, errors.New("no municipality is stored: import municipalities (or run trygg demo) first")
	}
	idx := newMunicipalityIndex(names)

	cr := &byteCounter{r: r}
	br := bufio.NewReaderSize(cr, 64<<10)
	skip := 0 // a byte order mark, which the decoder's offsets leave out
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		skip, _ = br.Discard(3)
	}
	dec := json.NewDecoder(br)
	where := func(offset int64) string { return jsonPosition(r, int64(skip)+offset, false) }
	whereNext := func(offset int64) string { return jsonPosition(r, int64(skip)+offset, true) }

	tok, err := dec.Token()
	switch {
	case errors.Is(err, io.EOF):
		return sum, errors.New("the file is empty")
	case err != nil:
		return sum, jsonTopError(err, where(dec.InputOffset()))
	case tok != json.Delim('['):
		return sum, fmt.Errorf("not a JSON array of events: the file starts with %s", jsonTokenName(tok))
	}

	var show io.Writer
	if opts.Size >= progressMinBytes {
		show = opts.Progress
	}
	p := &progress{w: show}
	var (
		events []trygg.PoliceEvent
		seen   = map[int64]int{} // id → element
		at     = map[string]int{}
	)
	for i := 0; ; i++ {
		if !dec.More() {
			break
		}
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return sum, err
			}
		}
		var raw policeEventJSON
		start := dec.InputOffset()
		err := dec.Decode(&raw)
		sum.Read++
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ):
			sum.Errors = append(sum.Errors, policeTypeError(i, raw.ID, typ))
			continue
		case errors.Is(err, io.EOF): // a comma, then nothing
			sum.Read--
			sum.Errors = append(sum.Errors, unclosedArray(sum.Read))
			return sum, nil
		case errors.Is(err, io.ErrUnexpectedEOF):
			sum.Errors = append(sum.Errors, EventError{Index: i,
				Reason: fmt.Sprintf("the file ends inside this element, which starts %s: is the file cut short?", whereNext(start))})
			return sum, nil
		case err != nil:
			var syn *json.SyntaxError
			if !errors.As(err, &syn) {
				return sum, err
			}
			sum.Errors = append(sum.Errors, EventError{Index: i,
				Reason: fmt.Sprintf("invalid JSON %s: %v; the rest of the file was not read", syntaxPosition(r, int64(skip), start, syn), err)})
			return sum, nil
		}
		if opts.Size > 0 {
			p.updateBytes(cr.n, opts.Size, sum.Read)
		}

		e, errs := checkPoliceEvent(i, &raw, seen)
		if len(errs) > 0 {
			sum.Errors = append(sum.Errors, errs...)
			continue
		}
		if isSummary(e.Type) {
			sum.Summaries++
			continue
		}
		code, countyLevel, ok := idx.place(raw.Location.Name, raw.Name)
		if !ok {
			sum.NotServed++
			continue
		}
		e.Municipality, e.CountyLevel = code, countyLevel
		at[code]++
		events = append(events, e)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim(']') {
		if errors.Is(err, io.EOF) {
			sum.Errors = append(sum.Errors, unclosedArray(sum.Read))
			return sum, nil
		}
		if err == nil {
			return sum, fmt.Errorf("invalid JSON %s: the array ends with %s", where(dec.InputOffset()), jsonTokenName(tok))
		}
		return sum, jsonTopError(err, where(dec.InputOffset()))
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return sum, fmt.Errorf("something follows the array %s: the file must hold one JSON array", whereNext(end))
	}
	if opts.Progress != nil {
		fmt.Fprintf(opts.Progress, "read %d events: %d to store, %d summaries and %d in no stored municipality to skip\n",
			sum.Read, len(events), sum.Summaries, sum.NotServed)
	}
	if len(sum.Errors) > 0 {
		return sum, nil
	}
	if sum.Read == 0 {
		return sum, errors.New("the array has no events")
	}

	show = nil
	if len(events) >= progressMin {
		show = opts.Progress
	}
	w := &progress{w: show, label: "writing"}
	is, err := store.ImportPoliceEvents(ctx, events, "import:"+opts.Name, func(done, total int) {
		w.update(done, total)
		if done == total && show != nil {
			fmt.Fprintln(show, "storing")
		}
	})
	if err != nil {
		return sum, err
	}
	sum.Inserted, sum.Updated, sum.Unchanged = is.Inserted, is.Updated, is.Unchanged
	sum.ByMunicipality = at
	return sum, nil
}

// unclosedArray is the refusal of a file that ends before its array does, after read
// elements.
func unclosedArray(read int) EventError {
	if read == 0 {
		return EventError{Index: 0, Reason: "the file ends after its [ without closing the array: is the file cut short?"}
	}
	return EventError{Index: read,
		Reason: fmt.Sprintf("the file ends after element %d without closing the array: is the file cut short?", read-1)}
}

// checkPoliceEvent checks an element and turns it into an event (without its
// municipality), or says everything wrong with it. seen holds the ids read so far.
func checkPoliceEvent(i int, raw *policeEventJSON, seen map[int64]int) (trygg.PoliceEvent, []EventError) {
	var e trygg.PoliceEvent
	var errs []EventError
	fail := func(field, format string, args ...any) {
		errs = append(errs, EventError{Index: i, ID: e.ID, Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	if raw.ID == nil && raw.Datetime == nil && raw.Type == nil && raw.Location == nil {
		fail("", "not an event: none of id, datetime, type and location is there")
		return e, errs
	}
	switch {
	case raw.ID == nil:
		fail("id", "id is missing")
	case *raw.ID <= 0:
		fail("id", "id %d is not a positive number", *raw.ID)
	default:
		e.ID = *raw.ID
		if j, dup := seen[e.ID]; dup {
			fail("id", "id %d is also the id of element %d", e.ID, j)
		} else {
			seen[e.ID] = i
		}
	}

	switch {
	case raw.Datetime == nil:
		fail("datetime", "datetime is missing")
	default:
		t, err := time.Parse(policeTimeLayout, strings.TrimSpace(*raw.Datetime))
		if err != nil {
			fail("datetime", "%q is not a time like 2026-03-01 6:29:58 +01:00", abbreviate(*raw.Datetime, 40))
		} else if err := trygg.CheckObservedAt("datetime", t); err != nil {
			fail("datetime", "%s (%s)", trygg.ErrorMessage(err), *raw.Datetime)
		}
		e.At = t
	}

	switch {
	case raw.Type == nil:
		fail("type", "type is missing")
	case strings.TrimSpace(*raw.Type) == "":
		fail("type", "type is empty")
	default:
		e.Type = *raw.Type
		e.Category = PoliceEventCategory(e.Type)
	}

	switch {
	case raw.Location == nil:
		fail("location", "location is missing")
	case raw.Location.GPS == nil:
		fail("location.gps", "location.gps is missing")
	default:
		p, err := parseGPS(*raw.Location.GPS)
		if err != nil {
			fail("location.gps", "%s", err)
		}
		e.Position = p
	}

	e.Description = policeDescription(raw.Name, raw.Summary)
	return e, errs
}

// parseGPS reads the feed's "latitude,longitude" and checks it lies in Sweden.
func parseGPS(s string) (orb.Point, error) {
	latS, lonS, ok := strings.Cut(s, ",")
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(latS), 64)
	lon, err2 := strconv.ParseFloat(strings.TrimSpace(lonS), 64)
	if !ok || err1 != nil || err2 != nil {
		return orb.Point{}, fmt.Errorf("%q is not \"latitude,longitude\"", abbreviate(s, 40))
	}
	p, err := trygg.CheckPosition("location.gps", lon, lat)
	if err == nil {
		err = trygg.CheckInSweden(p, "location.gps", "location.gps",
			"location.gps is \"latitude,longitude\" (latitude 55 to 69, longitude 10 to 24 in Sweden)")
	}
	if err != nil {
		return orb.Point{}, fmt.Errorf("%q: %s", s, trygg.ErrorMessage(err))
	}
	return p, nil
}

// policeDescription is a report's text from an event's name and summary, on two lines,
// without control characters and at most trygg.MaxDescription characters.
func policeDescription(name, summary string) string {
	name, summary = strings.TrimSpace(name), strings.TrimSpace(summary)
	d := name
	switch {
	case d == "":
		d = summary
	case summary != "" && summary != name:
		d += "\n" + summary
	}
	d = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(d, "\uFFFD"))
	if utf8.RuneCountInString(d) > trygg.MaxDescription {
		d = string([]rune(d)[:trygg.MaxDescription-1]) + "…"
	}
	return d
}

// isSummary says whether an event type is a summary of a shift or a period
// ("Sammanfattning natt", "Sammanfattning kväll och natt", "Sammanfattning helg"…),
// which reports no incident of its own.
func isSummary(eventType string) bool {
	return strings.HasPrefix(strings.TrimSpace(eventType), "Sammanfattning")
}

// nameTail is the last ", "-separated part of an event's name: since 2026 the
// municipality ("30 juni 10.36, Trafikolycka, Mariestad").
func nameTail(name string) string {
	if i := strings.LastIndex(name, ","); i >= 0 {
		return strings.TrimSpace(name[i+1:])
	}
	return strings.TrimSpace(name)
}

// municipalityIndex finds stored municipalities by the names the Police use.
type municipalityIndex struct {
	exact map[string]string // name key → code
	alias map[string]string // key of a stored name without " kommun" (and a genitive s) → code
}

func newMunicipalityIndex(names map[string]string) *municipalityIndex {
	x := &municipalityIndex{exact: map[string]string{}, alias: map[string]string{}}
	codes := make([]string, 0, len(names))
	for c := range names {
		codes = append(codes, c)
	}
	slices.Sort(codes) // the lowest code wins if two names agree
	for _, c := range codes {
		k := placeKey(names[c])
		if _, ok := x.exact[k]; !ok {
			x.exact[k] = c
		}
		for _, a := range baseNames(k) {
			if _, ok := x.alias[a]; !ok {
				x.alias[a] = c
			}
		}
	}
	return x
}

// place finds an event's municipality from its location.name, else from the last part
// of its name; countyLevel says it came from the name, location.name naming something
// wider (a county).
func (x *municipalityIndex) place(location, name string) (code string, countyLevel, ok bool) {
	if c, ok := x.lookup(location); ok {
		return c, false, true
	}
	c, ok := x.lookup(nameTail(name))
	return c, true, ok
}

// lookup returns the code of the stored municipality a name names.
func (x *municipalityIndex) lookup(name string) (string, bool) {
	k := placeKey(name)
	if k == "" {
		return "", false
	}
	for _, k := range append([]string{k}, baseNames(k)...) {
		if c, ok := x.exact[k]; ok {
			return c, true
		}
		if c, ok := x.alias[k]; ok {
			return c, true
		}
	}
	return "", false
}

// baseNames are the bare names a name key with " kommun" or " stad" may stand for:
// "lidköpings kommun" → "lidköpings", "lidköping"; none for other keys.
func baseNames(k string) []string {
	for _, suffix := range []string{" kommun", " stad"} {
		if base, ok := strings.CutSuffix(k, suffix); ok && base != "" {
			if b, ok := strings.CutSuffix(base, "s"); ok && b != "" {
				return []string{base, b}
			}
			return []string{base}
		}
	}
	return nil
}

// composePlaceName composes the letters of Swedish place names that files from macOS may
// hold decomposed (a + combining ring above…).
var composePlaceName = strings.NewReplacer(
	"a\u030a", "å", "a\u0308", "ä", "o\u0308", "ö", "A\u030a", "Å", "A\u0308", "Ä", "O\u0308", "Ö",
	"e\u0301", "é", "E\u0301", "É", "u\u0308", "ü", "U\u0308", "Ü")

// placeKey is a place name as compared: composed, lower case, single spaces. Accents
// stay: Habo (0643) and Håbo (0305) are two municipalities.
func placeKey(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(composePlaceName.Replace(s))), " ")
}

// PoliceEventCategory maps a Police event type to a report category; a type it does
// not know (the Police add some now and then) is annat.
func PoliceEventCategory(eventType string) string {
	if c, ok := policeEventCategories[strings.TrimSpace(eventType)]; ok {
		return c
	}
	return "annat"
}

// policeEventCategories maps the 97 event types of the feed (2022–2026) to report
// categories. Choices that are not obvious:
//   - Rån (robbery) is a theft: inbrott-stold, as Stöld and Inbrott; Åldringsbrott
//     (mostly thefts and frauds at elderly people's homes), Häleri, Hemfridsbrott and
//     Olaga intrång too: someone took or went where they should not.
//   - Traffic accidents (but wildlife collisions) are farlig-korning: the feed places
//     them at the centroid of a municipality or county, so they cannot name a dangerous
//     crossing (farlig-korsning), and the traffic group is where planners look for them.
//   - Explosions, detonations and shootings are violence; Smällar (fireworks thrown
//     about) and Ordningslagen (public order) are stokiga-grupper.
//   - Sexual offences other than rape, indecency, Bombhot and Hets mot folkgrupp are
//     hot-trakasserier; Våldtäkt is vald.
//   - Mordbrand (arson) and Sabotage mot blåljusverksamhet are skadegorelse.
//   - Police activity (Trafikkontroll, Kontroll person/fordon, Polisinsats), accidents at
//     work, fires, missing persons, rescue and the like are annat.
var policeEventCategories = map[string]string{
	// Violence.
	"Misshandel":                         "vald",
	"Misshandel, grov":                   "vald",
	"Bråk":                               "vald",
	"Mord/dråp":                          "vald",
	"Mord/dråp, försök":                  "vald",
	"Våld/hot mot tjänsteman":            "vald",
	"Knivlagen":                          "vald",
	"Vapenlagen":                         "vald",
	"Skottlossning":                      "vald",
	"Skottlossning, misstänkt":           "vald",
	"Explosion":                          "vald",
	"Detonation":                         "vald",
	"Våldtäkt":                           "vald",
	"Våldtäkt, försök":                   "vald",
	"Larm Överfall":                      "vald",
	"Olaga frihetsberövande/människorov": "vald",

	// Burglary and theft.
	"Stöld":                         "inbrott-stold",
	"Stöld, försök":                 "inbrott-stold",
	"Stöld/inbrott":                 "inbrott-stold",
	"Inbrott":                       "inbrott-stold",
	"Inbrott, försök":               "inbrott-stold",
	"Larm Inbrott":                  "inbrott-stold",
	"Rån":                           "inbrott-stold",
	"Rån, försök":                   "inbrott-stold",
	"Rån väpnat":                    "inbrott-stold",
	"Rån övrigt":                    "inbrott-stold",
	"Motorfordon, stöld":            "inbrott-stold",
	"Motorfordon, anträffat stulet": "inbrott-stold",
	"Häleri":                        "inbrott-stold",
	"Åldringsbrott":                 "inbrott-stold",
	"Hemfridsbrott":                 "inbrott-stold",
	"Olaga intrång":                 "inbrott-stold",

	// Vandalism.
	"Skadegörelse":                   "skadegorelse",
	"Mordbrand":                      "skadegorelse",
	"Sabotage mot blåljusverksamhet": "skadegorelse",

	// Drugs and alcohol.
	"Narkotikabrott": "narkotika",
	"Fylleri/LOB":    "alkohol",
	"Fylleri":        "alkohol",
	"Alkohollagen":   "alkohol",

	// Threats and harassment.
	"Olaga hot":            "hot-trakasserier",
	"Ofredande/förargelse": "hot-trakasserier",
	"Sexualbrott":          "hot-trakasserier",
	"Sedlighetsbrott":      "hot-trakasserier",
	"Bombhot":              "hot-trakasserier",
	"Hets mot folkgrupp":   "hot-trakasserier",

	// Disorder.
	"Ordningslagen": "stokiga-grupper",
	"Smällar":       "stokiga-grupper",

	// Traffic.
	"Rattfylleri":                 "farlig-korning",
	"Trafikbrott":                 "farlig-korning",
	"Olovlig körning":             "farlig-korning",
	"Trafikolycka":                "farlig-korning",
	"Trafikolycka, personskada":   "farlig-korning",
	"Trafikolycka, singel":        "farlig-korning",
	"Trafikolycka, smitning från": "farlig-korning",
	"Trafikolycka, vilt":          "annat",
	"Trafikkontroll":              "annat",
	"Trafikhinder":                "annat",
	"Kontroll person/fordon":      "annat",
	"Kontroll":                    "annat",

	// Everything else.
	"Brand":                       "annat",
	"Brand automatlarm":           "annat",
	"Övrigt":                      "annat",
	"Arbetsplatsolycka":           "annat",
	"Försvunnen person":           "annat",
	"Bedrägeri":                   "annat",
	"Farligt föremål, misstänkt":  "annat",
	"Fjällräddning":               "annat",
	"Djur":                        "annat",
	"Räddningsinsats":             "annat",
	"Anträffad död":               "annat",
	"Information":                 "annat",
	"Polisinsats/kommendering":    "annat",
	"Vållande till kroppsskada":   "annat",
	"Uppdatering":                 "annat",
	"Sjukdom/olycksfall":          "annat",
	"Skyddslagen":                 "annat",
	"Anträffat gods":              "annat",
	"Efterlyst person":            "annat",
	"Sjölagen":                    "annat",
	"Miljöbrott":                  "annat",
	"Luftfartslagen":              "annat",
	"Utlänningslagen":             "annat",
	"Missbruk av urkund":          "annat",
	"Ekobrott":                    "annat",
	"Lagen om hundar och katter":  "annat",
	"Varningslarm/haveri":         "annat",
	"Förfalskningsbrott":          "annat",
	"Spridning smitta/kemikalier": "annat",
	"Upphittat föremål":           "annat",
}

// policeTypeError is the refusal of an element whose member has the wrong JSON type.
func policeTypeError(i int, id *int64, e *json.UnmarshalTypeError) EventError {
	ee := EventError{Index: i, Field: e.Field}
	if id != nil && e.Field != "id" {
		ee.ID = *id
	}
	want := map[string]string{"id": "a number", "datetime": "a text", "type": "a text", "name": "a text",
		"summary": "a text", "url": "a text", "location": "an object", "location.name": "a text", "location.gps": "a text"}[e.Field]
	switch {
	case e.Field == "":
		ee.Reason = fmt.Sprintf("is a JSON %s, not an event object", e.Value)
	case want == "":
		ee.Reason = fmt.Sprintf("%s is a JSON %s, not a %s", e.Field, e.Value, e.Type)
	case e.Field == "id" && strings.HasPrefix(e.Value, "number"):
		ee.Reason = fmt.Sprintf("id %s is not a whole number", strings.TrimPrefix(e.Value, "number "))
	default:
		ee.Reason = fmt.Sprintf("%s is a JSON %s, not %s", e.Field, e.Value, want)
	}
	return ee
}

// jsonTopError is a JSON error outside any element.
func jsonTopError(err error, where string) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("invalid JSON %s: %w", where, err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("the file ends %s: is it cut short?", where)
	}
	return err
}

func jsonTokenName(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return "an object (the events are an array: [{…}, {…}])"
		}
		return string(v)
	case string:
		return fmt.Sprintf("the text %q", abbreviate(v, 20))
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}

// jsonPosition says where a byte offset of r is: "at line L, column C" when r can be read
// again from the start (a file), else "at byte N". With next, it is where the next
// value after offset starts (past spaces and a comma).
func jsonPosition(r io.Reader, offset int64, next bool) string {
	rs, ok := r.(io.ReadSeeker)
	if !ok {
		return fmt.Sprintf("at byte %d", offset)
	}
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return fmt.Sprintf("at byte %d", offset)
	}
	line, col := 1, 1
	br := bufio.NewReader(rs)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3) //nolint:errcheck // peeked
		offset -= 3
	}
	for i := int64(0); ; i++ {
		b, err := br.ReadByte()
		if err != nil || i >= offset && (!next || !(b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == ',')) {
			break
		}
		switch {
		case b == '\n':
			line, col = line+1, 1
		case b&0xC0 != 0x80: // not a UTF-8 continuation byte
			col++
		}
	}
	return fmt.Sprintf("at line %d, column %d", line, col)
}

// syntaxPosition says where the syntax error of an element read from offset start (of
// the decoder, after skip bytes) is. Errors between values (a missing comma) carry the
// decoder's offset; errors inside a value count only the bytes the decoder's scanner
// saw, so the value is read again on its own to find the place.
func syntaxPosition(r io.Reader, skip, start int64, syn *json.SyntaxError) string {
	if strings.HasPrefix(syn.Error(), "expected ") {
		return jsonPosition(r, skip+syn.Offset, false)
	}
	rs, ok := r.(io.ReadSeeker)
	if !ok {
		return "in it"
	}
	at, err := nextValue(rs, skip+start)
	if err != nil {
		return "in it"
	}
	var raw json.RawMessage
	var again *json.SyntaxError
	if err := json.NewDecoder(rs).Decode(&raw); !errors.As(err, &again) {
		return jsonPosition(r, at, false)
	}
	return jsonPosition(r, at+again.Offset-1, false)
}

// nextValue seeks rs to where the next value after offset starts (past spaces and a
// comma) and returns that offset.
func nextValue(rs io.ReadSeeker, offset int64) (int64, error) {
	if _, err := rs.Seek(offset, io.SeekStart); err != nil {
		return 0, err
	}
	br := bufio.NewReader(rs)
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		if b != ' ' && b != '\t' && b != '\r' && b != '\n' && b != ',' {
			break
		}
		offset++
	}
	_, err := rs.Seek(offset, io.SeekStart)
	return offset, err
}

// byteCounter counts the bytes read through it.
type byteCounter struct {
	r io.Reader
	n int64
}

func (c *byteCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// updateBytes prints "reading P% (N events)" at about every tenth of a file's bytes.
func (p *progress) updateBytes(read, size int64, events int) {
	if p == nil || p.w == nil || size <= 0 {
		return
	}
	pct := int(min(read*100/size, 100))
	if pct/10 > p.last/10 {
		p.last = pct
		fmt.Fprintf(p.w, "reading %d%% (%d events)\n", pct, events)
	}
}
