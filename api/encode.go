package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/klauspost/compress/gzhttp"
)

// writeJSON writes v as JSON with the given status and content type.
func writeJSON(w http.ResponseWriter, status int, contentType string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeBytes(w, status, contentType, append(b, '\n'))
}

// writeBytes writes an encoded body.
func writeBytes(w http.ResponseWriter, status int, contentType string, b []byte) error {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b) // a client that went away cannot be told
	return nil
}

const contentTypeGeoJSON = "application/geo+json"

// gzipped is middleware that gzips answers of a kilobyte or more for clients that accept
// it (klauspost/compress/gzhttp, as package ogc does).
var gzipped = func() func(http.Handler) http.Handler {
	gz, err := gzhttp.NewWrapper(gzhttp.MinSize(1024))
	if err != nil {
		panic(err) // only for invalid options
	}
	return func(h http.Handler) http.Handler { return gz(h) }
}()
