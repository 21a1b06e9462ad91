package demo

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/csv"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/hotspot"
	"github.com/trygg-gis/trygg/importer"
	"github.com/trygg-gis/trygg/patrol"
	"github.com/trygg-gis/trygg/postgis"
)

// The living demo (LoadLiving): what the five municipalities look like in use, dated
// relative to now, so the map, hotspots, follow-ups, walks, dialogues, EST, cameras
// and patrol plans show something on first start. Everything comes from one PCG seed
// and fixed ids (DemoID), so two loads with the same now are the same.
//
// Resident reports follow real point patterns: street-level crime of August 2021 in
// five English town centres (data.police.uk, crime_uk_centres.csv), each moved onto a
// Swedish town centre and scaled (points outside the municipality are dropped), so
// their hotspots are real clusters. Police events are the real ones of the five towns
// (polisen_demo_events.json). See ATTRIBUTION.md.

//go:embed crime_uk_centres.csv
var crimeCentres []byte

//go:embed polisen_demo_events.json
var policeEvents []byte

// LivingActor is the actor of everything LoadLiving writes: its audit entries and
// report histories name it, and a reset deletes by it.
const LivingActor = "demo:living"

// LivingSeed is the seed of the living demo's generator (and of its patrol plans).
const LivingSeed = 1704

// LivingStore is what loading the living demo needs of the store; WithAnalyses makes
// one of a *postgis.DB.
type LivingStore interface {
	PromiseStore
	importer.PoliceEventStore
	CheckReportPlaces(ctx context.Context, places []orb.Geometry) ([]trygg.Rejection, error)
	ImportReports(ctx context.Context, rs []trygg.Report, gridM float64, actor string, progress func(done, total int)) (trygg.ImportSummary, error)
	CreateWalk(ctx context.Context, w trygg.Walk) (trygg.Walk, error)
	AddObservations(ctx context.Context, walkID string, obs []trygg.Report) ([]string, []trygg.Rejection, error)
	CreateAction(ctx context.Context, a trygg.Action) (trygg.Action, error)
	CreateDialogue(ctx context.Context, d trygg.Dialogue) (trygg.Dialogue, error)
	AddDialoguePlaces(ctx context.Context, dialogueID string, places []trygg.Report, snapM float64) ([]trygg.Report, []trygg.Rejection, error)
	AddESTIncidents(ctx context.Context, incs []trygg.ESTIncident, snapM float64) ([]trygg.ESTIncident, []trygg.Rejection, error)
	CreateCamera(ctx context.Context, c trygg.Camera) (trygg.Camera, error)
	TransitionCamera(ctx context.Context, id, to string, today trygg.Date) (trygg.Camera, error)
	AddActivity(ctx context.Context, a *trygg.Activity) error
	RecordPatrolVisit(ctx context.Context, planID string, seq int, arrived, departed time.Time, activityID string) (postgis.PatrolStop, error)
	HotspotRun(ctx context.Context, id string) (postgis.HotspotRun, error)
	DeleteByActor(ctx context.Context, actor string, promiseIDs []string) (int64, error)
	Categories(ctx context.Context) ([]trygg.Category, error)
	// PlanPatrol plans and saves a patrol (patrol.Plan).
	PlanPatrol(ctx context.Context, p patrol.Params, now time.Time) (*postgis.PatrolPlan, error)
	// SaveAnalysis analyses and saves a run (hotspot.SaveRun).
	SaveAnalysis(ctx context.Context, q trygg.HotspotQuery, name, id string) (*postgis.HotspotRun, error)
}

// analyses is a *postgis.DB with the analyses of packages patrol and hotspot.
type analyses struct{ *postgis.DB }

func (a analyses) PlanPatrol(ctx context.Context, p patrol.Params, now time.Time) (*postgis.PatrolPlan, error) {
	return patrol.Plan(ctx, a.DB, p, now)
}

func (a analyses) SaveAnalysis(ctx context.Context, q trygg.HotspotQuery, name, id string) (*postgis.HotspotRun, error) {
	return hotspot.SaveRun(ctx, a.DB, q, name, id)
}

// WithAnalyses is db as a LivingStore.
func WithAnalyses(db *postgis.DB) LivingStore { return analyses{db} }

// LivingOptions tune LoadLiving.
type LivingOptions struct {
	// Reset deletes the living data first (everything written as LivingActor and the
	// current promises) and loads it again, dated from now.
	Reset bool
}

// town is a demo municipality's centre and how its living data is made.
type town struct {
	code, key, name string
	centre          orb.Point // the town centre (torget), approximate
	area            string    // the English town centre whose pattern it gets
	scale           float64   // metres here per metre there
	reports         int       // resident reports asked for (some fall outside)
	walkRoute       orb.LineString
	orgID           string
}

func towns() []town {
	return []town{
		{code: "1470", key: "vara", name: "Vara", centre: orb.Point{12.9555, 58.2615}, area: "basingstoke", scale: 0.55, reports: 380,
			walkRoute: varaCentrum},
		{code: "0685", key: "vetlanda", name: "Vetlanda", centre: orb.Point{15.0790, 57.4280}, area: "canterbury", scale: 0.6, reports: 420,
			walkRoute: vetlandaStorgata},
		{code: "1383", key: "varberg", name: "Varberg", centre: orb.Point{12.2620, 57.1080}, area: "southampton", scale: 0.75, reports: 620,
			walkRoute: orb.LineString{{12.2590, 57.1065}, {12.2615, 57.1080}, {12.2645, 57.1100}, {12.2685, 57.1120}}},
		{code: "1494", key: "lidkoping", name: "Lidköping", centre: orb.Point{13.1580, 58.5040}, area: "maidstone", scale: 0.6, reports: 520,
			walkRoute: lidkopingStrak},
		{code: "1493", key: "mariestad", name: "Mariestad", centre: orb.Point{13.8245, 58.7085}, area: "liverpool", scale: 0.5, reports: 470,
			walkRoute: mariestadVandring},
	}
}

