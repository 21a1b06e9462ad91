package trygg

import (
	"slices"
	"strings"
)

// Languages are the languages of the user interface and of the e-mails to reporters:
// Swedish first (the default), English, Arabic, Somali and Finnish.
var Languages = []string{"sv", "en", "ar", "so", "fi"}

// DefaultLang is the language of a report that names none.
const DefaultLang = "sv"

// CheckLang returns the language code lang (in any case; "" is DefaultLang), or
// EINVALID on field if it is not one of Languages.
func CheckLang(field, lang string) (string, error) {
	l := strings.ToLower(strings.TrimSpace(lang))
	if l == "" {
		return DefaultLang, nil
	}
	if !slices.Contains(Languages, l) {
		return "", Errorf(EINVALID, field, "%q is not one of the languages %s", lang, strings.Join(Languages, ", "))
	}
	return l, nil
}
