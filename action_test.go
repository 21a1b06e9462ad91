package trygg

import "testing"

func TestActionOverdue(t *testing.T) {
	d := func(s string) *Date { v, _ := ParseDate(s); return &v }
	today := *d("2026-12-03")
	for _, c := range []struct {
		due    *Date
		status string
		want   bool
	}{
		{d("2026-12-02"), ActionOpen, true}, {d("2026-12-02"), ActionInProgress, true},
		{d("2026-12-03"), ActionOpen, false}, // due today is not late yet
		{d("2026-12-02"), ActionDone, false}, {d("2026-12-02"), ActionRejected, false}, {nil, ActionOpen, false},
	} {
		if got := (Action{DueOn: c.due, Status: c.status}).Overdue(today); got != c.want {
			t.Errorf("due %v, %s: overdue %v, want %v", c.due, c.status, got, c.want)
		}
	}
	// An action needs something to hang on; a commitment alone is enough.
	a := Action{Description: "x", OwnerText: "y", Status: ActionOpen}
	if err := a.Validate(); ErrorCode(err) != EINVALID {
		t.Errorf("an action on nothing: %v", err)
	}
	a.CommitmentIDs = []string{"c"}
	if err := a.Validate(); err != nil {
		t.Errorf("an action on a commitment: %v", err)
	}
}