// LoadLiving writes the living demo dated relative to now, reporting progress to w
// (nil for none). It runs after Load and LoadUsers (EST incidents name the
// municipalities' organisations), as the database's owner. If the living data is
// there already it does nothing, unless opts.Reset: then it deletes it and loads it
// again. A load that stopped halfway is cleaned up before loading.
func LoadLiving(ctx context.Context, store LivingStore, now time.Time, opts LivingOptions, w io.Writer) error {
	if w == nil {
		w = io.Discard
	}
	ctx = trygg.NewContext(ctx, &trygg.Caller{Actor: LivingActor})
	ts := towns()
	marker := DemoID("living/" + ts[len(ts)-1].key + "/hotspot-run")
	if !opts.Reset {
		if _, err := store.HotspotRun(ctx, marker); err == nil {
			fmt.Fprintln(w, "demo: the living demo data is loaded already (trygg demo --reset loads it again)")
			return nil
		} else if trygg.ErrorCode(err) != trygg.ENOTFOUND {
			return fmt.Errorf("demo: living data: %w", err)
		}
	}
	start := time.Now()
	var promiseIDs []string
	for _, t := range ts {
		promiseIDs = append(promiseIDs, DemoID("living/"+t.key+"/promise"))
	}
	deleted, err := store.DeleteByActor(ctx, LivingActor, promiseIDs)
	if err != nil {
		return fmt.Errorf("demo: delete living data: %w", err)
	}
	if deleted > 0 {
		fmt.Fprintf(w, "demo: deleted the living data (%d reports)\n", deleted)
	}
	l := &living{store: store, now: now, w: w}
	l.seed("")
	if l.patterns, err = readPatterns(); err != nil {
		return err
	}
	if l.cats, err = store.Categories(ctx); err != nil {
		return err
	}

	// The gazetteer (named places of the towns) goes here when it is merged:
	// LoadGazetteer(ctx, store, w) before the living data, which may name its places.

	steps := []struct {
		name string
		fn   func(context.Context, town) error
	}{
		{"promise", l.promise}, {"reports", l.reports}, {"walks", l.walks}, {"dialogue", l.dialogue},
		{"EST", l.est}, {"cameras", l.camera},
	}
	for _, t := range ts {
		for _, s := range steps {
			l.seed(t.key + "/" + s.name) // each step its own stream: reports do not move when a now adds activities
			if err := s.fn(ctx, t); err != nil {
				return fmt.Errorf("demo: %s %s: %w", t.name, s.name, err)
			}
		}
	}
	if err := l.police(ctx); err != nil {
		return fmt.Errorf("demo: police events: %w", err)
	}
	// Analyses last: they read the reports; the last run is the marker of a whole load.
	for _, t := range ts {
		if err := l.patrol(ctx, t); err != nil {
			return fmt.Errorf("demo: %s patrol: %w", t.name, err)
		}
		if err := l.hotspots(ctx, t); err != nil {
			return fmt.Errorf("demo: %s hotspots: %w", t.name, err)
		}
	}
	fmt.Fprintf(w, "demo: living data in %.1f s: %s\n", time.Since(start).Seconds(), l.counts())
	return nil
}

// seed starts the generator's stream of a step: LivingSeed and the step's name.
func (l *living) seed(name string) {
	h := fnv.New64a()
	h.Write([]byte(name)) //nolint:errcheck // a hash does not fail
	l.rng = rand.New(rand.NewPCG(LivingSeed, h.Sum64()))
}

// living is one load's state.
type living struct {
	store    LivingStore
	now      time.Time
	rng      *rand.Rand
	w        io.Writer
	patterns map[string][]crimePoint
	cats     []trygg.Category

	commitments map[string]map[string]string // municipality → activity kind → current commitment id

	nReports, nObservations, nActions, nWalks, nDialoguePlaces, nEST, nCameras, nPlans, nVisits, nRuns, nHot, nPolice, nPromiseActs int
}

func (l *living) counts() string {
	return fmt.Sprintf("%d reports, %d police events, %d walks with %d observations and %d actions, %d dialogue places, "+
		"%d EST incidents, %d cameras, %d current promises with %d activities, %d patrol plans with %d visits, "+
		"%d public hotspot runs with %d hot areas",
		l.nReports, l.nPolice, l.nWalks, l.nObservations, l.nActions, l.nDialoguePlaces, l.nEST, l.nCameras,
		5, l.nPromiseActs, l.nPlans, l.nVisits, l.nRuns, l.nHot)
}

// crimePoint is a point of an English town centre's pattern: metres east and north of
// the pattern's mean, and its crime type.
type crimePoint struct {
	dx, dy float64
	kind   string
}

func readPatterns() (map[string][]crimePoint, error) {
	recs, err := csv.NewReader(bytes.NewReader(crimeCentres)).ReadAll()
	if err != nil || len(recs) < 2 {
		return nil, fmt.Errorf("demo: crime_uk_centres.csv: %v", err)
	}
	type ll struct {
		lon, lat float64
		kind     string
	}
	byArea := map[string][]ll{}
	for _, r := range recs[1:] {
		lon, err1 := strconv.ParseFloat(r[2], 64)
		lat, err2 := strconv.ParseFloat(r[3], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("demo: crime_uk_centres.csv: bad position %q %q", r[2], r[3])
		}
		byArea[r[0]] = append(byArea[r[0]], ll{lon, lat, r[4]})
	}
	out := map[string][]crimePoint{}
	for area, ps := range byArea {
		var mlon, mlat float64
		for _, p := range ps {
			mlon += p.lon
			mlat += p.lat
		}
		mlon, mlat = mlon/float64(len(ps)), mlat/float64(len(ps))
		k := math.Cos(mlat * math.Pi / 180)
		for _, p := range ps {
			out[area] = append(out[area], crimePoint{dx: (p.lon - mlon) * 111320 * k, dy: (p.lat - mlat) * 110540, kind: p.kind})
		}
	}
	return out, nil
}

