package trygg

import (
	"strings"
	"time"
)

// Dialogue is a citizen dialogue (medborgardialog): a meeting or a round of
// conversations where residents name places; the places are reports with source
// dialogue, moderated like residents' own.
type Dialogue struct {
	ID            string `json:"id"`
	Municipality  string `json:"municipality"`
	Title         string `json:"title"`
	HeldOn        Date   `json:"held_on"`
	Place         string `json:"place"`
	Format        string `json:"format"`
	Conversations int    `json:"conversations"`
	Notes         string `json:"notes"`
	Places        int    `json:"places"` // reports named in it
	// CommitmentIDs are the commitments (of the dialogue's municipality) the meeting
	// counts toward once held; nil on an update keeps them.
	CommitmentIDs []string  `json:"commitment_ids"`
	CreatedBy     string    `json:"created_by,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Validate checks a dialogue's own fields, trimming its texts.
func (d *Dialogue) Validate() error {
	d.Title = strings.TrimSpace(d.Title)
	d.Place = strings.TrimSpace(d.Place)
	d.Format = strings.TrimSpace(d.Format)
	switch {
	case !ValidMunicipalityCode(d.Municipality):
		return Errorf(EINVALID, "municipality", "municipality %q is not an SCB code", d.Municipality)
	case d.Title == "":
		return Errorf(EINVALID, "title", "title is missing")
	case d.HeldOn.IsZero():
		return Errorf(EINVALID, "held_on", "held_on is missing: the day of the dialogue, such as 2026-03-14")
	case d.HeldOn.Year() < 2000 || d.HeldOn.After(time.Now().AddDate(2, 0, 0)):
		return Errorf(EINVALID, "held_on", "held_on %s is not a day from 2000 to two years ahead", d.HeldOn.Format(time.DateOnly))
	case d.Conversations < 0:
		return Errorf(EINVALID, "conversations", "conversations is a count, 0 or more")
	}
	for _, c := range []struct {
		field, text string
		max         int
	}{{"title", d.Title, 200}, {"place", d.Place, 200}, {"format", d.Format, 100}, {"notes", d.Notes, 10000}} {
		if err := CheckText(c.field, c.text, c.max); err != nil {
			return err
		}
	}
	return nil
}
