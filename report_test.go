package trygg

import "testing"

func TestMaskContacts(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Ring mig på 070-123 45 67 om du vill", "Ring mig på [telefonnummer dolt] om du vill"},
		{"mejla anna.s@example.com tack", "mejla [e-post dold] tack"},
		{"+46 70 123 45 67", "[telefonnummer dolt]"},
		{"0512-123456", "[telefonnummer dolt]"},
		{"Busshållplatsen vid nr 12, 2021 var det värre", "Busshållplatsen vid nr 12, 2021 var det värre"},
		{"klockan 22.30 varje kväll", "klockan 22.30 varje kväll"},
	}
	for _, tc := range cases {
		if got := MaskContacts(tc.in); got != tc.want {
			t.Errorf("MaskContacts(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNormalizeWhen(t *testing.T) {
	got, err := NormalizeWhen([]string{"night", "Evening", "night", "weekend"})
	if err != nil || len(got) != 3 || got[0] != "evening" || got[1] != "night" || got[2] != "weekend" {
		t.Errorf("NormalizeWhen = %v, %v", got, err)
	}
	if _, err := NormalizeWhen([]string{"midnight"}); ErrorField(err) != "when" {
		t.Errorf("NormalizeWhen(midnight) = %v, want an error on when", err)
	}
}

func TestContactValidate(t *testing.T) {
	for _, c := range []Contact{{Email: "a@b"}, {Phone: "12"}, {Phone: "call me"}, {}} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	c := Contact{Email: " Anna@Vara.SE ", Phone: "070-123 45 67"}
	if err := c.Validate(); err != nil || c.Email != "anna@vara.se" {
		t.Errorf("got %+v, %v", c, err)
	}
}
