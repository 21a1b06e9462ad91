package tiles_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/basemap"
	"github.com/trygg-gis/trygg/basemap/basemaptest"
)

type styleDoc struct {
	Glyphs  string `json:"glyphs"`
	Sources map[string]struct {
		Type string `json:"type"`
		URL  string `json:"url"`
	} `json:"sources"`
	Layers []struct {
		ID     string         `json:"id"`
		Type   string         `json:"type"`
		Source string         `json:"source"`
		Layout map[string]any `json:"layout"`
	} `json:"layers"`
}

func (e *env) style(t *testing.T) (styleDoc, []byte) {
	t.Helper()
	resp, body := e.get(t, public, "/styles/trygg.json")
	wantStatus(t, resp, body, http.StatusOK)
	var st styleDoc
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	return st, body
}

// urls returns every string in a JSON document that holds "://" or starts with "//".
func urls(v any) []string {
	switch v := v.(type) {
	case string:
		if strings.Contains(v, "://") || strings.HasPrefix(v, "//") {
			return []string{v}
		}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, urls(x)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, x := range v {
			out = append(out, urls(x)...)
		}
		return out
	}
	return nil
}

func ownURLsOnly(t *testing.T, base, what string, body []byte) {
	t.Helper()
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	us := urls(doc)
	if len(us) == 0 {
		t.Errorf("%s has no URL at all", what)
	}
	for _, u := range us {
		if !strings.HasPrefix(u, base+"/") {
			t.Errorf("%s has the URL %q, not on the server's own %s", what, u, base)
		}
	}
}

