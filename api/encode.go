package api

import (
	"encoding/json"
	"net/http"
	"strconv"
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
