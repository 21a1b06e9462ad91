package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/photo/phototest"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// send sends a request with a raw body and headers (name, value, …) as c.
func (c *client) send(t *testing.T, method, path string, body []byte, header ...string) (*http.Response, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, c.e.srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if c.csrf != "" && method != http.MethodGet && method != http.MethodHead {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

type photoJSON struct {
	URL          string `json:"url"`
	ThumbnailURL string `json:"thumbnail_url"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
}

func decodePhoto(t *testing.T, body []byte) photoJSON {
	t.Helper()
	var p photoJSON
	if err := json.Unmarshal(body, &p); err != nil || p.URL == "" || p.ThumbnailURL != p.URL+"/thumbnail" {
		t.Fatalf("photo %s: %v", body, err)
	}
	return p
}

// photosOf returns the URLs of the photos a report's JSON lists (properties.photos of a
// Feature, or photos at the top level of the reporter's status).
func photosOf(t *testing.T, body []byte) []string {
	t.Helper()
	var doc struct {
		Photos     []photoJSON `json:"photos"`
		Properties struct {
			Photos []photoJSON `json:"photos"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	ps := append(doc.Photos, doc.Properties.Photos...)
	if !bytes.Contains(body, []byte(`"photos":[`)) {
		t.Errorf("no photos array in %s", body)
	}
	urls := []string{}
	for _, p := range ps {
		urls = append(urls, p.URL)
	}
	return urls
}

func wantProblemField(t *testing.T, resp *http.Response, body []byte, status int, field string) {
	t.Helper()
	p := problemIn(t, resp, body, status)
	if p.Field != field {
		t.Errorf("%s %s: field %q, want %q: %s", resp.Request.Method, resp.Request.URL.Path, p.Field, field, body)
	}
}

// noExif fails unless b is a JPEG without an APP1 segment, EXIF or any of its secrets.
func noExif(t *testing.T, what string, b []byte) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte{0xFF, 0xD8}) {
		t.Fatalf("%s is not a JPEG: % x", what, b[:min(8, len(b))])
	}
	for _, s := range phototest.Secrets {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("%s holds %q", what, s)
		}
	}
	if bytes.Contains(b, []byte{0xFF, 0xE1}) {
		t.Errorf("%s has an APP1 marker", what)
	}
}

// pngClaiming is a PNG header that claims w×h pixels, and no pixel data.
func pngClaiming(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, w), h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0)
	chunk := append([]byte("IHDR"), ihdr...)
	b := append([]byte("\x89PNG\r\n\x1a\n"), binary.BigEndian.AppendUint32(nil, uint32(len(ihdr)))...)
	return binary.BigEndian.AppendUint32(append(b, chunk...), crc32.ChecksumIEEE(chunk))
}