// offset is the point dx metres east and dy north of c.
func offset(c orb.Point, dx, dy float64) orb.Point {
	return orb.Point{round6(c[0] + dx/(111320*math.Cos(c[1]*math.Pi/180))), round6(c[1] + dy/110540)}
}

func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// categoryOf is the report category a crime type becomes, with the feeling it
// usually comes with.
func (l *living) categoryOf(kind string) (string, int) {
	pick := func(cs ...string) string { return cs[l.rng.IntN(len(cs))] }
	switch kind {
	case "Violence and sexual offences", "Robbery", "Possession of weapons":
		return pick("vald", "hot-trakasserier", "vald"), 1 + l.rng.IntN(2)
	case "Anti-social behaviour", "Public order":
		return pick("stokiga-grupper", "alkohol", "hot-trakasserier", "stokiga-grupper"), 1 + l.rng.IntN(3)
	case "Drugs":
		return "narkotika", 1 + l.rng.IntN(2)
	case "Criminal damage and arson":
		return pick("skadegorelse", "klotter"), 2 + l.rng.IntN(2)
	case "Burglary", "Bicycle theft", "Vehicle crime", "Shoplifting", "Theft from the person", "Other theft":
		return "inbrott-stold", 2 + l.rng.IntN(2)
	}
	return pick("annat", "ode-plats", "belysning"), 2 + l.rng.IntN(2)
}

var descriptions = map[string][]string{
	"vald":             {"Bråk och slagsmål utanför krogen på helgerna.", "Blev knuffad och hotad här en kväll.", "Har sett misshandel här flera gånger."},
	"hot-trakasserier": {"Blir ofta tillropad när jag går förbi.", "Känner mig förföljd på väg hem.", "Gäng som trakasserar förbipasserande."},
	"stokiga-grupper":  {"Stökiga gäng samlas här på kvällarna.", "Ungdomar med mopeder som åker runt och skriker.", "Högljudda grupper vid bänkarna."},
	"alkohol":          {"Folk dricker öppet och blir stökiga.", "Mycket fylla här på fredagar.", "Tomflaskor och berusade personer vid parken."},
	"narkotika":        {"Misstänkt langning bakom butikerna.", "Luktar cannabis och folk står och väntar.", "Sprutor hittade i buskarna."},
	"skadegorelse":     {"Krossade rutor i busskuren igen.", "Sönderslagna cyklar och papperskorgar.", "Skadegörelse på lekplatsen."},
	"klotter":          {"Mycket klotter på väggarna, känns förfallet.", "Nytt klotter varje vecka.", "Klotter i gångtunneln."},
	"inbrott-stold":    {"Cykelstölder vid stationen.", "Bilinbrott på parkeringen.", "Stölder ur förrådet i området."},
	"belysning":        {"Helt mörkt, lamporna är trasiga.", "Dålig belysning längs gångvägen.", "Ingen belysning vid cykelställen."},
	"ode-plats":        {"Öde och mörkt på kvällarna.", "Ingen människa här efter sex.", "Känns ödsligt och långt från allt."},
	"gangvag":          {"Gångvägen är mörk och igenvuxen.", "Smal stig utan insyn.", "Otrygg genväg hem från skolan."},
	"hallplats":        {"Otrygg hållplats sent på kvällen.", "Väntar ensam vid hållplatsen i mörkret.", "Stökigt vid busshållplatsen."},
	"vegetation":       {"Buskarna är så höga att man inte ser något.", "Igenvuxet längs vägen."},
	"annat":            {"Känns otryggt här.", "Har hört om flera incidenter här."},
	"trygg-plats":      {"Bra belysning och mycket folk, känns tryggt.", "Trevligt torg med folk i rörelse."},
	"hastighet":        {"Bilar kör alldeles för fort här.", "Mopeder i hög fart på gångvägen."},
	"farlig-korning":   {"EPA-traktorer som kör vårdslöst.", "Bilar som gasar och driftar på kvällarna."},
}

func (l *living) description(cat string) string {
	ds := descriptions[cat]
	if len(ds) == 0 {
		return ""
	}
	return ds[l.rng.IntN(len(ds))]
}

// day is a day within the last days (1 to days back), at noon Swedish time.
func (l *living) daysAgo(days int) time.Time {
	d := l.now.In(trygg.SwedishTime).AddDate(0, 0, -1-l.rng.IntN(days))
	y, m, dd := d.Date()
	return time.Date(y, m, dd, 12, 0, 0, 0, trygg.SwedishTime)
}

// at is the day d at a time of day people name for a place: near the centre evenings
// and nights more often, elsewhere days.
func (l *living) at(d time.Time, central bool) time.Time {
	var h int
	r := l.rng.Float64()
	switch {
	case central && r < 0.45, !central && r < 0.2:
		h = 22 + l.rng.IntN(6) // night, 22–03
	case central && r < 0.8, !central && r < 0.5:
		h = 18 + l.rng.IntN(4)
	default:
		h = 7 + l.rng.IntN(11)
	}
	y, m, dd := d.Date()
	return time.Date(y, m, dd, h, l.rng.IntN(60), 0, 0, trygg.SwedishTime)
}

// when is what someone names as the time of a place, and whether they name one.
func (l *living) when(central bool) []string {
	var out []string
	r := l.rng.Float64()
	switch {
	case central && r < 0.5, !central && r < 0.2:
		out = append(out, "night")
		if l.rng.IntN(2) == 0 {
			out = append(out, "evening")
		}
	case central && r < 0.85, !central && r < 0.55:
		out = append(out, "evening")
	default:
		out = append(out, "day")
	}
	switch r := l.rng.Float64(); {
	case central && r < 0.55, !central && r < 0.25:
		out = append(out, "weekend")
	case r < 0.8:
		out = append(out, "weekday")
	}
	w, _ := trygg.NormalizeWhen(out)
	return w
}

