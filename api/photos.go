package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/auth"
	"github.com/trygg-gis/trygg/photo"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/tiles"
)

// maxPhotoUpload is the body limit of a photo upload, above the server's MaxBodyBytes
// (observe lets it through for that route alone).
const maxPhotoUpload = photo.MaxBytes

// photoRoles are the staff who add and remove photos: those who moderate (with the
// scope checks of moderation, postgis.AddPhoto).
var photoRoles = []trygg.Role{trygg.RoleModerator, trygg.RoleAdmin, trygg.RolePlanner}

// photoCache is how long everyone's caches may keep a public photo without asking:
// the bytes of a URL never change (its name is their hash), but a photo a moderator
// removes, or a report rejected after publication, should leave caches within a day.
const photoCache = "public, max-age=86400, immutable"

var photoHashRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// isPhotoUpload says whether r is POST /api/v1/reports/{id}/photos.
func isPhotoUpload(r *http.Request) bool {
	p := r.URL.Path
	if r.Method != http.MethodPost || !strings.HasPrefix(p, "/api/v1/reports/") || !strings.HasSuffix(p, "/photos") {
		return false
	}
	return strings.Count(p, "/") == 5
}

// handleAddPhoto answers POST /api/v1/reports/{id}/photos: the body is the image itself
// (Content-Type image/jpeg, image/png or image/webp; at most 10 MB, else 413). The
// reporter sends the erasure token as Erasure-Token while the report is received;
// staff who moderate it (moderators, admins; planners for staff's own sources) at any
// time. The photo is decoded, turned upright, scaled and re-encoded (package photo),
// so nothing of its EXIF is kept: 201 with the photo, 200 if this image was added
// before, 409 on "photos" for a fourth.
func (s *Server) handleAddPhoto(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := mux.Vars(r)["id"]
	c := trygg.CallerFrom(ctx)
	staff := c != nil && c.User.ID != ""
	token := r.Header.Get("Erasure-Token")
	switch {
	case staff:
		if !c.Can(photoRoles...) {
			return trygg.Errorf(trygg.EFORBIDDEN, "", "the role %s may not add photos", c.User.Role)
		}
	case token != "":
		// Before reading and decoding anything: within the address's rate (a reporter may
		// add and remove photos), the reporter's report, and still open to photos?
		if err := s.db.Take(ctx, limit(bucketPhoto, s.clientIP(r), s.opts.PhotoRate)); err != nil {
			return limited(err)
		}
		st, err := s.db.ReportForReporter(ctx, id, auth.HashToken(token))
		if err != nil {
			return err
		}
		if st.Status != trygg.StatusReceived {
			return trygg.Errorf(trygg.EFORBIDDEN, "Erasure-Token",
				"the report is moderated: photos are added by the reporter only before that, and by the municipality's staff after")
		}
	default:
		return trygg.Errorf(trygg.EUNAUTHORIZED, "Erasure-Token",
			"send the erasure token you got when you reported, in the header Erasure-Token, or sign in")
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !slices.Contains(photo.ContentTypes, mt) {
		return httpError(http.StatusUnsupportedMediaType, "Content-Type",
			"send the photo itself as the body, with Content-Type image/jpeg, image/png or image/webp")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, photo.MaxBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return httpError(http.StatusRequestEntityTooLarge, "body", fmt.Sprintf("a photo is at most %d MB", photo.MaxBytes>>20))
		}
		return err
	}
	if len(body) == 0 {
		return trygg.Errorf(trygg.EINVALID, "body", "the body is empty: send the photo")
	}
	release, err := s.gates.photos.enter(ctx)
	if err != nil {
		return err
	}
	p, err := photo.Process(body)
	release()
	if err != nil {
		return err
	}
	np := postgis.NewPhoto{Hash: p.Hash, Image: p.JPEG, Width: p.Width, Height: p.Height, Thumbnail: p.Thumbnail}
	var out postgis.AddedPhoto
	if staff {
		out, err = s.db.AddPhoto(ctx, id, np)
	} else {
		out, err = s.db.AddPhotoAsReporter(ctx, id, auth.HashToken(token), np)
	}
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if out.Exists {
		status = http.StatusOK
	}
	w.Header().Set("Location", out.Photo.URL)
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, status, "application/json", out.Photo)
}

// handlePhoto answers GET /api/v1/reports/{id}/photos/{hash} and …/{hash}/thumbnail:
// the JPEG, for everyone once the report is published (or resolved), before that only
// for staff who see the report and for the reporter (Erasure-Token). Its ETag is its
// hash; public photos are cached as immutable, the others privately and revalidated.
func (s *Server) handlePhoto(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	v := mux.Vars(r)
	id, hash := v["id"], v["hash"]
	thumb := strings.HasSuffix(r.URL.Path, "/thumbnail")
	if !photoHashRE.MatchString(hash) {
		return trygg.Errorf(trygg.ENOTFOUND, "photo", "no photo is named %q", hash)
	}
	var img postgis.PhotoImage
	var err error = trygg.Errorf(trygg.ENOTFOUND, "photo", "no such photo")
	if c := trygg.CallerFrom(ctx); c != nil && c.User.ID != "" {
		img, err = s.db.StaffPhoto(ctx, id, hash, thumb)
	}
	if trygg.ErrorCode(err) == trygg.ENOTFOUND {
		var eh []byte
		if token := r.Header.Get("Erasure-Token"); token != "" {
			eh = auth.HashToken(token)
		}
		img, err = s.db.Photo(ctx, id, hash, thumb, eh)
	}
	if err != nil {
		return err
	}
	etag := `"` + hash + `"`
	if thumb {
		etag = `"` + hash + `-t"` // the thumbnail is made from the photo alone
	}
	h := w.Header()
	h.Set("ETag", etag)
	if img.Public {
		h.Set("Cache-Control", photoCache)
	} else {
		h.Set("Cache-Control", "private, no-cache")
	}
	h.Set("X-Content-Type-Options", "nosniff")
	if tiles.MatchETag(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h.Set("Content-Type", photo.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(img.JPEG)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(img.JPEG) // a client that went away cannot be told
	}
	return nil
}

// handleRemovePhoto answers DELETE /api/v1/reports/{id}/photos/{hash}: staff who
// moderate the report remove a photo (audited as report.photo_remove), and the
// reporter (Erasure-Token) one of a report not yet moderated.
func (s *Server) handleRemovePhoto(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	v := mux.Vars(r)
	c := trygg.CallerFrom(ctx)
	token := r.Header.Get("Erasure-Token")
	var err error
	switch {
	case c != nil && c.User.ID != "":
		if !c.Can(photoRoles...) {
			return trygg.Errorf(trygg.EFORBIDDEN, "", "the role %s may not remove photos", c.User.Role)
		}
		if !photoHashRE.MatchString(v["hash"]) {
			return trygg.Errorf(trygg.ENOTFOUND, "photo", "no photo is named %q", v["hash"])
		}
		err = s.db.RemovePhoto(ctx, v["id"], v["hash"])
	case token != "":
		if !photoHashRE.MatchString(v["hash"]) {
			return trygg.Errorf(trygg.ENOTFOUND, "photo", "no photo is named %q", v["hash"])
		}
		err = s.db.RemovePhotoAsReporter(ctx, v["id"], auth.HashToken(token), v["hash"])
	default:
		return trygg.Errorf(trygg.EUNAUTHORIZED, "Erasure-Token",
			"send the erasure token you got when you reported, in the header Erasure-Token, or sign in")
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
