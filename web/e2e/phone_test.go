package e2e_test

import (
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
)

// TestPatrolPhone runs patrol_phone.mjs: the patrol tab for an officer on a phone
// (390×844, touch, geolocation granted) against the real server with the demo data.
// Its screenshots (20*-phone-patrol-*.png) go to web/e2e/out.
func TestPatrolPhone(t *testing.T) {
	b := needBrowser(t)
	base := startServer(t)
	b.run(t, 3*time.Minute, "patrol_phone.mjs", []string{base, b.out},
		"E2E_POLICE_EMAIL="+demo.DemoEmail(trygg.RolePolice, policeOrg), "E2E_POLICE_PASSWORD="+policePassword)
}