// pattern places n points of the town's English pattern on its centre (85 %) and
// spreads the rest over the town (15 %), each with its crime type ("" for the rest).
func (l *living) pattern(t town, n int) ([]orb.Point, []string) {
	ps := l.patterns[t.area]
	pts, kinds := make([]orb.Point, 0, n), make([]string, 0, n)
	for i := 0; i < n; i++ {
		if l.rng.Float64() < 0.85 {
			p := ps[l.rng.IntN(len(ps))]
			pts = append(pts, offset(t.centre, p.dx*t.scale+l.rng.NormFloat64()*8, p.dy*t.scale+l.rng.NormFloat64()*8))
			kinds = append(kinds, p.kind)
			continue
		}
		r, a := 2500*math.Sqrt(l.rng.Float64()), 2*math.Pi*l.rng.Float64()
		pts = append(pts, offset(t.centre, r*math.Cos(a), r*math.Sin(a)))
		kinds = append(kinds, "")
	}
	return pts, kinds
}

// inside keeps the points the store places in a municipality (as ImportReports would).
func (l *living) inside(ctx context.Context, pts []orb.Point) ([]bool, error) {
	gs := make([]orb.Geometry, len(pts))
	for i, p := range pts {
		gs[i] = p
	}
	rej, err := l.store.CheckReportPlaces(ctx, gs)
	if err != nil {
		return nil, err
	}
	ok := make([]bool, len(pts))
	for i := range ok {
		ok[i] = true
	}
	for _, r := range rej {
		ok[r.Index] = false
	}
	return ok, nil
}

func (l *living) reports(ctx context.Context, t town) error {
	pts, kinds := l.pattern(t, t.reports)
	ok, err := l.inside(ctx, pts)
	if err != nil {
		return err
	}
	var rs []trygg.Report
	for i, p := range pts {
		if !ok[i] {
			continue
		}
		central := kinds[i] != ""
		var cat string
		var feeling int
		if central {
			cat, feeling = l.categoryOf(kinds[i])
		} else {
			cats := []string{"belysning", "gangvag", "hallplats", "vegetation", "ode-plats", "hastighet", "farlig-korning", "trygg-plats"}
			cat, feeling = cats[l.rng.IntN(len(cats))], 2+l.rng.IntN(2)
		}
		if cat == "trygg-plats" {
			feeling = 4
		}
		r := trygg.Report{Location: p, Category: cat, Feeling: feeling, Description: l.description(cat),
			Source: trygg.SourceResident, Precision: trygg.PrecisionExact, Status: trygg.StatusPublished}
		r.PublicDescription = trygg.MaskContacts(r.Description)
		d := l.daysAgo(365)
		switch x := l.rng.Float64(); {
		case x < 0.4: // observed at a moment
			o := l.at(d, central)
			r.ObservedAt = &o
			r.When = trygg.ESTTimes(o)
		case x < 0.85: // named times
			r.When = l.when(central)
			r.CreatedAt = d
		default: // no time
			r.When = []string{}
			r.CreatedAt = d
		}
		rs = append(rs, r)
	}
	sum, err := l.store.ImportReports(ctx, rs, 50, LivingActor, nil)
	if err != nil {
		return err
	}
	if len(sum.Rejected) > 0 {
		return fmt.Errorf("%d reports refused: %v", len(sum.Rejected), sum.Rejected[0].Reason)
	}
	l.nReports += sum.Inserted
	return nil
}

// along is a point at share s (0–1) of the route's vertices, moved by up to 30 m.
func (l *living) along(route orb.LineString, s float64) orb.Point {
	f := s * float64(len(route)-1)
	i := min(int(f), len(route)-2)
	u := f - float64(i)
	p := orb.Point{route[i][0] + u*(route[i+1][0]-route[i][0]), route[i][1] + u*(route[i+1][1]-route[i][1])}
	return offset(p, (l.rng.Float64()-0.5)*60, (l.rng.Float64()-0.5)*60)
}

var walkObservations = []struct {
	cat, text string
	feeling   int
}{
	{"belysning", "Trasig belysning, helt mörkt mellan husen.", 1},
	{"vegetation", "Buskage skymmer sikten mot gångvägen.", 2},
	{"skymd-sikt", "Gångtunneln saknar insyn.", 1},
	{"klotter", "Klotter och nedskräpning vid återvinningen.", 2},
	{"hallplats", "Busskuren är mörk och har krossat glas.", 2},
	{"trygg-plats", "Torget känns tryggt med den nya belysningen.", 4},
	{"forfall", "Förfallet plank och trasigt staket.", 2},
	{"gangvag", "Genväg utan belysning som många unga använder.", 1},
}

var walkActions = []struct{ text, owner string }{
	{"Byta armaturer och laga belysningen.", "Tekniska förvaltningen"},
	{"Röja buskage för bättre sikt.", "Park och natur"},
	{"Sanera klotter inom 48 timmar.", "Fastighetsägaren"},
	{"Se över belysning och glas i busskuren.", "Västtrafik"},
}