func smallPNG(t *testing.T, shade uint8) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 30, 20))
	for i := range img.Pix {
		img.Pix[i] = shade
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPhotoLimits: the body's type, size (413), decoded size (a decompression bomb),
// and the count (a fourth photo is 409 on photos; the same photo again adds nothing).
func TestPhotoLimits(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.ReportRate, o.PhotoRate = api.Rate{}, api.Rate{} })
	public := e.client()
	s := submit(t, public, report(""))
	up := func(ct string, body []byte) (*http.Response, []byte) {
		return public.send(t, http.MethodPost, "/api/v1/reports/"+s.ID+"/photos", body, "Content-Type", ct, "Erasure-Token", s.Erasure)
	}
	resp, body := up("text/plain", []byte("hello"))
	wantProblemField(t, resp, body, http.StatusUnsupportedMediaType, "Content-Type")
	resp, body = up("image/gif", []byte("GIF89a"))
	wantProblemField(t, resp, body, http.StatusUnsupportedMediaType, "Content-Type")
	resp, body = up("image/jpeg", []byte("GIF89a, not a JPEG at all"))
	wantProblemField(t, resp, body, http.StatusBadRequest, "body")
	resp, body = up("image/jpeg", nil)
	wantProblemField(t, resp, body, http.StatusBadRequest, "body")

	big := make([]byte, 10<<20+1)
	if _, err := rand.Read(big[2:]); err != nil {
		t.Fatal(err)
	}
	big[0], big[1] = 0xFF, 0xD8
	resp, body = up("image/jpeg", big)
	wantProblemField(t, resp, body, http.StatusRequestEntityTooLarge, "body")
	if !strings.Contains(string(body), "10 MB") {
		t.Errorf("413 does not say the limit: %s", body)
	}
	// Well over the server's general 1 MiB limit, under the photo's: accepted as a body
	// (refused as an image it is not).
	resp, body = up("image/jpeg", bytes.Repeat([]byte("not a photo "), 3<<18))
	wantProblemField(t, resp, body, http.StatusBadRequest, "body")

	resp, body = up("image/png", pngClaiming(50000, 50000))
	wantProblemField(t, resp, body, http.StatusUnprocessableEntity, "body")
	if !strings.Contains(string(body), "megapixels") {
		t.Errorf("the bomb's refusal: %s", body)
	}

	// Three photos (a PNG sent as image/jpeg is still a photo), the same one again
	// changes nothing, a fourth is refused.
	var urls []string
	for i, b := range [][]byte{phototest.JPEGWithExif(phototest.Picture(64, 48), 1), smallPNG(t, 40), smallPNG(t, 200)} {
		resp, body = up("image/jpeg", b)
		wantStatus(t, resp, body, http.StatusCreated)
		p := decodePhoto(t, body)
		if resp.Header.Get("Location") != p.URL {
			t.Errorf("photo %d: Location %q, url %q", i, resp.Header.Get("Location"), p.URL)
		}
		urls = append(urls, p.URL)
	}
	resp, body = up("image/png", smallPNG(t, 40))
	wantStatus(t, resp, body, http.StatusOK)
	if decodePhoto(t, body).URL != urls[1] {
		t.Errorf("the same photo again: %s, want %s", body, urls[1])
	}
	resp, body = up("image/png", smallPNG(t, 120))
	wantProblemField(t, resp, body, http.StatusConflict, "photos")
	// The reporter removes one before moderation, and may add another then.
	resp, body = public.send(t, http.MethodDelete, urls[2], nil, "Erasure-Token", s.Erasure)
	wantStatus(t, resp, body, http.StatusNoContent)
	resp, body = public.send(t, http.MethodDelete, urls[2], nil, "Erasure-Token", s.Erasure)
	wantProblemField(t, resp, body, http.StatusNotFound, "photo")
	resp, body = up("image/png", smallPNG(t, 120))
	wantStatus(t, resp, body, http.StatusCreated)
	urls[2] = decodePhoto(t, body).URL
	resp, body = public.send(t, http.MethodGet, "/api/v1/reports/"+s.ID, nil, "Erasure-Token", s.Erasure)
	wantStatus(t, resp, body, http.StatusOK)
	if got := photosOf(t, body); strings.Join(got, " ") != strings.Join(urls, " ") {
		t.Errorf("the reporter's photos %v, want %v", got, urls)
	}

	// The staff path holds the same count, in the database: no fourth through it either.
	e.addUser(t, trygg.RoleModerator, "kommun-1470")
	mod := e.signIn(t, "moderator@kommun-1470.demo.trygg.se")
	resp, body = mod.send(t, http.MethodPost, "/api/v1/reports/"+s.ID+"/photos", smallPNG(t, 90), "Content-Type", "image/png")
	wantProblemField(t, resp, body, http.StatusConflict, "photos")
	if n := pgtest.Strings(t, e.url, `SELECT count(*)::text FROM report_photo WHERE report_id = $1`, s.ID)[0]; n != "3" {
		t.Errorf("%s photos stored, want 3", n)
	}
}

// TestPhotoRate: reporters' uploads are limited per address (429 with Retry-After),
// whatever becomes of them; staff's are not.
func TestPhotoRate(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) {
		o.ReportRate, o.PhotoRate = api.Rate{}, api.Rate{N: 2, Window: time.Hour}
	})
	e.addUser(t, trygg.RoleModerator, "kommun-1470")
	mod := e.signIn(t, "moderator@kommun-1470.demo.trygg.se")
	public := e.client()
	s := submit(t, public, report(""))
	path := "/api/v1/reports/" + s.ID + "/photos"
	resp, body := public.send(t, http.MethodPost, path, []byte("not a photo"), "Content-Type", "image/png", "Erasure-Token", s.Erasure)
	wantStatus(t, resp, body, http.StatusBadRequest)
	resp, body = public.send(t, http.MethodPost, path, smallPNG(t, 1), "Content-Type", "image/png", "Erasure-Token", s.Erasure)
	wantStatus(t, resp, body, http.StatusCreated)
	resp, body = public.send(t, http.MethodPost, path, smallPNG(t, 2), "Content-Type", "image/png", "Erasure-Token", s.Erasure)
	wantStatus(t, resp, body, http.StatusTooManyRequests)
	if resp.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	resp, body = mod.send(t, http.MethodPost, path, smallPNG(t, 2), "Content-Type", "image/png")
	wantStatus(t, resp, body, http.StatusCreated)
}

