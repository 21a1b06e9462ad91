package mail

// texts are one language's words of the mails and the unsubscribe page. Subjects and
// leads may hold {code}, the report's short code. Only the report's own data goes into
// a mail: its code, place label, municipality, and the moderator's reason or the
// action's public feedback; never a person's name or address other than the recipient's.
type texts struct {
	Dir      string // "rtl" for Arabic, else "ltr"
	Subject  map[string]string
	Lead     map[string]string // the first paragraph, by kind
	Greeting string
	Reason   string // label of the moderator's reason (rejected)
	Feedback string // label of the action's feedback (done)
	Code     string // label of the short code
	Place    string // label of the place label
	Kommun   string // label of the municipality
	Link     string // label of the follow-up link
	Secret   string // the receipt's link holds the erasure token
	Why      string // why this mail came
	Unsub    string // label of the unsubscribe link
	Sign     string // the signature

	// The unsubscribe page.
	PageTitle   string
	PageAsk     string
	PageButton  string
	PageDone    string
	PageAlready string
}

var catalogue = map[string]texts{
	"sv": {
		Dir: "ltr",
		Subject: map[string]string{
			"receipt":   "Tack för din rapport {code}",
			"published": "Din rapport {code} är publicerad",
			"rejected":  "Din rapport {code} publiceras inte",
			"planned":   "En åtgärd är planerad för din rapport {code}",
			"done":      "Åtgärden för din rapport {code} är klar",
		},
		Lead: map[string]string{
			"receipt":   "Tack för din rapport! Vi har tagit emot den. En moderator läser den innan den visas på kartan.",
			"published": "Din rapport har granskats och visas nu på kartan.",
			"rejected":  "Din rapport har granskats och kommer inte att visas på kartan.",
			"planned":   "Kommunen har planerat en åtgärd för platsen i din rapport.",
			"done":      "Åtgärden för platsen i din rapport är klar.",
		},
		Greeting:    "Hej!",
		Reason:      "Motivering",
		Feedback:    "Återkoppling",
		Code:        "Din kod",
		Place:       "Plats",
		Kommun:      "Kommun",
		Link:        "Följ din rapport",
		Secret:      "Länken innehåller din nyckel för att se och radera rapporten. Dela den inte med någon.",
		Why:         "Du får det här meddelandet eftersom du lämnade din e-postadress när du rapporterade.",
		Unsub:       "Inga fler meddelanden om den här rapporten",
		Sign:        "Trygg",
		PageTitle:   "Avsluta e-post om din rapport",
		PageAsk:     "Vill du sluta få e-post om den här rapporten? Din e-postadress tas då bort från rapporten.",
		PageButton:  "Avsluta e-post",
		PageDone:    "Klart. Du får inga fler meddelanden om den här rapporten, och din e-postadress är borttagen.",
		PageAlready: "Du får redan inga meddelanden om den här rapporten.",
	},
	"en": {
		Dir: "ltr",
		Subject: map[string]string{
			"receipt":   "Thank you for your report {code}",
			"published": "Your report {code} is published",
			"rejected":  "Your report {code} will not be published",
			"planned":   "An action is planned for your report {code}",
			"done":      "The action for your report {code} is done",
		},
		Lead: map[string]string{
			"receipt":   "Thank you for your report! We have received it. A moderator reads it before it is shown on the map.",
			"published": "Your report has been reviewed and is now shown on the map.",
			"rejected":  "Your report has been reviewed and will not be shown on the map.",
			"planned":   "The municipality has planned an action for the place in your report.",
			"done":      "The action for the place in your report is done.",
		},
		Greeting:    "Hello,",
		Reason:      "Reason",
		Feedback:    "Feedback",
		Code:        "Your code",
		Place:       "Place",
		Kommun:      "Municipality",
		Link:        "Follow your report",
		Secret:      "The link holds your key to see and erase the report. Do not share it with anyone.",
		Why:         "You get this message because you left your e-mail address when you reported.",
		Unsub:       "No more messages about this report",
		Sign:        "Trygg",
		PageTitle:   "Stop e-mails about your report",
		PageAsk:     "Do you want to stop getting e-mails about this report? Your e-mail address is then removed from the report.",
		PageButton:  "Stop e-mails",
		PageDone:    "Done. You will get no more messages about this report, and your e-mail address has been removed.",
		PageAlready: "You already get no messages about this report.",
	},
	"ar": {
		Dir: "rtl",
		Subject: map[string]string{
			"receipt":   "شكرًا على بلاغك {code}",
			"published": "تم نشر بلاغك {code}",
			"rejected":  "لن يُنشر بلاغك {code}",
			"planned":   "تم التخطيط لإجراء بشأن بلاغك {code}",
			"done":      "اكتمل الإجراء الخاص ببلاغك {code}",
		},
		Lead: map[string]string{
			"receipt":   "شكرًا على بلاغك! لقد استلمناه. سيقرؤه مشرف قبل أن يظهر على الخريطة.",
			"published": "تمت مراجعة بلاغك وهو يظهر الآن على الخريطة.",
			"rejected":  "تمت مراجعة بلاغك ولن يظهر على الخريطة.",
			"planned":   "خططت البلدية لإجراء بشأن المكان المذكور في بلاغك.",
			"done":      "اكتمل الإجراء الخاص بالمكان المذكور في بلاغك.",
		},
		Greeting:    "مرحبًا،",
		Reason:      "السبب",
		Feedback:    "الرد",
		Code:        "رمزك",
		Place:       "المكان",
		Kommun:      "البلدية",
		Link:        "تابع بلاغك",
		Secret:      "يحتوي الرابط على مفتاحك لعرض البلاغ وحذفه. لا تشاركه مع أحد.",
		Why:         "تصلك هذه الرسالة لأنك تركت عنوان بريدك الإلكتروني عند تقديم البلاغ.",
		Unsub:       "لا أريد رسائل أخرى بشأن هذا البلاغ",
		Sign:        "Trygg",
		PageTitle:   "إيقاف رسائل البريد الإلكتروني بشأن بلاغك",
		PageAsk:     "هل تريد التوقف عن تلقي رسائل البريد الإلكتروني بشأن هذا البلاغ؟ سيُحذف عنوان بريدك الإلكتروني من البلاغ.",
		PageButton:  "إيقاف الرسائل",
		PageDone:    "تم. لن تصلك رسائل أخرى بشأن هذا البلاغ، وقد حُذف عنوان بريدك الإلكتروني.",
		PageAlready: "أنت لا تتلقى بالفعل أي رسائل بشأن هذا البلاغ.",
	},
	"so": {
		Dir: "ltr",
		Subject: map[string]string{
			"receipt":   "Waad ku mahadsan tahay warbixintaada {code}",
			"published": "Warbixintaada {code} waa la daabacay",
			"rejected":  "Warbixintaada {code} lama daabici doono",
			"planned":   "Tallaabo ayaa loo qorsheeyay warbixintaada {code}",
			"done":      "Tallaabadii warbixintaada {code} waa la dhammeeyay",
		},
		Lead: map[string]string{
			"receipt":   "Waad ku mahadsan tahay warbixintaada! Waan helnay. Maamule ayaa akhrin doona ka hor inta aan lagu muujin khariidadda.",
			"published": "Warbixintaada waa la eegay, hadda waxay ka muuqataa khariidadda.",
			"rejected":  "Warbixintaada waa la eegay, kamana muuqan doonto khariidadda.",
			"planned":   "Degmadu waxay qorsheysay tallaabo loogu talagalay goobta warbixintaada.",
			"done":      "Tallaabadii goobta warbixintaada waa la dhammeeyay.",
		},
		Greeting:    "Salaan,",
		Reason:      "Sababta",
		Feedback:    "Jawaab celin",
		Code:        "Koodhkaaga",
		Place:       "Goobta",
		Kommun:      "Degmada",
		Link:        "La soco warbixintaada",
		Secret:      "Xiriirkan wuxuu hayaa furahaaga aad ku aragto oo ku tirtirto warbixinta. Cidna ha la wadaagin.",
		Why:         "Fariintan waxaad u heshay sababtoo ah waxaad ka tagtay cinwaankaaga iimaylka markaad warbixinta dirtay.",
		Unsub:       "Fariimo kale oo ku saabsan warbixintan ha ii soo dirin",
		Sign:        "Trygg",
		PageTitle:   "Jooji iimaylada ku saabsan warbixintaada",
		PageAsk:     "Ma rabtaa inaad joojiso helitaanka iimaylada ku saabsan warbixintan? Cinwaankaaga iimaylka ayaa markaas laga saarayaa warbixinta.",
		PageButton:  "Jooji iimaylada",
		PageDone:    "Waa la sameeyay. Fariimo kale kuma soo gaari doonaan warbixintan, cinwaankaaga iimaylkana waa la tirtiray.",
		PageAlready: "Horeba fariimo kuguma soo gaaraan warbixintan.",
	},
	"fi": {
		Dir: "ltr",
		Subject: map[string]string{
			"receipt":   "Kiitos ilmoituksestasi {code}",
			"published": "Ilmoituksesi {code} on julkaistu",
			"rejected":  "Ilmoitustasi {code} ei julkaista",
			"planned":   "Ilmoituksellesi {code} on suunniteltu toimenpide",
			"done":      "Ilmoituksesi {code} toimenpide on valmis",
		},
		Lead: map[string]string{
			"receipt":   "Kiitos ilmoituksestasi! Olemme vastaanottaneet sen. Moderaattori lukee sen ennen kuin se näytetään kartalla.",
			"published": "Ilmoituksesi on tarkistettu, ja se näkyy nyt kartalla.",
			"rejected":  "Ilmoituksesi on tarkistettu, eikä sitä näytetä kartalla.",
			"planned":   "Kunta on suunnitellut toimenpiteen ilmoituksesi paikkaan.",
			"done":      "Ilmoituksesi paikan toimenpide on valmis.",
		},
		Greeting:    "Hei!",
		Reason:      "Perustelu",
		Feedback:    "Palaute",
		Code:        "Koodisi",
		Place:       "Paikka",
		Kommun:      "Kunta",
		Link:        "Seuraa ilmoitustasi",
		Secret:      "Linkki sisältää avaimesi, jolla voit katsoa ja poistaa ilmoituksen. Älä jaa sitä kenellekään.",
		Why:         "Saat tämän viestin, koska jätit sähköpostiosoitteesi ilmoituksen yhteydessä.",
		Unsub:       "Ei enää viestejä tästä ilmoituksesta",
		Sign:        "Trygg",
		PageTitle:   "Lopeta sähköpostit ilmoituksestasi",
		PageAsk:     "Haluatko lopettaa sähköpostien saamisen tästä ilmoituksesta? Sähköpostiosoitteesi poistetaan silloin ilmoituksesta.",
		PageButton:  "Lopeta sähköpostit",
		PageDone:    "Valmis. Et saa enää viestejä tästä ilmoituksesta, ja sähköpostiosoitteesi on poistettu.",
		PageAlready: "Et jo nyt saa viestejä tästä ilmoituksesta.",
	},
}

// textsOf returns the words of lang, Swedish for an unknown one.
func textsOf(lang string) texts {
	if t, ok := catalogue[lang]; ok {
		return t
	}
	return catalogue["sv"]
}