func (l *living) walks(ctx context.Context, t town) error {
	for k, monthsAgo := range []int{7, 2} {
		d := l.now.In(trygg.SwedishTime).AddDate(0, -monthsAgo, -l.rng.IntN(10))
		y, m, dd := d.Date()
		startsAt := time.Date(y, m, dd, 19, 0, 0, 0, trygg.SwedishTime)
		endsAt := startsAt.Add(110 * time.Minute)
		route := append(orb.LineString(nil), t.walkRoute...)
		times := make([]time.Time, len(route))
		for i := range times {
			times[i] = startsAt.Add(time.Duration(i) * 100 * time.Minute / time.Duration(len(route)-1))
		}
		status := trygg.WalkDone
		if k == 0 {
			status = trygg.WalkFollowedUp
		}
		dark := monthsAgo >= 7 || m >= 10 || m <= 3
		wk, err := l.store.CreateWalk(ctx, trygg.Walk{ID: DemoID(fmt.Sprintf("living/%s/walk/%d", t.key, k+1)),
			Municipality: t.code, Title: fmt.Sprintf("Trygghetsvandring %s centrum %s", t.name, startsAt.Format("2006-01-02")),
			Route: route, RouteTimes: times, StartsAt: &startsAt, EndsAt: &endsAt, Dark: &dark,
			Organisers:   []string{t.name + " kommun", "Polisen"},
			Participants: map[string]int{"boende": 8 + l.rng.IntN(10), "kommunen": 3, "polisen": 2, "fastighetsägare": 2},
			Status:       status, Notes: "Vandring längs stråket genom centrum med boende, kommun, polis och fastighetsägare.",
			CommitmentIDs: l.linked(t.code, trygg.KindSafetyWalk)})
		if err != nil {
			return err
		}
		l.nWalks++
		var obs []trygg.Report
		n := 4 + l.rng.IntN(3)
		for i := 0; i < n; i++ {
			o := walkObservations[l.rng.IntN(len(walkObservations))]
			at := startsAt.Add(time.Duration(i*100/n) * time.Minute)
			obs = append(obs, trygg.Report{Location: l.along(route, float64(i)/float64(n)), Category: o.cat, Feeling: o.feeling,
				Description: o.text, Precision: trygg.PrecisionExact, ObservedAt: &at, When: trygg.ESTTimes(at)})
		}
		ids, rej, err := l.store.AddObservations(ctx, wk.ID, obs)
		if err != nil {
			return err
		}
		if len(rej) > 0 {
			return fmt.Errorf("observation %d: %s", rej[0].Index, rej[0].Reason)
		}
		l.nObservations += len(ids)
		for i, id := range ids[:min(3, len(ids))] {
			a := walkActions[(i+k)%len(walkActions)]
			status := []string{trygg.ActionDone, trygg.ActionInProgress, trygg.ActionOpen}[i]
			if k == 1 && status == trygg.ActionDone {
				status = trygg.ActionInProgress
			}
			due := trygg.Today(startsAt.AddDate(0, 3, 0))
			followUp := trygg.Today(startsAt.AddDate(0, 4, 0))
			act := trygg.Action{ReportID: id, Description: a.text, OwnerText: a.owner, DueOn: &due, Status: status,
				ExpectedEffect: "Platsen upplevs tryggare vid nästa trygghetsvandring.", FollowUpOn: &followUp}
			if strings.Contains(a.text, "belysning") {
				act.CommitmentIDs = l.linked(t.code, trygg.KindLighting) // Lidköping's lighting commitment
			}
			if status == trygg.ActionDone {
				act.Feedback = "Åtgärdat efter vandringen. Tack för att ni var med!"
			}
			if _, err := l.store.CreateAction(ctx, act); err != nil {
				return err
			}
			l.nActions++
		}
		if _, err := l.store.CreateAction(ctx, trygg.Action{WalkID: wk.ID, Description: "Återkoppla till deltagarna på kommunens webbplats.",
			OwnerText: t.name + " kommun", Status: trygg.ActionDone, Feedback: "Protokollet är publicerat."}); err != nil {
			return err
		}
		l.nActions++
	}
	return nil
}

// dialogue: Lidköping's medborgardialog, its conversations as places.
func (l *living) dialogue(ctx context.Context, t town) error {
	if t.code != "1494" {
		return nil
	}
	held := trygg.Today(l.now.AddDate(0, -3, 0))
	d, err := l.store.CreateDialogue(ctx, trygg.Dialogue{ID: DemoID("living/lidkoping/dialogue"), Municipality: t.code,
		Title: "Medborgardialog om trygghet i centrum", HeldOn: held, Place: "Nya stadens torg",
		Format: "Samtal i tält på torget", Conversations: 260,
		Notes:         "Besökare markerade platser där de känner sig otrygga på en karta; en plats per samtal.",
		CommitmentIDs: l.linked(t.code, trygg.KindDialogueMeeting)})
	if err != nil {
		return err
	}
	pts, kinds := l.pattern(t, 300)
	ok, err := l.inside(ctx, pts)
	if err != nil {
		return err
	}
	var places []trygg.Report
	for i, p := range pts {
		if !ok[i] {
			continue
		}
		cat, feeling := l.categoryOf(kinds[i])
		if kinds[i] == "" {
			cat, feeling = []string{"belysning", "gangvag", "hallplats", "ode-plats"}[l.rng.IntN(4)], 2
		}
		created := held.Time
		places = append(places, trygg.Report{Location: p, Category: cat, Feeling: feeling, Description: l.description(cat),
			When: l.when(kinds[i] != ""), CreatedAt: created})
	}
	out, rej, err := l.store.AddDialoguePlaces(ctx, d.ID, places, 50)
	if err != nil {
		return err
	}
	if len(rej) > 0 {
		return fmt.Errorf("place %d: %s", rej[0].Index, rej[0].Reason)
	}
	l.nDialoguePlaces += len(out)
	return nil
}

// est: EST incidents of the last twelve weeks in Vetlanda and Mariestad.
func (l *living) est(ctx context.Context, t town) error {
	if t.code != "0685" && t.code != "1493" {
		return nil
	}
	areas := []string{"Centrum", "Resecentrum", "Skolområdet", "Parken"}
	pts, _ := l.pattern(t, 90)
	ok, err := l.inside(ctx, pts)
	if err != nil {
		return err
	}
	var incs []trygg.ESTIncident
	for i, p := range pts {
		if !ok[i] {
			continue
		}
		at := l.at(l.daysAgo(84), true)
		typ := trygg.ESTTypes[l.rng.IntN(len(trygg.ESTTypes))]
		incs = append(incs, trygg.ESTIncident{Report: trygg.Report{Location: p, ObservedAt: &at,
			Description: "Rapporterad till EST-mötet."}, Type: typ, Area: areas[l.rng.IntN(len(areas))],
			ReportedByOrg: "kommun-" + t.code})
	}
	out, rej, err := l.store.AddESTIncidents(ctx, incs, 50)
	if err != nil {
		return err
	}
	if len(rej) > 0 {
		return fmt.Errorf("incident %d: %s", rej[0].Index, rej[0].Reason)
	}
	l.nEST += len(out)
	return nil
}

func fptr(f float64) *float64 { return &f }

