package api

import (
	"encoding/json"
	"net/http"
)

// writeJSON writes v as JSON with the given status and content type.
func writeJSON(w http.ResponseWriter, status int, contentType string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n')) // a client that went away cannot be told
	return nil
}

const contentTypeGeoJSON = "application/geo+json"