func TestStyleBasemap(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vara.pmtiles")
	tiles := basemaptest.WritePMTiles(t, path)
	a, err := basemap.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	with := newEnvWith(t, func(o *api.Options) { o.Basemap = a })
	without := newEnv(t)

	plain, plainBody := without.style(t)
	if _, ok := plain.Sources["basemap"]; ok || plain.Glyphs != "" || len(plain.Sources) != 1 || plain.Layers[0].ID != "background" {
		t.Errorf("style without a basemap: sources %v, glyphs %q, first layer %q: want only trygg, no glyphs, Trygg's background",
			plain.Sources, plain.Glyphs, plain.Layers[0].ID)
	}
	for _, l := range plain.Layers {
		if l.Type == "symbol" {
			t.Errorf("style without glyphs has the text layer %s", l.ID)
		}
	}
	ownURLsOnly(t, without.base, "the style without a basemap", plainBody)

	st, body := with.style(t)
	if s := st.Sources["basemap"]; s.Type != "vector" || s.URL != with.base+"/basemap.json" {
		t.Errorf("basemap source %+v, want vector at %s/basemap.json", s, with.base)
	}
	if st.Glyphs != with.base+"/fonts/{fontstack}/{range}.pbf" {
		t.Errorf("glyphs %q, want on the server's own host", st.Glyphs)
	}
	ownURLsOnly(t, with.base, "the style with a basemap", body)
	var ids, own []string
	lastBase, firstOwn, labels := -1, len(st.Layers), 0
	for i, l := range st.Layers {
		ids = append(ids, l.ID)
		switch l.Source {
		case "basemap":
			lastBase = i
			if f, ok := l.Layout["text-font"]; ok {
				labels++
				if fb, _ := json.Marshal(f); !strings.Contains(string(fb), "Noto Sans Regular") || strings.Contains(string(fb), "Medium") {
					t.Errorf("layer %s's text-font %s: want the shipped Noto Sans Regular", l.ID, fb)
				}
				if fb, _ := json.Marshal(l.Layout["text-field"]); strings.Contains(string(fb), `"name`) && !strings.Contains(string(fb), "name:sv") {
					t.Errorf("layer %s labels without name:sv: %.200s", l.ID, fb)
				}
			}
			if _, ok := l.Layout["icon-image"]; ok {
				t.Errorf("layer %s has an icon, and the style has no sprite", l.ID)
			}
		case "trygg":
			firstOwn = min(firstOwn, i)
			own = append(own, l.ID)
		}
	}
	if lastBase < 10 || labels < 5 || lastBase > firstOwn {
		t.Errorf("basemap layers end at %d with %d labels, Trygg's start at %d: want many basemap layers, labelled, all below Trygg's", lastBase, labels, firstOwn)
	}
	slices.Sort(ids)
	if len(slices.Compact(ids)) != len(st.Layers) {
		t.Errorf("layer ids are not unique")
	}
	var plainOwn []string
	for _, l := range plain.Layers[1:] {
		plainOwn = append(plainOwn, l.ID)
	}
	// With glyphs, clusters show their count just above their circles, in the shipped font.
	at := slices.Index(own, "report-cluster-count")
	if at < 1 || own[at-1] != "report-clusters" {
		t.Errorf("Trygg's layers over the basemap %v: want report-cluster-count right after report-clusters", own)
	} else {
		l := st.Layers[firstOwn+at]
		if fb, _ := json.Marshal(l.Layout["text-font"]); l.Type != "symbol" || !strings.Contains(string(fb), "Noto Sans Regular") {
			t.Errorf("report-cluster-count: type %s, text-font %s: want a symbol in Noto Sans Regular", l.Type, fb)
		}
		own = slices.Delete(own, at, at+1)
	}
	if !slices.Equal(own, plainOwn) {
		t.Errorf("Trygg's layers over the basemap %v, want those without it %v", own, plainOwn)
	}

	// The basemap's TileJSON, tiles and glyphs come from the server itself.
	resp, tj := with.get(t, public, "/basemap.json")
	wantStatus(t, resp, tj, http.StatusOK)
	ownURLsOnly(t, with.base, "the basemap's TileJSON", tj)
	tl := tiles[0]
	resp, b := with.get(t, public, fmt.Sprintf("/basemap/%d/%d/%d.mvt", tl.Z, tl.X, tl.Y))
	wantStatus(t, resp, b, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.mapbox-vector-tile" {
		t.Errorf("tile Content-Type %q", ct)
	}
	for _, c := range []struct {
		stack, rng string
		empty      bool
	}{{"Noto Sans Regular", "0-255", false}, {"Noto Sans Medium,Arial Unicode MS Regular", "0-255", false},
		{"Noto Sans Regular", "1024-1279", false}, {"Noto Sans Regular", "19968-20223", true}} {
		u := strings.NewReplacer("{fontstack}", strings.ReplaceAll(c.stack, " ", "%20"), "{range}", c.rng).Replace(strings.TrimPrefix(st.Glyphs, with.base))
		resp, b := with.get(t, public, u)
		wantStatus(t, resp, b, http.StatusOK)
		if (len(b) == 0) != c.empty {
			t.Errorf("%s: %d bytes, want empty %v", u, len(b), c.empty)
		}
	}
	if resp, b := with.get(t, public, "/fonts/Noto%20Sans%20Regular/1-256.pbf"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a range that is not one: %d %.100s, want 404", resp.StatusCode, b)
	}

	// Without a basemap, its routes say how to add one; a bad tile is a 400 problem.
	resp, b = without.get(t, public, "/basemap.json")
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/problem+json" ||
		!strings.Contains(string(b), "trygg basemap fetch") {
		t.Errorf("/basemap.json without a basemap: %d %s", resp.StatusCode, b)
	}
	resp, b = with.get(t, public, "/basemap/15/99999/0.mvt")
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(b), `"field":"x"`) {
		t.Errorf("a bad x: %d %s, want 400 problem naming x", resp.StatusCode, b)
	}
	// Basemap tiles take the server's fast path: read from the archive, not logged; a
	// refused one is.
	if logs := with.logs.String(); strings.Contains(logs, fmt.Sprintf("/basemap/%d/%d/%d.mvt", tl.Z, tl.X, tl.Y)) ||
		!strings.Contains(logs, "/basemap/15/99999/0.mvt") {
		t.Errorf("logs: want the refused basemap tile and not the served one:\n%.2000s", logs)
	}
	empty := maptile.At(orb.Point{15.08, 57.43}, 12) // Vetlanda, which the archive does not cover
	resp, b = with.get(t, public, fmt.Sprintf("/basemap/12/%d/%d.mvt", empty.X, empty.Y))
	if resp.StatusCode != http.StatusNoContent || len(b) != 0 {
		t.Errorf("a tile the archive lacks: %d with %d bytes, want an empty 204", resp.StatusCode, len(b))
	}
}