// camera: Vara's camera at Resecentrum, outdoors, decided under today's rules
// (documented weighing and DPIA since 2025-04-01) and in service.
func (l *living) camera(ctx context.Context, t town) error {
	if t.code != "1470" {
		return nil
	}
	decided := trygg.Today(l.now.AddDate(0, -8, 0))
	weighing, dpia, permit := "KS 2025/118: intresseavvägning av behovet mot den personliga integriteten", "KS 2025/119 (konsekvensbedömning)", ""
	if decided.Before(trygg.PermitRegimeEnds.Time) { // a now before the weighing regime: IMY's permit
		weighing, dpia, permit = "", "", "IMY DI-2024-0417"
	}
	review := trygg.Today(l.now.AddDate(1, 0, 0))
	signage := trygg.Today(l.now.AddDate(0, -1, 0))
	c := trygg.Camera{ID: DemoID("living/vara/camera/resecentrum"), Municipality: t.code, Name: "Resecentrum, perrongen",
		Position: orb.Point{12.9491, 58.2627}, HeightM: fptr(4.5), Bearing: fptr(200), FOV: fptr(80), RangeM: fptr(40),
		OperatorKind: trygg.OperatorMunicipality, OperatorName: "Vara kommun",
		Purpose:   "Förebygga och utreda skadegörelse och brott vid resecentrum; öka tryggheten för resenärer.",
		PlaceType: "travel-centre", PublicAccess: true, Indoor: false, Audio: false, RetentionDays: 7,
		SignageChecked: &signage, ReviewOn: &review, DecisionOn: &decided,
		WeighingRef: weighing, DPIARef: dpia, PermitRef: permit,
		CommitmentIDs: l.linked(t.code, trygg.KindCameraSurveillance)}
	if _, err := l.store.CreateCamera(ctx, c); err != nil {
		return err
	}
	today := trygg.Today(l.now)
	for _, to := range []string{trygg.CameraAssessed, trygg.CameraApproved, trygg.CameraInstalled, trygg.CameraActive} {
		if _, err := l.store.TransitionCamera(ctx, c.ID, to, today); err != nil {
			return fmt.Errorf("camera to %s: %w", to, err)
		}
	}
	l.nCameras++
	return nil
}

// police imports the real Police events of the five towns (upserted on their ids).
func (l *living) police(ctx context.Context) error {
	sum, err := importer.PoliceEvents(ctx, l.store, bytes.NewReader(policeEvents),
		importer.PoliceEventOptions{Name: "demo/polisen_demo_events.json"})
	if err != nil {
		return err
	}
	if len(sum.Errors) > 0 {
		return sum.Errors[0]
	}
	l.nPolice = sum.Inserted + sum.Updated + sum.Unchanged
	return nil
}

// patrol plans last evening's patrol in the centre and records its visits.
func (l *living) patrol(ctx context.Context, t town) error {
	d := l.now.In(trygg.SwedishTime).AddDate(0, 0, -1)
	y, m, dd := d.Date()
	start := time.Date(y, m, dd, 18, 0, 0, 0, trygg.SwedishTime)
	p := patrol.Params{Municipality: t.code, ShiftStart: start, ShiftEnd: start.Add(5 * time.Hour), Stops: 4,
		Start: t.centre, Seed: LivingSeed, CommitmentID: l.commitments[t.code][trygg.KindFootPatrol]}
	p.Normalize()
	if err := p.Check(); err != nil {
		return err
	}
	plan, err := l.store.PlanPatrol(ctx, p, l.now)
	if err != nil {
		return err
	}
	l.nPlans++
	for _, s := range plan.Stops {
		a := &trygg.Activity{Municipality: t.code, Kind: trygg.KindFootPatrol, Party: trygg.PartyPolice,
			StartsAt: s.PlannedArrival, DurationMinutes: int(s.PlannedDeparture.Sub(s.PlannedArrival) / time.Minute),
			Geometry: s.Point, PlaceID: s.PlaceID,
			Notes: fmt.Sprintf("Patrullstopp %d (%s) i patrullplan %s.", s.Seq, s.Name, plan.ID)}
		if len(s.Polygon) > 0 {
			a.Geometry = s.Polygon
		}
		if plan.CommitmentID != "" {
			a.CommitmentIDs = []string{plan.CommitmentID}
		}
		if err := l.store.AddActivity(ctx, a); err != nil {
			return err
		}
		if _, err := l.store.RecordPatrolVisit(ctx, plan.ID, s.Seq, s.PlannedArrival, s.PlannedDeparture, a.ID); err != nil {
			return err
		}
		l.nVisits++
	}
	return nil
}

// hotspots saves the municipality's public hotspot run of the last twelve months.
func (l *living) hotspots(ctx context.Context, t town) error {
	// 150 m cells: the town centres' clusters come back as several hot areas, not one
	// blob of the centre (200 m), at half the time of 100 m cells.
	q := trygg.HotspotQuery{Municipality: t.code, Public: true, Period: trygg.PeriodMonth, CellM: 150}
	q.Normalize(l.now)
	if err := q.Check(l.cats); err != nil {
		return err
	}
	run, err := l.store.SaveAnalysis(ctx, q, "Otrygga platser i "+t.name+", senaste året", DemoID("living/"+t.key+"/hotspot-run"))
	if err != nil {
		return err
	}
	l.nRuns++
	l.nHot += len(run.Hotspots)
	return nil
}

// linked is the current promise's commitment of the kind as commitment_ids, or none.
func (l *living) linked(code, kind string) []string {
	if id := l.commitments[code][kind]; id != "" {
		return []string{id}
	}
	return nil
}

// linkedWork is how many pieces of other work (walks, the dialogue, the camera) the
// living demo links to a current commitment of the kind in the town, about: their
// activities are fewer by as many, so the progress stays as planned.
func linkedWork(code, kind string) int {
	switch {
	case kind == trygg.KindSafetyWalk:
		return 2
	case kind == trygg.KindCameraSurveillance && code == "1470", kind == trygg.KindDialogueMeeting && code == "1494":
		return 1
	}
	return 0
}

