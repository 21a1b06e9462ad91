package api

import "testing"

func TestParsePublicURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://trygg.example.se", "https://trygg.example.se"},
		{"https://trygg.example.se/", "https://trygg.example.se"},
		{"http://localhost:8080/gis/", "http://localhost:8080/gis"},
		{"https://trygg.example.se/gis", "https://trygg.example.se/gis"},
		{"/gis", ""}, {"trygg.example.se", ""}, {"ftp://trygg.example.se", ""}, {"https://", ""},
		{"https://trygg.example.se/?a=1", ""}, {"https://trygg.example.se/?", ""}, {"https://trygg.example.se/#top", ""},
		{"https://user:pw@trygg.example.se", ""}, {"mailto:a@b.se", ""},
	} {
		got, err := ParsePublicURL(tc.in)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("ParsePublicURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
