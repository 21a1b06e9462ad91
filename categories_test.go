package trygg_test

import (
	"slices"
	"testing"

	"github.com/trygg-gis/trygg"
)

func TestCheckCategories(t *testing.T) {
	cats := []trygg.Category{{Code: "belysning"}, {Code: "vegetation"}, {Code: "klotter"}, {Code: "alkohol"},
		{Code: "vald"}, {Code: "narkotika"}}
	for _, tc := range []struct {
		category   string
		categories []string
		main       string
		want       []string
		field      string
	}{
		{"belysning", nil, "belysning", []string{"belysning"}, ""},
		{"", []string{"vegetation", "belysning"}, "vegetation", []string{"vegetation", "belysning"}, ""},
		{"vegetation", []string{"vegetation", "belysning"}, "vegetation", []string{"vegetation", "belysning"}, ""},
		{"belysning", []string{"vegetation", "belysning"}, "", nil, "categories"},
		{"", nil, "", nil, "category"},
		{"okänd", nil, "", nil, "category"},
		{"", []string{}, "", nil, "categories"},
		{"", []string{"belysning", "belysning"}, "", nil, "categories"},
		{"", []string{"belysning", "okänd"}, "", nil, "categories"},
		{"", []string{""}, "", nil, "categories"},
		{"", []string{"belysning", "vegetation", "klotter", "alkohol", "vald", "narkotika"}, "", nil, "categories"},
		{"", []string{"belysning", "vegetation", "klotter", "alkohol", "vald"}, "belysning", []string{"belysning", "vegetation", "klotter", "alkohol", "vald"}, ""},
	} {
		main, got, err := trygg.CheckCategories(tc.category, tc.categories, cats)
		if tc.field != "" {
			if err == nil || trygg.ErrorField(err) != tc.field || trygg.ErrorCode(err) != trygg.EINVALID {
				t.Errorf("%q %q: %v, want invalid %s", tc.category, tc.categories, err, tc.field)
			}
			continue
		}
		if err != nil || main != tc.main || !slices.Equal(got, tc.want) {
			t.Errorf("%q %q: %q %q %v, want %q %q", tc.category, tc.categories, main, got, err, tc.main, tc.want)
		}
	}
}

func TestCheckDemographics(t *testing.T) {
	d, err := trygg.CheckDemographics("", "")
	if err != nil || d.AgeBand != trygg.Unstated || d.Gender != trygg.Unstated {
		t.Errorf("nothing given: %+v %v, want unstated", d, err)
	}
	if d, err := trygg.CheckDemographics("65+", "other"); err != nil || d.AgeBand != "65+" || d.Gender != "other" {
		t.Errorf("65+ other: %+v %v", d, err)
	}
	for _, tc := range []struct{ age, gender, field string }{{"40", "", "age_band"}, {"", "kvinna", "gender"}, {"18–29", "woman", "age_band"}} {
		if _, err := trygg.CheckDemographics(tc.age, tc.gender); trygg.ErrorField(err) != tc.field {
			t.Errorf("%q %q: %v, want %s", tc.age, tc.gender, err, tc.field)
		}
	}
}
