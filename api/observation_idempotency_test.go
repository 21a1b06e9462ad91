package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// addedIDs reads the ids of an observations answer.
func addedIDs(t *testing.T, body []byte) []string {
	t.Helper()
	var out struct {
		IDs []string `json:"ids"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return out.IDs
}

func walkReports(t *testing.T, url, walkID string) int {
	t.Helper()
	n := pgtest.Strings(t, url, `SELECT count(*)::text FROM report WHERE walk_id = $1`, walkID)
	return atoi(t, n[0])
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("not a count: %q", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// TestObservationIdempotencyKey: a walk leader's phone sends its queued observations
// again (the first answer was lost): a repeated Idempotency-Key answers the first ids
// with Idempotent-Replayed and stores nothing; the key used for another body is 422;
// a key is the walk's own; a request that was refused frees its key; nobody else can
// use or probe a walk's keys.
func TestObservationIdempotencyKey(t *testing.T) {
	e := newEnv(t, nil)
	planner := e.addUser(t, trygg.RolePlanner, "kommun-1470")
	police := e.addUser(t, trygg.RolePolice, "lpo-vastra-skaraborg")
	bergPlanner := e.addUser(t, trygg.RolePlanner, "kommun-1383")
	pl, po, berg := e.signIn(t, planner.Email), e.signIn(t, police.Email), e.signIn(t, bergPlanner.Email)
	resp, body := pl.do(t, http.MethodPost, "/api/v1/walks", walkBody(""))
	wantStatus(t, resp, body, http.StatusCreated)
	walkID := jsonField(t, body, "id")
	resp, body = pl.do(t, http.MethodPost, "/api/v1/walks", `{"title":"Stationsområdet","route":`+walkRoute+`}`)
	wantStatus(t, resp, body, http.StatusCreated)
	otherWalk := jsonField(t, body, "id")
	path := "/api/v1/walks/" + walkID + "/observations"

	obs := `{"type":"FeatureCollection","features":[` +
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[13.1011,58.2603]},"properties":{"category":"belysning","feeling":1,"description":"Trasig lampa","observed_at":"2026-10-01T19:05:00+02:00"}},` +
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[13.105,58.2615]},"properties":{"category":"vegetation","feeling":2,"observed_at":"2026-10-01T19:09:00+02:00"}}]}`
	resp, body = pl.post(t, path, "application/json", obs, "Idempotency-Key", "walk-key-1")
	wantStatus(t, resp, body, http.StatusCreated)
	first := addedIDs(t, body)
	if len(first) != 2 || resp.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first request: %s (Idempotent-Replayed %q)", body, resp.Header.Get("Idempotent-Replayed"))
	}
	// Again, as the same leader and as the police officer leading with them.
	for _, c := range []*client{pl, po} {
		resp, body = c.post(t, path, "application/json", obs, "Idempotency-Key", "walk-key-1")
		wantStatus(t, resp, body, http.StatusCreated)
		if got := addedIDs(t, body); !slices.Equal(got, first) || resp.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replay: ids %v (Idempotent-Replayed %q), want %v", got, resp.Header.Get("Idempotent-Replayed"), first)
		}
	}
	if n := walkReports(t, e.url, walkID); n != 2 {
		t.Errorf("%d observations stored, want 2", n)
	}
	// The observed time is the one the phone recorded, not the time it synced.
	if got := pgtest.Strings(t, e.url, `SELECT to_char(observed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') FROM report WHERE id = $1`, first[0]); got[0] != "2026-10-01T17:05" {
		t.Errorf("observed_at %q, want 2026-10-01T17:05 UTC", got[0])
	}

	// The key with another body.
	other := `{"location":{"type":"Point","coordinates":[13.1,58.26]},"category":"klotter","feeling":2}`
	resp, body = pl.post(t, path, "application/json", other, "Idempotency-Key", "walk-key-1")
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	if f := problemField(t, body); f != "Idempotency-Key" {
		t.Errorf("key reused for another body: field %q, want Idempotency-Key", f)
	}
	// A key belongs to its walk: the same key on another walk stores its observations.
	resp, body = pl.post(t, "/api/v1/walks/"+otherWalk+"/observations", "application/json", obs, "Idempotency-Key", "walk-key-1")
	wantStatus(t, resp, body, http.StatusCreated)
	if got := addedIDs(t, body); len(got) != 2 || slices.Contains(got, first[0]) || resp.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("the key on another walk: %s", body)
	}

	// A refused request (a place outside the walk's municipality) leaves its key free.
	outside := `{"location":` + bergPoint + `,"category":"klotter","feeling":2}`
	resp, body = pl.post(t, path, "application/json", outside, "Idempotency-Key", "walk-key-2")
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	resp, body = pl.post(t, path, "application/json", other, "Idempotency-Key", "walk-key-2")
	wantStatus(t, resp, body, http.StatusCreated)
	if got := addedIDs(t, body); len(got) != 1 || resp.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("after a refusal the key is free: %s", body)
	}
	if n := walkReports(t, e.url, walkID); n != 3 {
		t.Errorf("%d observations stored, want 3", n)
	}

	// A key longer than 255 characters.
	resp, body = pl.post(t, path, "application/json", other, "Idempotency-Key", strings.Repeat("k", 256))
	wantStatus(t, resp, body, http.StatusBadRequest)
	if f := problemField(t, body); f != "Idempotency-Key" {
		t.Errorf("long key: field %q, want Idempotency-Key", f)
	}

	// Another municipality's planner, a new key or the walk's: no walk (404), nothing
	// stored, no ids told. The public: 401.
	for _, k := range []string{"walk-key-1", "berg-key"} {
		resp, body = berg.post(t, path, "application/json", obs, "Idempotency-Key", k)
		wantStatus(t, resp, body, http.StatusNotFound)
		if strings.Contains(string(body), first[0]) {
			t.Errorf("Varberg's planner is told Vara's observation ids: %s", body)
		}
		resp, body = e.client().post(t, path, "application/json", obs, "Idempotency-Key", k)
		wantStatus(t, resp, body, http.StatusUnauthorized)
	}
	if n := walkReports(t, e.url, walkID); n != 3 {
		t.Errorf("%d observations after others tried, want 3", n)
	}
	// Two keys are stored for the walk (walk-key-1, walk-key-2), none by the refusals.
	if n := pgtest.Strings(t, e.url, `SELECT count(*)::text FROM observation_idempotency_key WHERE walk_id = $1`, walkID); n[0] != "2" {
		t.Errorf("%s keys stored for the walk, want 2", n[0])
	}
}