// currentPeriod is a two-year promise period that today lies well inside: this year
// and the next from July, else last year and this.
func currentPeriod(now time.Time) (trygg.Date, trygg.Date) {
	y, m, _ := now.In(trygg.SwedishTime).Date()
	if m < time.July {
		y--
	}
	return day(fmt.Sprintf("%d-01-01", y)), day(fmt.Sprintf("%d-12-31", y+1))
}

// currentCommitment is a commitment of a current promise with a target.
type currentCommitment struct {
	party, focus, kind, text string
	target                   int
	places                   []trygg.CommitmentPlace
	geoms                    []orb.Geometry
	hour, mins               int
	pace                     float64 // achieved against the expected pace, about 0.6–1.2
	outdoors                 bool
}

func currentCommitments(t town) (string, []string, []currentCommitment) {
	fp := func(text string, target int, pace float64, places ...trygg.CommitmentPlace) currentCommitment {
		var gs []orb.Geometry
		for _, p := range places {
			gs = append(gs, p.Geometry)
		}
		return currentCommitment{party: trygg.PartyPolice, focus: trygg.FocusUnsafePlaces, kind: trygg.KindFootPatrol, text: text,
			target: target, places: places, geoms: gs, hour: 21, mins: 60, pace: pace}
	}
	walk := func(target int, pace float64) currentCommitment {
		return currentCommitment{party: trygg.PartyJoint, focus: trygg.FocusUnsafePlaces, kind: trygg.KindSafetyWalk,
			text:   "Genomföra trygghetsvandringar med boende, fastighetsägare och föreningar, med återkoppling av åtgärderna.",
			target: target, geoms: []orb.Geometry{t.walkRoute}, hour: 19, mins: 120, pace: pace}
	}
	dialogue := func(target int, pace float64) currentCommitment {
		return currentCommitment{party: trygg.PartyJoint, kind: trygg.KindDialogueMeeting,
			text: "Hålla medborgardialoger om tryggheten, på plats och digitalt.", target: target, hour: 18, mins: 90, pace: pace}
	}
	traffic := func(target int, pace float64, text string) currentCommitment {
		return currentCommitment{party: trygg.PartyPolice, focus: trygg.FocusTraffic, kind: trygg.KindTrafficControl,
			text: text, target: target, geoms: []orb.Geometry{t.centre}, hour: 16, mins: 120, pace: pace}
	}
	switch t.code {
	case "1470":
		return "Vara", []string{trygg.FocusUnsafePlaces, trygg.FocusTraffic, trygg.FocusDrugs}, []currentCommitment{
			fp("Polisen ska fotpatrullera återkommande vid Resecentrum, Stora torget och parken enligt lägesbilden från VEST-mötena.", 48, 0.9,
				at("Resecentrum", varaResecentrum), at("Stora torget", varaTorget), at("Parken vid konserthuset", varaParken)),
			traffic(12, 1.1, "Polisen ska genomföra trafikkontroller med fokus på drogpåverkade förare och hastighet."),
			{party: trygg.PartyMunicipality, focus: trygg.FocusUnsafePlaces, kind: trygg.KindCameraSurveillance,
				text:   "Kommunen ska kameraövervaka Resecentrum, endast utomhus, och följa upp effekten på tryggheten.",
				target: 2, places: []trygg.CommitmentPlace{at("Resecentrum", varaResecentrum)}, geoms: []orb.Geometry{varaResecentrum},
				hour: 10, mins: 60, pace: 1, outdoors: true},
			walk(4, 0.8),
		}
	case "0685":
		return "Vetlanda", []string{trygg.FocusTraffic, trygg.FocusDrugs, trygg.FocusYouth}, []currentCommitment{
			traffic(20, 0.8, "Polisen ska genomföra minst tjugo trafikkontroller med inriktning på trafikbeteenden i centrum."),
			{party: trygg.PartyPolice, focus: trygg.FocusDrugs, kind: trygg.KindDrugIntervention,
				text:   "Polisen ska genomföra minst femton riktade insatser mot narkotikabruk bland unga.",
				target: 15, geoms: []orb.Geometry{vetlandaCentrum}, hour: 20, mins: 180, pace: 0.7},
			fp("Polisen ska fotpatrullera i centrum på kvällar och helger.", 40, 1.0, at("Centrum", vetlandaCentrum), at("Storgatan", vetlandaStorgata)),
			{party: trygg.PartyJoint, kind: trygg.KindMeeting, text: "Kommunen och polisen ska hålla EST-möten varannan vecka.",
				target: 48, hour: 9, mins: 60, pace: 1.0},
		}
	case "1383":
		return "Varbergs", []string{trygg.FocusDrugs, trygg.FocusYouth, trygg.FocusUnsafePlaces}, []currentCommitment{
			{party: trygg.PartyJoint, focus: trygg.FocusDrugs, kind: trygg.KindDrugIntervention,
				text:   "Genomföra riktade insatser för att motverka narkotikalangning till ungdomar.",
				target: 12, geoms: []orb.Geometry{varbergCentrum}, hour: 21, mins: 150, pace: 0.9},
			{party: trygg.PartyPolice, focus: trygg.FocusYouth, kind: trygg.KindYouthCentreVisit,
				text:   "Polisen ska regelbundet besöka skolor och ungdomsgårdar för att bygga relationer med ungdomar.",
				target: 30, places: []trygg.CommitmentPlace{at("Mittpunktens ungdomsgård", varbergMittpunkten)},
				geoms: []orb.Geometry{varbergMittpunkten}, hour: 19, mins: 60, pace: 1.1},
			fp("Polisen ska vara synlig genom fotpatrullering i centrum och vid stationen på helgkvällar.", 50, 0.8,
				at("Centrum", varbergCentrum)),
			walk(3, 0.7),
			traffic(16, 0.9, "Polisen ska genomföra riktade trafikkontroller mot A- och EPA-traktorer och mopeder i centrum och på infarterna."),
		}
	case "1494":
		return "Lidköpings", []string{trygg.FocusUnsafePlaces, trygg.FocusYouth}, []currentCommitment{
			dialogue(6, 1.0),
			fp("Polisen ska fotpatrullera kring Nya stadens torg och stationen på kvällstid.", 45, 0.85,
				at("Nya stadens torg", lidkopingTorg), at("Stationen", lidkopingStation)),
			{party: trygg.PartyMunicipality, focus: trygg.FocusUnsafePlaces, kind: trygg.KindLighting,
				text:   "Kommunen ska förbättra belysningen på minst tio otrygga platser som dialogerna pekat ut.",
				target: 10, places: []trygg.CommitmentPlace{at("Stråket mot stationen", lidkopingStrak)},
				geoms: []orb.Geometry{lidkopingStrak}, hour: 10, mins: 0, pace: 0.6},
			walk(4, 1.0),
		}
	}
	return "Mariestads", []string{trygg.FocusYouth, trygg.FocusVandalism, trygg.FocusUnsafePlaces}, []currentCommitment{
		{party: trygg.PartyJoint, kind: trygg.KindMeeting, text: "Kommunen och polisen ska hålla EST-möten varje vecka och agera på lägesbilden.",
			target: 90, hour: 9, mins: 60, pace: 1.0},
		fp("Polisen ska patrullera mot skadegörelse vid Nya torget och resecentrum.", 40, 0.9,
			at("Nya torget", mariestadTorget), at("Resecentrum", mariestadStation)),
		walk(4, 0.9),
		{party: trygg.PartyJoint, focus: trygg.FocusYouth, kind: trygg.KindSchoolVisit,
			text: "Skola, socialtjänst och polis ska besöka skolorna för tidig upptäckt av unga i riskzon.", target: 20,
			geoms: []orb.Geometry{mariestadCentrum}, hour: 11, mins: 45, pace: 0.75},
		{party: trygg.PartyJoint, focus: trygg.FocusRelationshipViolence, kind: trygg.KindInformation,
			text: "Kommun och polis ska genomföra informationsinsatser mot våld i nära relation och hedersrelaterat våld.", target: 6,
			hour: 12, mins: 180, pace: 0.8},
	}
}

