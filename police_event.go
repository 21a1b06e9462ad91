package trygg

import (
	"time"

	"github.com/paulmach/orb"
)

// PoliceEvent is an event of the Police's public feed (polisen.se/api/events), stored as
// a report of source police-event: area-level, published, never shown to the public
// (public_report leaves police events out). trygg import police-events makes them.
type PoliceEvent struct {
	ID           int64     // the Police's event id; one report per id
	Type         string    // the Police's type, as written ("Misshandel, grov")
	Category     string    // the report category the type maps to
	Municipality string    // SCB code, from the event's place names
	Position     orb.Point // the feed's gps: the centroid of an administrative area, WGS 84
	CountyLevel  bool      // the feed's place is wider than the municipality (a county, named by location.name)
	At           time.Time // the feed's datetime
	Description  string    // the event's name and summary
}