// TestObservationIdempotencyKeyConcurrent: twenty requests with one key at the same
// time store the observations once, and every answer names the same ids.
func TestObservationIdempotencyKeyConcurrent(t *testing.T) {
	e := newEnv(t, nil)
	planner := e.addUser(t, trygg.RolePlanner, "kommun-1470")
	pl := e.signIn(t, planner.Email)
	resp, body := pl.do(t, http.MethodPost, "/api/v1/walks", walkBody(""))
	wantStatus(t, resp, body, http.StatusCreated)
	walkID := jsonField(t, body, "id")
	obs := `{"location":{"type":"Point","coordinates":[13.1011,58.2603]},"category":"belysning","feeling":1,"description":"samtidigt"}`

	const n = 20
	type answer struct {
		status   int
		ids      []string
		replayed string
		body     string
	}
	answers := make([]answer, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/walks/"+walkID+"/observations", strings.NewReader(obs))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", "same-observation-key")
			req.Header.Set("X-CSRF-Token", pl.csrf)
			start.Wait()
			resp, err := pl.http.Do(req)
			if err != nil {
				answers[i].body = err.Error()
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			var out struct {
				IDs []string `json:"ids"`
			}
			_ = json.Unmarshal(b, &out)
			answers[i] = answer{status: resp.StatusCode, ids: out.IDs, replayed: resp.Header.Get("Idempotent-Replayed"), body: string(b)}
		}()
	}
	start.Done()
	done.Wait()
	ids := map[string]int{}
	fresh := 0
	for i, a := range answers {
		if a.status != http.StatusCreated || len(a.ids) != 1 {
			t.Errorf("request %d: status %d: %s", i, a.status, a.body)
			continue
		}
		ids[a.ids[0]]++
		if a.replayed == "" {
			fresh++
		}
	}
	if len(ids) != 1 || fresh != 1 {
		t.Errorf("answers name %d observations (%v), %d not replayed; want one, once", len(ids), ids, fresh)
	}
	if got := walkReports(t, e.url, walkID); got != 1 {
		t.Errorf("%d observations stored, want 1", got)
	}
}