// promise writes the municipality's current promise: a period that today lies inside,
// its commitments and activities done so far, each commitment's between about a
// third and two thirds of its target.
func (l *living) promise(ctx context.Context, t town) error {
	name, focus, cms := currentCommitments(t)
	from, to := currentPeriod(l.now)
	today := trygg.Today(l.now)
	key := "living/" + t.key + "/promise"
	p := trygg.Promise{ID: DemoID(key), Municipality: t.code,
		Title:       fmt.Sprintf("Medborgarlöfte %s kommun %d–%d", name, from.Year(), to.Year()),
		PoliceAreas: policeAreasOf(t.code), PeriodStart: from, PeriodEnd: to, SignedOn: &from,
		FocusAreas: focus, Status: trygg.PromiseActive, Published: true,
		Summary: "Polisen och kommunen lovar gemensamt att arbeta för ökad trygghet på de platser där invånarna " +
			"känner sig otrygga, utifrån lägesbilden från medborgardialoger, EST och invånarnas rapporter i Trygg.",
		Situation: "Lägesbilden bygger på invånarnas rapporter, medborgardialoger, EST-mötena och polisens statistik: " +
			"otryggheten samlas kring centrum och resecentrum på kvällar och nätter, särskilt helger."}
	if l.commitments == nil {
		l.commitments = map[string]map[string]string{}
	}
	l.commitments[t.code] = map[string]string{}
	var acts []trygg.Activity
	share := float64(today.Sub(from.Time)/(24*time.Hour)+1) / float64(to.Sub(from.Time)/(24*time.Hour)+1)
	for i, cc := range cms {
		cm := trygg.Commitment{ID: DemoID(fmt.Sprintf("%s/%d", key, i+1)), Position: i + 1, Party: cc.party,
			FocusArea: cc.focus, ActivityKind: cc.kind, Text: cc.text, Target: count(cc.target), OutdoorsOnly: cc.outdoors}
		for j, pl := range cc.places {
			pl.ID = DemoID(fmt.Sprintf("%s/%d/place/%d", key, i+1, j+1))
			cm.Places = append(cm.Places, pl)
		}
		p.Commitments = append(p.Commitments, cm)
		l.commitments[t.code][cc.kind] = cm.ID
		eff := min(max(share*cc.pace, 0.3), 0.65)
		n := min(max(int(math.Round(float64(cc.target)*eff)), 1), cc.target-1)
		n = max(n-linkedWork(t.code, cc.kind), 0)
		days := int(l.now.Sub(from.Time)/(24*time.Hour)) - 1
		for k := 0; k < n; k++ {
			d := from.AddDate(0, 0, 1+days*k/max(n, 1))
			y, m, dd := d.Date()
			a := trygg.Activity{ID: DemoID(fmt.Sprintf("%s/%d/activity/%d", key, i+1, k+1)), Municipality: t.code,
				Kind: cc.kind, Party: cc.party, StartsAt: time.Date(y, m, dd, cc.hour, l.rng.IntN(60), 0, 0, trygg.SwedishTime),
				DurationMinutes: cc.mins, CommitmentIDs: []string{cm.ID}}
			if a.StartsAt.After(l.now) {
				a.StartsAt = l.now.Add(-24 * time.Hour)
			}
			if len(cc.geoms) > 0 {
				a.Geometry = cc.geoms[k%len(cc.geoms)]
			}
			acts = append(acts, a)
		}
	}
	if err := l.store.LoadPromise(ctx, p, acts); err != nil {
		return err
	}
	l.nPromiseActs += len(acts)
	return nil
}

func policeAreasOf(code string) []string {
	var out []string
	for _, pa := range PoliceAreas {
		for _, c := range pa.MunicipalityCodes {
			if c == code {
				out = append(out, pa.ID)
			}
		}
	}
	return out
}
