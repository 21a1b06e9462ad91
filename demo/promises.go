package demo

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
)

// The five promises of ../shared/seeds with every commitment they contain (the texts
// quoted from the documents), and plausible demo activities and places. The places'
// positions are approximate: demo data, not surveyed. The demo names no hotspot
// places (table place): tests and users name their own. Ids are fixed (UUID v5 of a
// name), so loading again leaves a promise that exists alone.

// PromiseStore is what loading the demo promises needs of the store.
type PromiseStore interface {
	Promise(ctx context.Context, id string) (trygg.Promise, error)
	LoadPromise(ctx context.Context, p trygg.Promise, activities []trygg.Activity) error
}

var demoNS = uuid.MustParse("5b0c7e1e-3f7a-4c1e-9a52-6d2f1c0e7a10")

// DemoID is the fixed id of a demo object by its name ("vetlanda", "vetlanda/2").
func DemoID(name string) string { return uuid.NewSHA1(demoNS, []byte(name)).String() }

func day(s string) trygg.Date {
	d, err := trygg.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func dayPtr(s string) *trygg.Date { d := day(s); return &d }

func count(n int) *int { return &n }

// box is a small polygon around a point, half-sizes in degrees.
func box(lon, lat, dx, dy float64) orb.Polygon {
	return orb.Polygon{{{lon - dx, lat - dy}, {lon + dx, lat - dy}, {lon + dx, lat + dy}, {lon - dx, lat + dy}, {lon - dx, lat - dy}}}
}

// demoCommitment is a commitment with the demo activities that count toward it.
type demoCommitment struct {
	trygg.Commitment
	acts []demoActivities
}

// demoActivities are n activities of a kind spread evenly from from to to, at hour
// (Swedish time), each at the next of places in turn.
type demoActivities struct {
	kind, party string
	n           int
	from, to    string
	hour, mins  int
	places      []orb.Geometry
	notes       string
	days        []trygg.Date // instead of n from … to: these days, each with its note (dayNotes)
	dayNotes    []string
}

type demoPromise struct {
	key string
	trygg.Promise
	commitments []demoCommitment
}

func c(party, focus, kind, text string, target *int, done bool, places []trygg.CommitmentPlace, acts ...demoActivities) demoCommitment {
	return demoCommitment{Commitment: trygg.Commitment{Party: party, FocusArea: focus, ActivityKind: kind, Text: text,
		Target: target, Done: done, Places: places}, acts: acts}
}

func at(name string, g orb.Geometry) trygg.CommitmentPlace {
	return trygg.CommitmentPlace{Name: name, Geometry: g}
}

// Places in the five towns (approximate).
var (
	varaResecentrum = box(12.9493, 58.2625, 0.0015, 0.0008)
	varaTorget      = orb.Point{12.9560, 58.2617}
	varaSkolan      = box(12.9635, 58.2585, 0.0020, 0.0010)
	varaParken      = orb.Point{12.9607, 58.2600}
	varaCentrum     = orb.LineString{{12.9500, 58.2622}, {12.9560, 58.2617}, {12.9607, 58.2600}, {12.9635, 58.2588}}

	vetlandaCentrum  = orb.Point{15.0790, 57.4280}
	vetlandaStorgata = orb.LineString{{15.0720, 57.4290}, {15.0790, 57.4280}, {15.0860, 57.4268}}
	vetlandaInfart   = orb.Point{15.0650, 57.4320}
	vetlandaSoder    = orb.Point{15.0950, 57.4230}

	varbergMittpunkten = box(12.2560, 57.1090, 0.0030, 0.0015)
	varbergCentrum     = orb.Point{12.2502, 57.1057}
	varbergSkola       = orb.Point{12.2640, 57.1120}
	varbergLandsvag    = orb.Point{12.3000, 57.1300}

	lidkopingTorg     = orb.Point{13.1580, 58.5040}
	lidkopingStation  = orb.Point{13.1545, 58.5020}
	lidkopingStrak    = orb.LineString{{13.1500, 58.5060}, {13.1545, 58.5050}, {13.1580, 58.5040}, {13.1620, 58.5030}}
	lidkopingCentrum  = box(13.1575, 58.5040, 0.0040, 0.0020)
	mariestadTorget   = orb.Point{13.8245, 58.7095}
	mariestadStation  = orb.Point{13.8200, 58.7060}
	mariestadCentrum  = box(13.8235, 58.7085, 0.0040, 0.0020)
	mariestadVandring = orb.LineString{{13.8180, 58.7060}, {13.8245, 58.7095}, {13.8300, 58.7110}}
)

func demoPromises() []demoPromise {
	return []demoPromise{
		{key: "vara", Promise: trygg.Promise{Municipality: "1470", Title: "Medborgarlöfte Vara 2021",
			PoliceAreas: []string{"lpo-vastra-skaraborg"}, PeriodStart: day("2021-01-01"), PeriodEnd: day("2021-12-31"),
			SignedOn: dayPtr("2021-04-14"),
			Signatories: []trygg.Signatory{{Name: "Lars Gezelius", Title: "Kommunalråd", Organisation: "Vara kommun"},
				{Name: "Johan Rexhag", Title: "Lokalpolisområdeschef", Organisation: "Lokalpolisområde Västra Skaraborg"}},
			FocusAreas: []string{trygg.FocusTraffic, trygg.FocusUnsafePlaces, trygg.FocusDrugs},
			Summary: "För en ökad upplevd trygghet i Vara kommun ska Polis och kommun i samverkan förebygga och förhindra bruk av " +
				"droger på offentliga platser och i skolmiljö. Vidare ska parterna förhindra och förebygga alkohol, droger och " +
				"kriminalitet i trafiken och på övriga offentliga platser.",
			Situation: "Löftet utgår från en lägesbild som bland annat tagits fram genom medborgardialoger, medarbetardialoger, " +
				"statistik och övrig erfarenhet som finns inom polisen och kommunens egen organisation. Otrygga platser tas fram " +
				"löpande vid VEST-möten.",
			Status: trygg.PromiseEnded, Published: true},
			commitments: []demoCommitment{
				c(trygg.PartyPolice, trygg.FocusUnsafePlaces, trygg.KindFootPatrol,
					"Polisen ska vara synlig genom återkommande fotpatrullering på platser som kan upplevas som otrygga enligt lokalt framtagen lägesbild vid VEST- möten.",
					nil, true, []trygg.CommitmentPlace{at("Resecentrum", varaResecentrum), at("Stora torget", varaTorget), at("Parken vid konserthuset", varaParken)},
					demoActivities{kind: trygg.KindFootPatrol, party: trygg.PartyPolice, n: 12, from: "2021-02-05", to: "2021-12-10", hour: 21, mins: 15,
						places: []orb.Geometry{varaResecentrum, varaTorget, varaParken}, notes: "Fotpatrull vid plats från VEST-mötet."}),
				c(trygg.PartyPolice, trygg.FocusTraffic, trygg.KindTrafficControl,
					"Polisen ska genomföra trafikkontroller med fokus på livsstilskriminella, drogpåverkade förare, hastighet och annat trafikfarligt beteende på platser som upplevs som mindre trygga eller som är brottsutsatta enligt aktuell lägesbild som tas fram vid VEST-möten.",
					nil, true, nil,
					demoActivities{kind: trygg.KindTrafficControl, party: trygg.PartyPolice, n: 6, from: "2021-03-12", to: "2021-11-19", hour: 16, mins: 90,
						places: []orb.Geometry{varaTorget, orb.Point{12.9700, 58.2650}}, notes: "Hastighet och drograttfylleri."}),
				c(trygg.PartyPolice, trygg.FocusYouth, trygg.KindSchoolVisit,
					"Polisen ska spontant och utan förekommen anledning besöka skolor, fritidsgård och miljöer där ungdomar vistas i syfte att skapa goda relationer och trygghet.",
					nil, true, []trygg.CommitmentPlace{at("Skolområdet", varaSkolan)},
					demoActivities{kind: trygg.KindSchoolVisit, party: trygg.PartyPolice, n: 5, from: "2021-02-10", to: "2021-12-01", hour: 11, mins: 45,
						places: []orb.Geometry{varaSkolan}},
					demoActivities{kind: trygg.KindYouthCentreVisit, party: trygg.PartyPolice, n: 3, from: "2021-03-05", to: "2021-10-29", hour: 19, mins: 60,
						places: []orb.Geometry{varaParken}}),
				c(trygg.PartyPolice, trygg.FocusDrugs, trygg.KindDrugIntervention,
					"Polisen ska samverka med socialtjänst, skola och fritid och vid behov på deras initiativ genomföra förebyggande insatser mot användande av droger i exempelvis skolmiljö.",
					nil, true, nil,
					demoActivities{kind: trygg.KindDrugIntervention, party: trygg.PartyPolice, n: 2, from: "2021-05-20", to: "2021-09-15", hour: 14, mins: 120,
						places: []orb.Geometry{varaSkolan}, notes: "På skolans initiativ."}),
				c(trygg.PartyMunicipality, trygg.FocusYouth, trygg.KindConcernTalk,
					"Kommunen ska ha beredskap och resurs för att kunna genomföra orossamtal, förhindra och förebygga utanförskap, fysisk och psykisk ohälsa, våld och missbruk med särskild fokus på ungdomar.",
					nil, true, nil,
					demoActivities{kind: trygg.KindConcernTalk, party: trygg.PartyJoint, n: 4, from: "2021-02-15", to: "2021-11-15", hour: 15, mins: 60}),
				func() demoCommitment {
					cm := c(trygg.PartyMunicipality, trygg.FocusDrugs, trygg.KindOther,
						"Vara kommun ska ha beredskap att stötta medborgare som behöver hjälp att komma ur ett missbruk.",
						nil, true, nil,
						demoActivities{kind: trygg.KindOther, party: trygg.PartyMunicipality, n: 1, from: "2021-03-01", to: "2021-03-01", hour: 10, mins: 60,
							notes: "Socialtjänstens rutin för stöd ur missbruk genomgången; öppen mottagning varje vecka."})
					cm.DoneReason = "Beredskapen finns: socialtjänstens öppna mottagning för stöd ur missbruk har funnits hela året."
					return cm
				}(),
				func() demoCommitment {
					cm := c(trygg.PartyMunicipality, trygg.FocusUnsafePlaces, trygg.KindCameraSurveillance,
						"Kommunen ska vid särskilda behov införa utökad övervakning vid skolor, Resecentrum eller vid andra utsatta platser i syftet att skapa en trygg och säker offentlig miljö för alla. I de fall då kameraövervakning av fastigheter anses nödvändig får detta endast, efter tillståndsprövning, förekomma utomhus.",
						nil, false, []trygg.CommitmentPlace{at("Resecentrum", varaResecentrum), at("Skolområdet", varaSkolan)},
						demoActivities{kind: trygg.KindCameraSurveillance, party: trygg.PartyMunicipality, n: 1, from: "2021-09-14", to: "2021-09-14", hour: 13, mins: 90,
							places: []orb.Geometry{varaResecentrum}, notes: "Behovsbedömning av kamerabevakning vid Resecentrum."})
					cm.OutdoorsOnly = true
					return cm
				}(),
				c(trygg.PartyJoint, trygg.FocusUnsafePlaces, trygg.KindSafetyWalk,
					"Genomföra tätortsvandringar och dialogmöten med tillhörande uppföljning och återkoppling.",
					nil, true, []trygg.CommitmentPlace{at("Vara centrum", varaCentrum)},
					demoActivities{kind: trygg.KindSafetyWalk, party: trygg.PartyJoint, n: 2, from: "2021-04-27", to: "2021-10-12", hour: 19, mins: 120,
						places: []orb.Geometry{varaCentrum}, notes: "Tätortsvandring; återkoppling på kommunens webbplats."},
					demoActivities{kind: trygg.KindDialogueMeeting, party: trygg.PartyJoint, n: 2, from: "2021-05-18", to: "2021-11-23", hour: 18, mins: 90}),
			}},

		{key: "vetlanda", Promise: trygg.Promise{Municipality: "0685", Title: "Medborgarlöfte i Vetlanda kommun 2020–2021",
			PoliceAreas: []string{"lpo-hoglandet"}, PeriodStart: day("2020-01-01"), PeriodEnd: day("2021-12-31"),
			Signatories: []trygg.Signatory{{Name: "Henrik Tvarnö", Title: "Kommunstyrelsens ordförande", Organisation: "Vetlanda kommun"},
				{Name: "Jonas Lindell", Title: "Lokalpolisområdeschef", Organisation: "Lokalpolisområde Höglandet"}},
			FocusAreas: []string{trygg.FocusTraffic, trygg.FocusDrugs, trygg.FocusYouth},
			Summary: "Polisen och kommunen lovar gemensamt att arbeta för att öka trafiksäkerheten genom att motverka felaktiga " +
				"trafikbeteenden, och att öka upptäckten av narkotikabruk, främst hos unga, med syfte att minska bruket av narkotika.",
			Situation: "Erfarenheter från medarbetare, underrättelsebilder, medborgarundersökningen och information som kommer till " +
				"företrädare för Vetlanda kommun visar på att delar av tätorten upplevs som stökiga och otrygga, främst beroende på " +
				"att felaktiga trafikbeteenden förekommer. Det finns tecken på att narkotikaanvändningen ökar bland unga både lokalt och nationellt.",
			Status: trygg.PromiseEnded, Published: true},
			commitments: []demoCommitment{
				c(trygg.PartyJoint, "", trygg.KindMeeting,
					"Kommunen ska tillsammans med Polisen och andra aktörer i kommunen implementera och börja använda den brottsförebyggande arbetsmetoden EST, effektiv samordning för trygghet.",
					nil, true, nil,
					demoActivities{kind: trygg.KindMeeting, party: trygg.PartyJoint, n: 6, from: "2020-03-04", to: "2021-11-24", hour: 9, mins: 60, notes: "EST-möte."}),
				c(trygg.PartyPolice, trygg.FocusTraffic, trygg.KindTrafficControl,
					"Polisen ska genomföra minst femton trafikkontroller med inriktning på trafikbeteenden.",
					count(15), false, []trygg.CommitmentPlace{at("Storgatan", vetlandaStorgata), at("Infarten väst", vetlandaInfart)},
					demoActivities{kind: trygg.KindTrafficControl, party: trygg.PartyPolice, n: 8, from: "2020-02-14", to: "2021-10-22", hour: 17, mins: 120,
						places: []orb.Geometry{vetlandaInfart, vetlandaStorgata, vetlandaSoder}, notes: "Trafikbeteenden: hastighet och mobil."}),
				c(trygg.PartyPolice, trygg.FocusTraffic, trygg.KindVehicleInspection,
					"Polisen ska vid minst femton tillfällen genomföra flygande inspektioner av fordon.",
					count(15), false, nil,
					demoActivities{kind: trygg.KindVehicleInspection, party: trygg.PartyPolice, n: 11, from: "2020-03-10", to: "2021-11-30", hour: 10, mins: 180,
						places: []orb.Geometry{vetlandaSoder, vetlandaInfart}}),
				c(trygg.PartyMunicipality, trygg.FocusTraffic, trygg.KindMeeting,
					"Kommunen ska under perioden presentera minst två hastighetsdämpande eller på annat sätt trafikfrämjande åtgärder för nämnd och/eller fullmäktige.",
					count(2), false, nil,
					demoActivities{kind: trygg.KindMeeting, party: trygg.PartyMunicipality, n: 1, from: "2021-04-20", to: "2021-04-20", hour: 13, mins: 30,
						notes: "Förslag om farthinder på Storgatan presenterat för tekniska nämnden."}),
				c(trygg.PartyPolice, trygg.FocusDrugs, trygg.KindDrugIntervention,
					"Polisen ska genomföra minst femton riktade insatser för att upptäcka fler narkotikabrott bland unga.",
					count(15), false, []trygg.CommitmentPlace{at("Centrum", vetlandaCentrum)},
					demoActivities{kind: trygg.KindDrugIntervention, party: trygg.PartyPolice, n: 15, from: "2020-01-24", to: "2021-12-03", hour: 20, mins: 180,
						places: []orb.Geometry{vetlandaCentrum, vetlandaStorgata}}),
				c(trygg.PartyMunicipality, trygg.FocusYouth, trygg.KindInformation,
					"Kommunen ska genomföra informationsinsatser och sprida nationella kampanjer riktade till föräldrar, syskon, unga vuxna kring årliga risktillfällen såsom skolavslutningar, student, valborg, midsommar, jul och nyår med syfte att motverka langning av alkohol och tobak.",
					nil, true, nil,
					riskCampaigns(2020, 2021)),
				c(trygg.PartyJoint, "", trygg.KindMeeting,
					"Under åren genomföra minst två samverkansmöten om de pågående aktiviteterna.",
					count(2), false, nil,
					demoActivities{kind: trygg.KindMeeting, party: trygg.PartyJoint, n: 2, from: "2020-10-07", to: "2021-09-29", hour: 13, mins: 90,
						notes: "Samverkansmöte om medborgarlöftets aktiviteter."}),
			}},

		{key: "varberg", Promise: trygg.Promise{Municipality: "1383", Title: "Medborgarlöfte Varbergs kommun 2021",
			PoliceAreas: []string{"lpo-varberg"}, OtherParties: []string{"Region Hallands lokala nämnd i Varberg"},
			PeriodStart: day("2021-01-01"), PeriodEnd: day("2021-12-31"), SignedOn: dayPtr("2020-12-18"),
			Signatories: []trygg.Signatory{{Name: "Anders Wiss", Title: "Lokalpolisområdeschef", Organisation: "Lokalpolisområde Varberg"},
				{Name: "Ann-Charlotte Stenkil", Title: "Kommunstyrelsens ordförande", Organisation: "Varbergs kommun"},
				{Name: "Karl-Gunnar Svensson", Title: "Ordförande", Organisation: "Lokal nämnd Varberg"}},
			FocusAreas: []string{trygg.FocusDrugs, trygg.FocusYouth},
			Summary: "Medborgarlöftet år 2021 fokuserar framför allt på att motverka att unga använder narkotika och att förbättra " +
				"vår samverkan för att öka ungas hälsa och trygghet.",
			Situation: "I 2020 års medborgardialoger framkom önskemål om en synlig och mer närvarande polis, aktivt arbete med " +
				"trafikrelaterad problematik samt extra fokus på att stötta ungdomar. I förra årets lägesbild framkom att det bland " +
				"vissa unga finns en liberal syn på narkotika och att det bland föräldrar saknas kunskap och stöd på området; viss " +
				"narkotikahandel sker på nätet. Coronapandemins effekter behöver tas i beaktande.",
			Status: trygg.PromiseEnded, Published: true},
			commitments: []demoCommitment{
				c(trygg.PartyJoint, trygg.FocusDrugs, trygg.KindDrugIntervention,
					"Genomföra riktade insatser för att motverka narkotikalangning till ungdomar.",
					nil, true, []trygg.CommitmentPlace{at("Centrum", varbergCentrum)},
					demoActivities{kind: trygg.KindDrugIntervention, party: trygg.PartyPolice, n: 6, from: "2021-02-19", to: "2021-11-26", hour: 21, mins: 150,
						places: []orb.Geometry{varbergCentrum}}),
				c(trygg.PartyJoint, trygg.FocusDrugs, trygg.KindSchoolVisit,
					"Erbjudna elever i årskurs 8 föreläsning om droger. Polisen har också tagit fram en folder i förebyggande syfte till vårdnadshavare. Skolan delar ut foldern vid föräldramöten.",
					nil, true, nil,
					demoActivities{kind: trygg.KindSchoolVisit, party: trygg.PartyPolice, n: 4, from: "2021-03-02", to: "2021-05-25", hour: 10, mins: 60,
						places: []orb.Geometry{varbergSkola}, notes: "Föreläsning om droger för årskurs 8."}),
				c(trygg.PartyJoint, trygg.FocusDrugs, trygg.KindInformation,
					"Höja kunskapen om dopning genom en digital föreläsning för personal på träningsanläggningar.",
					count(1), false, nil,
					demoActivities{kind: trygg.KindInformation, party: trygg.PartyJoint, n: 1, from: "2021-10-14", to: "2021-10-14", hour: 18, mins: 90,
						notes: "Digital föreläsning om dopning."}),
				c(trygg.PartyJoint, trygg.FocusRelationshipViolence, trygg.KindMeeting,
					"Skapa en arbetsgrupp med inriktningen att förebygga våld i nära relation.",
					nil, true, nil,
					demoActivities{kind: trygg.KindMeeting, party: trygg.PartyJoint, n: 3, from: "2021-02-03", to: "2021-09-08", hour: 13, mins: 120,
						notes: "Arbetsgruppen mot våld i nära relation."}),
				c(trygg.PartyJoint, trygg.FocusYouth, trygg.KindSchoolVisit,
					"Tillse att polisen gör regelbundna skol- och ungdomsgårdsbesök för att bygga relationer med ungdomar.",
					nil, true, []trygg.CommitmentPlace{at("Mittpunktens ungdomsgård", varbergMittpunkten)},
					demoActivities{kind: trygg.KindSchoolVisit, party: trygg.PartyPolice, n: 6, from: "2021-01-20", to: "2021-12-08", hour: 12, mins: 45,
						places: []orb.Geometry{varbergSkola}},
					demoActivities{kind: trygg.KindYouthCentreVisit, party: trygg.PartyPolice, n: 5, from: "2021-02-12", to: "2021-11-19", hour: 19, mins: 60,
						places: []orb.Geometry{varbergMittpunkten}}),
				c(trygg.PartyJoint, trygg.FocusYouth, trygg.KindSafetyWalk,
					"Genomföra en trygghetsvandring med ungdomar i området runt Mittpunktens ungdomsgård i syfte att höra hur ungdomarna uppfattar den omgivande miljön ur ett trygghetsperspektiv. Denna insats kunde inte genomföras i sin helhet 2020, därav en fortsättning 2021.",
					count(1), false, []trygg.CommitmentPlace{at("Området runt Mittpunktens ungdomsgård", varbergMittpunkten)},
					demoActivities{kind: trygg.KindSafetyWalk, party: trygg.PartyJoint, n: 1, from: "2021-09-22", to: "2021-09-22", hour: 18, mins: 120,
						places: []orb.Geometry{orb.LineString{{12.2530, 57.1080}, {12.2560, 57.1095}, {12.2590, 57.1088}}},
						notes:  "Trygghetsvandring med ungdomar från Mittpunkten."}),
				c(trygg.PartyJoint, trygg.FocusTraffic, trygg.KindTrafficControl,
					"Genomföra en insats med fokus på A- och EPA-traktorer i syfte att förebygga trafikbrott.",
					count(1), false, nil,
					demoActivities{kind: trygg.KindTrafficControl, party: trygg.PartyPolice, n: 1, from: "2021-05-07", to: "2021-05-07", hour: 20, mins: 180,
						places: []orb.Geometry{varbergLandsvag}, notes: "Kontroll av A- och EPA-traktorer."}),
			}},

		{key: "lidkoping", Promise: trygg.Promise{Municipality: "1494", Title: "Medborgarlöfte Lidköping 2020",
			PoliceAreas: []string{"lpo-vastra-skaraborg"}, PeriodStart: day("2020-01-01"), PeriodEnd: day("2020-12-31"),
			Signatories: []trygg.Signatory{{Name: "Frida Nilsson", Title: "Förste vice ordförande i kommunstyrelsen", Organisation: "Lidköpings kommun"},
				{Name: "Johan Rexhag", Title: "Lokalpolisområdeschef", Organisation: "Lokalpolisområde Västra Skaraborg"}},
			FocusAreas: []string{trygg.FocusDrugs, trygg.FocusYouth, trygg.FocusUnsafePlaces},
			Summary: "Kommunen och Polisen har gjort en utfästelse gentemot Lidköpingsborna kring hur det trygghets- och " +
				"brottsförebyggande arbetet ska stärkas under året. Löftet som vi hade för 2019 fortsätter under 2020.",
			Situation: "600 samtal med kommuninvånare samt kompletterande interna dialoger inom Polisen och inom kommunen ligger " +
				"till grund för löftet.",
			Status: trygg.PromiseEnded, Published: true},
			commitments: []demoCommitment{
				c(trygg.PartyJoint, trygg.FocusDrugs, trygg.KindDrugIntervention,
					"Som en del av det ska insatser ske för att skolmiljön ska vara helt narkotikafri. Konkret innebär det bland annat att det nu är möjligt att arbeta med förebyggande narkotikasök på kommunens skolor. Sökning sker alltid oanmält, utanför skoltid, och i såväl elevutrymmen som övriga utrymmen.",
					nil, true, nil,
					demoActivities{kind: trygg.KindDrugIntervention, party: trygg.PartyJoint, n: 4, from: "2020-02-20", to: "2020-11-26", hour: 18, mins: 120,
						notes: "Narkotikasök med hund, utanför skoltid."}),
				c(trygg.PartyJoint, trygg.FocusYouth, trygg.KindConcernTalk,
					"Att Polisen får tips är många gånger ett startskott för andra åtgärder såsom att Polisen och kommunens socialtjänst håller gemensamma orossamtal med föräldrar. Dessa samtal är också en del av löftet.",
					nil, true, nil,
					demoActivities{kind: trygg.KindConcernTalk, party: trygg.PartyJoint, n: 5, from: "2020-01-28", to: "2020-12-01", hour: 16, mins: 60}),
				c(trygg.PartyPolice, trygg.FocusUnsafePlaces, trygg.KindFootPatrol,
					"För att stärka tryggheten i centrum och i tätorterna lovar Polisen att ha en fortsatt hög närvaro vid de tidpunkter och platser som medborgarna angett att de upplever som otrygga.",
					nil, false, []trygg.CommitmentPlace{at("Nya stadens torg", lidkopingTorg), at("Stationsområdet", lidkopingStation), at("Centrum", lidkopingCentrum)},
					demoActivities{kind: trygg.KindFootPatrol, party: trygg.PartyPolice, n: 10, from: "2020-01-17", to: "2020-12-18", hour: 22, mins: 60,
						places: []orb.Geometry{lidkopingTorg, lidkopingStation}, notes: "Fredag kväll, platser från medborgarsamtalen."}),
				c(trygg.PartyMunicipality, trygg.FocusUnsafePlaces, trygg.KindLighting,
					"Kommunen lovar att fortsätta sitt arbete med att belysa stråk och mötesplatser för en attraktiv stad.",
					nil, true, []trygg.CommitmentPlace{at("Stråket mot Framnäs", lidkopingStrak)},
					demoActivities{kind: trygg.KindLighting, party: trygg.PartyMunicipality, n: 2, from: "2020-09-15", to: "2020-11-10", hour: 9, mins: 480,
						places: []orb.Geometry{lidkopingStrak}, notes: "Ny belysning längs gång- och cykelväg."}),
				c(trygg.PartyMunicipality, trygg.FocusYouth, trygg.KindOther,
					"Befolkade gator och torg skapar trygghet, därför lovar kommunen att försöka engagera vuxna och då främst föräldrar att vara ute på kvällar och helger.",
					nil, false, nil,
					demoActivities{kind: trygg.KindInformation, party: trygg.PartyMunicipality, n: 2, from: "2020-05-29", to: "2020-08-28", hour: 10, mins: 0,
						notes: "Uppmaning till föräldrar att vara ute på kvällar och helger."}),
			}},

		{key: "mariestad", Promise: trygg.Promise{Municipality: "1493", Title: "Medborgarlöfte Mariestad 2023–2024",
			PoliceAreas: []string{"lpo-ostra-skaraborg"}, PeriodStart: day("2023-01-01"), PeriodEnd: day("2024-12-31"),
			Signatories: []trygg.Signatory{{Name: "Johan Abrahamsson", Title: "Kommunstyrelsens ordförande", Organisation: "Mariestads kommun"},
				{Name: "Jan Hellnevi", Title: "Lokalpolisområdeschef", Organisation: "Lokalpolisområde Östra Skaraborg"}},
			FocusAreas: []string{trygg.FocusYouth, trygg.FocusDrugs, trygg.FocusUnsafePlaces, trygg.FocusVandalism,
				trygg.FocusRelationshipViolence, trygg.FocusTraffic},
			Summary: "Parterna ska tillsammans arbeta med förebyggande insatser, för att öka tryggheten och förhindra ungdomar att " +
				"bli livsstilskriminella. I Mariestad ska invånarna känna sig trygga i sina hem, på offentliga platser och i trafiken.",
			Situation: "Lägesbilden är framtagen genom metoden Effektiv Samordning för Trygghet (EST), dialog med medborgare, " +
				"medarbetare och aktuell statistik. Generellt sett är Mariestadsborna trygga, men kan ibland uppleva otrygghet. " +
				"Våld och utsatthet i nära relationer är ett stort samhällsproblem som måste förebyggas.",
			Status: trygg.PromiseEnded, Published: true},
			commitments: []demoCommitment{
				c(trygg.PartyJoint, trygg.FocusYouth, trygg.KindMeeting,
					"Samverkan mellan skola, socialtjänst och polis kring tidig upptäckt och förebyggande insatser gällande ungas risk att hamna i missbruk och så kallad ”livsstilskriminalitet” ska fortsätta och vidareutvecklas.",
					nil, true, nil,
					demoActivities{kind: trygg.KindMeeting, party: trygg.PartyJoint, n: 8, from: "2023-02-08", to: "2024-11-27", hour: 13, mins: 90,
						notes: "Samverkansmöte skola, socialtjänst och polis."}),
				c(trygg.PartyJoint, trygg.FocusUnsafePlaces, trygg.KindSafetyWalk,
					"Polis och kommun tillsammans ska driva och vidareutveckla det trygghetsfrämjande och brottsförebyggande arbetet genom trygghetsvandringar, erbjudande om grannsamverkan samt samverkansformen Effektiv Samordning för Trygghet (EST).",
					nil, true, []trygg.CommitmentPlace{at("Centrum", mariestadCentrum), at("Resecentrum", mariestadStation)},
					demoActivities{kind: trygg.KindSafetyWalk, party: trygg.PartyJoint, n: 4, from: "2023-04-18", to: "2024-10-15", hour: 19, mins: 120,
						places: []orb.Geometry{mariestadVandring}},
					demoActivities{kind: trygg.KindNeighbourhoodWatch, party: trygg.PartyJoint, n: 3, from: "2023-03-22", to: "2024-09-18", hour: 18, mins: 90,
						notes: "Informationsmöte om grannsamverkan för boende."},
					demoActivities{kind: trygg.KindMeeting, party: trygg.PartyJoint, n: 10, from: "2023-01-11", to: "2024-12-11", hour: 9, mins: 60,
						notes: "EST-möte."}),
				c(trygg.PartyJoint, trygg.FocusVandalism, trygg.KindOther,
					"Parterna gemensamt ska arbeta för att minska skadegörelse.",
					nil, false, []trygg.CommitmentPlace{at("Nya torget", mariestadTorget)},
					demoActivities{kind: trygg.KindFootPatrol, party: trygg.PartyPolice, n: 6, from: "2023-03-03", to: "2024-09-27", hour: 23, mins: 60,
						places: []orb.Geometry{mariestadTorget, mariestadStation}, notes: "Patrull mot skadegörelse."}),
				c(trygg.PartyJoint, trygg.FocusRelationshipViolence, trygg.KindInformation,
					"Kommun och polis gemensamt ska arbeta förebyggande mot våld i nära relation och hedersrelaterat våld.",
					nil, true, nil,
					demoActivities{kind: trygg.KindInformation, party: trygg.PartyJoint, n: 2, from: "2023-11-25", to: "2024-11-25", hour: 12, mins: 180,
						notes: "Informationsinsats under Orange Day."}),
				c(trygg.PartyJoint, trygg.FocusTraffic, trygg.KindTrafficControl,
					"Kommun och polis arbetar med att öka trafiksäkerheten.",
					nil, false, nil,
					demoActivities{kind: trygg.KindTrafficControl, party: trygg.PartyPolice, n: 5, from: "2023-04-14", to: "2024-10-04", hour: 16, mins: 120,
						places: []orb.Geometry{orb.Point{13.8350, 58.7150}}}),
			}},
	}
}

// LoadPromises writes the demo promises that are not stored yet, with their
// commitments, places and activities; a promise that exists is left alone. It
// reports to w (nil for none). Like the municipalities, they are loaded without
// audit entries.
func LoadPromises(ctx context.Context, store PromiseStore, w io.Writer) error {
	if w == nil {
		w = io.Discard
	}
	if trygg.CallerFrom(ctx) == nil {
		ctx = trygg.NewContext(ctx, &trygg.Caller{Actor: "demo"})
	}
	var promises, activities int
	for _, dp := range demoPromises() {
		id := DemoID(dp.key)
		if _, err := store.Promise(ctx, id); err == nil {
			continue
		} else if trygg.ErrorCode(err) != trygg.ENOTFOUND {
			return fmt.Errorf("demo: promise %s: %w", dp.key, err)
		}
		p := dp.Promise
		p.ID = id
		for i, dc := range dp.commitments {
			cm := dc.Commitment
			cm.ID = DemoID(fmt.Sprintf("%s/%d", dp.key, i+1))
			cm.Position = i + 1
			cm.Places = append([]trygg.CommitmentPlace(nil), cm.Places...)
			for j := range cm.Places {
				cm.Places[j].ID = DemoID(fmt.Sprintf("%s/%d/place/%d", dp.key, i+1, j+1))
			}
			p.Commitments = append(p.Commitments, cm)
		}
		var acts []trygg.Activity
		for i, dc := range dp.commitments {
			for k, spec := range dc.acts {
				for n, a := range spec.activities() {
					a.ID = DemoID(fmt.Sprintf("%s/%d/activity/%d/%d", dp.key, i+1, k+1, n+1))
					a.Municipality = p.Municipality
					a.CommitmentIDs = []string{p.Commitments[i].ID}
					acts = append(acts, a)
				}
			}
		}
		if err := store.LoadPromise(ctx, p, acts); err != nil {
			return fmt.Errorf("demo: promise %s: %w", dp.key, err)
		}
		promises++
		activities += len(acts)
	}
	if promises > 0 {
		fmt.Fprintf(w, "demo: %d promises with %d activities\n", promises, activities)
	}
	return nil
}

// activities spreads the spec's activities evenly over its days.
func (s demoActivities) activities() []trygg.Activity {
	if len(s.days) > 0 {
		out := make([]trygg.Activity, len(s.days))
		for i, d := range s.days {
			y, m, dd := d.Date()
			out[i] = trygg.Activity{Kind: s.kind, Party: s.party, Notes: s.dayNotes[i], DurationMinutes: s.mins,
				StartsAt: time.Date(y, m, dd, s.hour, 0, 0, 0, trygg.SwedishTime)}
		}
		return out
	}
	from, to := day(s.from), day(s.to)
	span := to.Sub(from.Time)
	out := make([]trygg.Activity, s.n)
	for i := range out {
		d := from.Time
		if s.n > 1 {
			d = from.Add(time.Duration(int64(span) * int64(i) / int64(s.n-1)))
		}
		y, m, dd := d.Date()
		start := time.Date(y, m, dd, s.hour, (i*17)%60, 0, 0, trygg.SwedishTime)
		out[i] = trygg.Activity{Kind: s.kind, Party: s.party, StartsAt: start, DurationMinutes: s.mins, Notes: s.notes}
		if len(s.places) > 0 {
			out[i].Geometry = s.places[i%len(s.places)]
		}
	}
	return out
}

// RiskCampaignLead is how many days before a risk date Vetlanda's demo campaigns start.
const RiskCampaignLead = 7

// riskCampaigns are Vetlanda's campaigns against risk dates (its 2020–2021 promise):
// in each year, a week before valborg, studentdagar (which also reaches skolavslutning),
// midsommar and jul (which also reaches nyår), on the days trygg.Calendar computes with
// the default local dates.
func riskCampaigns(years ...int) demoActivities {
	s := demoActivities{kind: trygg.KindInformation, party: trygg.PartyMunicipality, hour: 8}
	for _, y := range years {
		for _, c := range trygg.Calendar(y, nil) {
			switch c.Key {
			case "valborg", trygg.RiskStudent, "midsommar", "jul":
				s.days = append(s.days, trygg.Date{Time: c.Date.AddDate(0, 0, -RiskCampaignLead)})
				s.dayNotes = append(s.dayNotes, "Kampanj mot langning inför "+strings.ToLower(c.Name)+".")
			}
		}
	}
	s.n = len(s.days)
	return s
}
