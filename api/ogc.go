package api

import (
	"github.com/trygg-gis/trygg/ogc"
)

// ogcHooks connect package ogc to the server: its problem+json errors, its fast
// GeoJSON geometry writer and its limit of large pages.
func (s *Server) ogcHooks() ogc.Hooks {
	return ogc.Hooks{Fail: s.fail, AppendGeometry: appendGeometry, BaseURL: s.baseURL, Large: s.gates.largePages.enter}
}