// TestPhotoAccess: who may add, see and remove photos before and after moderation, the
// served bytes without EXIF, caching, Open311's media_url, and erasure.
func TestPhotoAccess(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.ReportRate = api.Rate{} })
	e.addUser(t, trygg.RoleModerator, "kommun-1470")
	e.addUser(t, trygg.RoleModerator, "kommun-1383")
	e.addUser(t, trygg.RolePolice, "lpo-vastra-skaraborg")
	public := e.client()
	mod := e.signIn(t, "moderator@kommun-1470.demo.trygg.se")
	varberg := e.signIn(t, "moderator@kommun-1383.demo.trygg.se")
	police := e.signIn(t, "police@lpo-vastra-skaraborg.demo.trygg.se")
	s := submit(t, public, report(""))
	other := submit(t, public, report(""))
	path := "/api/v1/reports/" + s.ID + "/photos"
	withExif := phototest.JPEGWithExif(phototest.Picture(800, 600), 6)

	// Nobody, another report's token, and a signed-in role that does not moderate, may not add.
	resp, body := public.send(t, http.MethodPost, path, withExif, "Content-Type", "image/jpeg")
	wantStatus(t, resp, body, http.StatusUnauthorized)
	resp, body = public.send(t, http.MethodPost, path, withExif, "Content-Type", "image/jpeg", "Erasure-Token", other.Erasure)
	wantStatus(t, resp, body, http.StatusNotFound)
	resp, body = police.send(t, http.MethodPost, path, withExif, "Content-Type", "image/jpeg")
	wantStatus(t, resp, body, http.StatusForbidden)
	resp, body = varberg.send(t, http.MethodPost, path, withExif, "Content-Type", "image/jpeg")
	wantStatus(t, resp, body, http.StatusNotFound)

	// The reporter adds one before moderation.
	resp, body = public.send(t, http.MethodPost, path, withExif, "Content-Type", "image/jpeg", "Erasure-Token", s.Erasure)
	wantStatus(t, resp, body, http.StatusCreated)
	p := decodePhoto(t, body)
	if p.Width != 600 || p.Height != 800 {
		t.Errorf("size %d×%d, want 600×800 (turned upright by the EXIF orientation 6)", p.Width, p.Height)
	}
	hash := p.URL[strings.LastIndexByte(p.URL, '/')+1:]

	// Before publication: the reporter and the municipality's staff see it; the public,
	// another municipality and another report's token do not.
	for _, c := range []struct {
		name   string
		c      *client
		header []string
		want   int
	}{
		{"public", public, nil, http.StatusNotFound},
		{"other token", public, []string{"Erasure-Token", other.Erasure}, http.StatusNotFound},
		{"Varberg", varberg, nil, http.StatusNotFound},
		{"reporter", public, []string{"Erasure-Token", s.Erasure}, http.StatusOK},
		{"moderator", mod, nil, http.StatusOK},
	} {
		for _, u := range []string{p.URL, p.ThumbnailURL} {
			resp, body := c.c.send(t, http.MethodGet, u, nil, c.header...)
			if resp.StatusCode != c.want {
				t.Errorf("%s GET %s before publication: %d, want %d", c.name, u, resp.StatusCode, c.want)
			}
			if c.want == http.StatusOK {
				noExif(t, c.name+"'s "+u, body)
				if cc := resp.Header.Get("Cache-Control"); cc != "private, no-cache" {
					t.Errorf("%s: Cache-Control %q before publication", c.name, cc)
				}
			}
		}
	}
	resp, body = mod.send(t, http.MethodGet, "/api/v1/moderation/queue", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), `"url":"`+p.URL+`"`) {
		t.Errorf("the moderation queue does not list the photo: %s", body)
	}
	resp, body = varberg.send(t, http.MethodDelete, p.URL, nil)
	wantStatus(t, resp, body, http.StatusNotFound)
	resp, body = police.send(t, http.MethodDelete, p.URL, nil)
	wantStatus(t, resp, body, http.StatusForbidden)
	resp, body = public.send(t, http.MethodDelete, p.URL, nil)
	wantStatus(t, resp, body, http.StatusUnauthorized)
	resp, body = public.send(t, http.MethodDelete, p.URL, nil, "Erasure-Token", other.Erasure)
	wantStatus(t, resp, body, http.StatusNotFound)

	// Published: everyone sees it, immutable; the reporter may add no more, staff may.
	resp, body = mod.do(t, "POST", "/api/v1/reports/"+s.ID+"/moderation", map[string]any{"action": "publish"})
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = public.send(t, http.MethodGet, p.URL, nil)
	wantStatus(t, resp, body, http.StatusOK)
	noExif(t, "the public photo", body)
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != hash || resp.Header.Get("ETag") != `"`+hash+`"` {
		t.Errorf("the photo's hash %x, ETag %s, name %s", sum, resp.Header.Get("ETag"), hash)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "public") || !strings.Contains(cc, "immutable") {
		t.Errorf("public Cache-Control %q", cc)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "image/jpeg" {
		t.Errorf("Content-Type %q", ct)
	}
	if img, format, err := image.Decode(bytes.NewReader(body)); err != nil || format != "jpeg" || img.Bounds().Dx() != 600 {
		t.Errorf("the served photo decodes as %v %s %v", img.Bounds(), format, err)
	}
	resp, body = public.send(t, http.MethodGet, p.URL, nil, "If-None-Match", `"`+hash+`"`)
	wantStatus(t, resp, body, http.StatusNotModified)
	resp, body = public.send(t, http.MethodGet, p.ThumbnailURL, nil)
	wantStatus(t, resp, body, http.StatusOK)
	noExif(t, "the public thumbnail", body)
	if img, _, err := image.Decode(bytes.NewReader(body)); err != nil || img.Bounds().Dx() != 240 || img.Bounds().Dy() != 320 {
		t.Errorf("the thumbnail decodes as %v %v, want 240×320", img.Bounds(), err)
	}
	resp, body = public.send(t, http.MethodGet, "/api/v1/reports/"+s.ID, nil)
	wantStatus(t, resp, body, http.StatusOK)
	if got := photosOf(t, body); len(got) != 1 || got[0] != p.URL {
		t.Errorf("the public report's photos %v", got)
	}

	resp, body = public.send(t, http.MethodPost, path, smallPNG(t, 10), "Content-Type", "image/png", "Erasure-Token", s.Erasure)
	wantProblemField(t, resp, body, http.StatusForbidden, "Erasure-Token")
	resp, body = public.send(t, http.MethodDelete, p.URL, nil, "Erasure-Token", s.Erasure)
	wantProblemField(t, resp, body, http.StatusForbidden, "Erasure-Token")
	resp, body = mod.send(t, http.MethodPost, path, smallPNG(t, 10), "Content-Type", "image/png")
	wantStatus(t, resp, body, http.StatusCreated)
	second := decodePhoto(t, body)

	// Open311: media_url is the first photo's absolute URL.
	resp, body = public.send(t, http.MethodGet, "/open311/v2/requests/"+s.ID+".json", nil)
	wantStatus(t, resp, body, http.StatusOK)
	var reqs []struct {
		MediaURL *string `json:"media_url"`
	}
	if err := json.Unmarshal(body, &reqs); err != nil || len(reqs) != 1 || reqs[0].MediaURL == nil || *reqs[0].MediaURL != e.srv.URL+p.URL {
		t.Errorf("Open311 media_url: %s, want %s", body, e.srv.URL+p.URL)
	}
	resp, body = public.send(t, http.MethodGet, strings.TrimPrefix(*reqs[0].MediaURL, e.srv.URL), nil)
	wantStatus(t, resp, body, http.StatusOK)

	// The moderator removes the first: audited, gone for everyone; the second is first now.
	resp, body = mod.send(t, http.MethodDelete, p.URL, nil)
	wantStatus(t, resp, body, http.StatusNoContent)
	resp, body = mod.send(t, http.MethodDelete, p.URL, nil)
	wantStatus(t, resp, body, http.StatusNotFound)
	resp, _ = public.send(t, http.MethodGet, p.URL, nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("a removed photo: %d", resp.StatusCode)
	}
	got := pgtest.Strings(t, e.url, `SELECT action || ' ' || coalesce(after->>'photo', before->>'photo') FROM audit_log
		WHERE entity = 'report' AND entity_id = $1 AND action LIKE 'report.photo%' ORDER BY id`, s.ID)
	secondHash := second.URL[strings.LastIndexByte(second.URL, '/')+1:]
	if want := []string{"report.photo_add " + secondHash, "report.photo_remove " + hash}; strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit entries %v, want %v", got, want)
	}
	resp, body = public.send(t, http.MethodGet, "/open311/v2/requests/"+s.ID+".json", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), `"media_url":"`+e.srv.URL+second.URL+`"`) {
		t.Errorf("after removal, Open311 media_url: %s", body)
	}

	// Row-level security: trygg_app outside every scope reads no photo and can add none.
	app := pgtest.Conn(t, e.url+" user="+postgis.AppRole)
	var n int
	if err := app.QueryRow(context.Background(), `SELECT count(*) FROM report_photo`).Scan(&n); err != nil || n != 0 {
		t.Errorf("trygg_app without a scope sees %d photos (%v)", n, err)
	}
	if _, err := app.Exec(context.Background(), `INSERT INTO report_photo (report_id, hash, image, width, height, thumbnail)
		VALUES ($1, repeat('a', 64), '\xffd8', 1, 1, '\xffd8')`, s.ID); sqlState(err) != "42501" {
		t.Errorf("trygg_app without a scope adds a photo: %v", err)
	}
	if owner := pgtest.Strings(t, e.url, `SELECT count(*)::text FROM report_photo WHERE report_id = $1`, s.ID)[0]; owner != "1" {
		t.Errorf("the owner sees %s photos of the report, want 1", owner)
	}

	// Erasure takes the photos with the report.
	resp, body = public.send(t, http.MethodDelete, "/api/v1/reports/"+s.ID, nil, "Erasure-Token", s.Erasure)
	wantStatus(t, resp, body, http.StatusNoContent)
	if n := pgtest.Strings(t, e.url, `SELECT count(*)::text FROM report_photo WHERE report_id = $1`, s.ID)[0]; n != "0" {
		t.Errorf("%s photos left after erasure", n)
	}
	resp, _ = public.send(t, http.MethodGet, second.URL, nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("an erased report's photo: %d", resp.StatusCode)
	}
	if got := pgtest.Strings(t, e.url, `SELECT count(*)::text FROM audit_log WHERE entity_id = $1 AND (after::text LIKE '%'||$2||'%' OR before::text LIKE '%'||$2||'%')`, s.ID, secondHash)[0]; got != "0" {
		t.Errorf("the audit log still names the erased report's photo %s times", got)
	}
}

