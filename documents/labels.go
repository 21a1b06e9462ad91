package documents

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/trygg-gis/trygg"
)

// Labels turns the codes of the documents into Swedish words: categories from the
// store's list, everything else from the tables below. A code without a label shows as
// itself.
type Labels struct {
	Categories map[string]string
}

// NewLabels takes the categories' Swedish labels.
func NewLabels(cats []trygg.Category) Labels {
	l := Labels{Categories: map[string]string{}}
	for _, c := range cats {
		l.Categories[c.Code] = c.LabelSV
	}
	return l
}

var (
	sourceSV = map[string]string{"resident": "Invånare", "walk": "Trygghetsvandring", "dialogue": "Medborgardialog",
		"est": "EST", "police": "Polisen", "police-event": "Polisens händelser", "survey": "Enkät"}
	timeSV = map[string]string{"day": "Dag (06–18)", "evening": "Kväll (18–22)", "night": "Natt (22–06)",
		"weekday": "Vardag", "weekend": "Helg", "unknown": "Okänd tid"}
	estSV = map[string]string{"skadegorelse": "Skadegörelse", "klotter": "Klotter", "nedskrapning": "Nedskräpning",
		"stokiga-grupper": "Stökiga grupper", "narkotika": "Narkotika", "farlig-korning": "Farlig körning", "vald": "Våld",
		"inbrott-stold": "Inbrott och stöld", "mot-personal": "Mot personal", "annat": "Annat"}
	focusSV = map[string]string{"traffic": "Trafik", "drugs": "Narkotika", "unsafe-places": "Otrygga platser",
		"relationship-violence": "Våld i nära relation", "vandalism": "Skadegörelse", "youth": "Unga", "": "Utan fokusområde"}
	kindSV = map[string]string{"foot-patrol": "Fotpatrull", "traffic-control": "Trafikkontroll",
		"vehicle-inspection": "Fordonskontroll", "drug-intervention": "Narkotikainsats", "school-visit": "Skolbesök",
		"youth-centre-visit": "Besök på fritidsgård", "safety-walk": "Trygghetsvandring", "dialogue-meeting": "Medborgardialog",
		"camera-surveillance": "Kamerabevakning", "lighting": "Belysning", "information-campaign": "Informationskampanj",
		"concern-talk": "Orosamtal", "meeting": "Möte", "other": "Annat", "neighbourhood-watch": "Grannsamverkan"}
	partySV  = map[string]string{"police": "Polisen", "municipality": "Kommunen", "joint": "Gemensamt", "other": "Annan part"}
	actionSV = map[string]string{"open": "Ej påbörjad", "in_progress": "Pågår", "done": "Klar", "rejected": "Avslagen"}
	walkSV   = map[string]string{"planned": "Planerad", "done": "Genomförd", "followed-up": "Uppföljd"}
	cameraSV = map[string]string{"proposed": "Föreslagen", "assessed": "Bedömd", "approved": "Beslutad",
		"installed": "Installerad", "active": "I drift", "decommissioned": "Avvecklad"}
	placeTypeSV = map[string]string{"school": "Skola", "travel-centre": "Resecentrum", "square": "Torg", "street": "Gata",
		"park": "Park", "parking": "Parkering", "public-transport": "Kollektivtrafik", "shop": "Butik", "sports": "Idrott",
		"residential": "Bostadsområde", "other": "Annat"}
	operatorSV = map[string]string{"municipality": "Kommunen", "police": "Polisen", "property-owner": "Fastighetsägare", "other": "Annan"}
	progressSV = map[string]string{"not-started": "Ej påbörjad", "on-track": "I fas", "behind": "Efter plan", "done": "Klar",
		"met": "Uppfyllt", "not-met": "Ej uppfyllt"}
	trendSV   = map[string]string{"up": "ökande", "down": "minskande", "none": "ingen tydlig trend", "same": "oförändrad"}
	weekdaySV = []string{"", "mån", "tis", "ons", "tor", "fre", "lör", "sön"}
)

func label(m map[string]string, code string) string {
	if s, ok := m[code]; ok {
		return s
	}
	return code
}

// Label is the Swedish word for a code of a kind: category, source, time, est, focus,
// kind, party, action, walk, camera, place_type, operator, progress, trend.
func (l Labels) Label(kind, code string) string {
	switch kind {
	case "category":
		return label(l.Categories, code)
	case "source":
		return label(sourceSV, code)
	case "time":
		return label(timeSV, code)
	case "est":
		return label(estSV, code)
	case "focus":
		return label(focusSV, code)
	case "kind":
		return label(kindSV, code)
	case "party":
		return label(partySV, code)
	case "action":
		return label(actionSV, code)
	case "walk":
		return label(walkSV, code)
	case "camera":
		return label(cameraSV, code)
	case "place_type":
		return label(placeTypeSV, code)
	case "operator":
		return label(operatorSV, code)
	case "progress":
		return label(progressSV, code)
	case "trend":
		return label(trendSV, code)
	}
	return code
}

// date is a day as ÅÅÅÅ-MM-DD, "–" for none.
func date(d *trygg.Date) string {
	if d == nil || d.IsZero() {
		return "–"
	}
	return d.Format("2006-01-02")
}

// pct formats a percentage change with a decimal comma and a sign; "–" without one.
func pct(p *float64) string {
	if p == nil {
		return "–"
	}
	s := strconv.FormatFloat(*p, 'f', -1, 64)
	s = strings.Replace(s, ".", ",", 1)
	if *p > 0 {
		s = "+" + s
	} else if *p < 0 {
		s = "−" + strings.TrimPrefix(s, "-")
	}
	return s + " %"
}

// hours lists peak hours as "22, 23, 21".
func hours(hs []int) string {
	if len(hs) == 0 {
		return "–"
	}
	parts := make([]string, 0, 3)
	for i, h := range hs {
		if i == 3 {
			break
		}
		parts = append(parts, fmt.Sprintf("%02d", h))
	}
	return strings.Join(parts, ", ")
}

// weekdays lists peak weekdays as "fre, lör".
func weekdays(ds []int) string {
	if len(ds) == 0 {
		return "–"
	}
	parts := make([]string, 0, 3)
	for i, d := range ds {
		if i == 3 {
			break
		}
		if d >= 1 && d <= 7 {
			parts = append(parts, weekdaySV[d])
		}
	}
	return strings.Join(parts, ", ")
}

// target is a commitment's progress as "36 av 40" or "klar"/"ej klar".
func target(p trygg.Progress) string {
	if p.Target == nil {
		if p.Done {
			return "klar"
		}
		return "ej klar"
	}
	return fmt.Sprintf("%d av %d (takt: %d)", p.Achieved, *p.Target, p.ExpectedByNow)
}
