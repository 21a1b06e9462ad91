package trygg_test

import (
	"encoding/json"
	"testing"

	"github.com/trygg-gis/trygg"
)

func TestDateJSON(t *testing.T) {
	d, _ := trygg.ParseDate("2025-04-01")
	b, err := json.Marshal(struct{ D trygg.Date }{d})
	if err != nil || string(b) != `{"D":"2025-04-01"}` {
		t.Fatalf("marshal: %s %v", b, err)
	}
	var back struct{ D trygg.Date }
	if err := json.Unmarshal([]byte(`{"D":"2025-04-01"}`), &back); err != nil || !back.D.Equal(d.Time) {
		t.Fatalf("unmarshal: %v %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"D":"2025-04-01T00:00:00Z"}`), &back); err == nil {
		t.Error("a timestamp is not a date")
	}
}
