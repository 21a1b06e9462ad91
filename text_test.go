package trygg

import "testing"

func TestCleanText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Mörk gata", "Mörk gata"},
		{"  \u202eatag kröM\u202c ", "atag kröM"},
		{"a\u202ab\u202bc\u202cd\u202de\u202ef", "abcdef"},
		{"a\u2066b\u2067c\u2068d\u2069e", "abcde"},
		{"a\u200bb\u200cc\u200dd\u200ee\u200ff", "abcdef"},
		{"\ufeffa\u2060b", "ab"},
		{"rad 1\nrad 2\tflik", "rad 1\nrad 2\tflik"},
		{"\u200b \u200b", ""},
	}
	for _, tc := range cases {
		if got := CleanText(tc.in); got != tc.want {
			t.Errorf("CleanText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// A zero-width space does not hide a phone number from MaskContacts.
	if got, want := MaskContacts("ring 070\u200b123\u20604567"), "ring [telefonnummer dolt]"; got != want {
		t.Errorf("MaskContacts = %q, want %q", got, want)
	}
}
