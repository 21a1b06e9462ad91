package trygg

import "testing"

func TestCheckLang(t *testing.T) {
	for in, want := range map[string]string{"": "sv", "sv": "sv", "EN": "en", " ar ": "ar", "so": "so", "fi": "fi"} {
		if got, err := CheckLang("lang", in); err != nil || got != want {
			t.Errorf("CheckLang(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"de", "sv-SE", "swedish", "x"} {
		if _, err := CheckLang("lang", in); ErrorCode(err) != EINVALID || ErrorField(err) != "lang" {
			t.Errorf("CheckLang(%q): %v, want EINVALID on lang", in, err)
		}
	}
}