// TestPhotoLimitConcurrent: four different photos sent at once to a report with two
// (by the reporter and by a moderator) store one; the others are 409 on photos.
func TestPhotoLimitConcurrent(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) {
		o.ReportRate, o.PhotoRate = api.Rate{}, api.Rate{}
		o.Limits.Photos = 4 // all four decode at once, so they meet in the database
	})
	e.addUser(t, trygg.RoleModerator, "kommun-1470")
	mod := e.signIn(t, "moderator@kommun-1470.demo.trygg.se")
	public := e.client()
	s := submit(t, public, report(""))
	path := "/api/v1/reports/" + s.ID + "/photos"
	for _, shade := range []uint8{1, 2} {
		resp, body := public.send(t, http.MethodPost, path, smallPNG(t, shade), "Content-Type", "image/png", "Erasure-Token", s.Erasure)
		wantStatus(t, resp, body, http.StatusCreated)
	}
	statuses := make(chan int, 4)
	for i := 0; i < 4; i++ {
		c, header := public, []string{"Content-Type", "image/png", "Erasure-Token", s.Erasure}
		if i%2 == 1 {
			c, header = mod, []string{"Content-Type", "image/png"}
		}
		img := smallPNG(t, uint8(100+i))
		go func() {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, bytes.NewReader(img))
			for k := 0; k+1 < len(header); k += 2 {
				req.Header.Set(header[k], header[k+1])
			}
			if c.csrf != "" {
				req.Header.Set("X-CSRF-Token", c.csrf)
			}
			resp, err := c.http.Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	got := map[int]int{}
	for i := 0; i < 4; i++ {
		got[<-statuses]++
	}
	if got[http.StatusCreated] != 1 || got[http.StatusConflict] != 3 {
		t.Errorf("statuses %v, want one 201 and three 409", got)
	}
	if n := pgtest.Strings(t, e.url, `SELECT count(*)::text FROM report_photo WHERE report_id = $1`, s.ID)[0]; n != "3" {
		t.Errorf("%s photos stored, want 3", n)
	}
}
