package postgis

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/trygg-gis/trygg"
)

// The work that counts toward commitments (migration 23): walks, dialogues, camera
// sites and actions name commitments of their own municipality through link tables,
// as activities do; the view commitment_work holds every piece of work that counts
// within its promise's period, and the follow-up reads only it.

// workLink is a link table: the work's table, the link table and its column.
type workLink struct{ table, column string }

var (
	walkLinks     = workLink{"walk_commitment", "walk_id"}
	dialogueLinks = workLink{"dialogue_commitment", "dialogue_id"}
	actionLinks   = workLink{"action_commitment", "action_id"}
	cameraLinks   = workLink{"camera_commitment", "camera_id"}
)

// cleanCommitmentIDs checks that ids are commitment ids (EINVALID naming
// commitment_ids[i]) and returns them sorted, without repeats, never nil.
func cleanCommitmentIDs(ids []string) ([]string, error) {
	if len(ids) > 50 {
		return nil, trygg.Errorf(trygg.EINVALID, "commitment_ids", "at most 50 commitments")
	}
	out := make([]string, 0, len(ids))
	for i, id := range ids {
		id = strings.ToLower(strings.TrimSpace(id))
		if !isUUID(id) {
			return nil, trygg.Errorf(trygg.EINVALID, fmt.Sprintf("commitment_ids[%d]", i), "%q is not a commitment id", ids[i])
		}
		out = append(out, id)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// checkCommitmentsOf refuses (EINVALID, commitment_ids) ids that are not commitments
// of municipality muni that the caller sees.
func checkCommitmentsOf(ctx context.Context, tx pgx.Tx, muni string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	var found []string
	if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(id::text), '{}') FROM commitment
		WHERE id = ANY($1::uuid[]) AND municipality_code = $2`, ids, muni).Scan(&found); err != nil {
		return wrap(err, "read commitments")
	}
	for _, id := range ids {
		if !slices.Contains(found, id) {
			return trygg.Errorf(trygg.EINVALID, "commitment_ids", "no commitment has id %q in municipality %s", id, muni)
		}
	}
	return nil
}

// setWorkLinks replaces the commitments the work id (of municipality muni) links with
// ids, each checked by checkCommitmentsOf. nil ids leave the links as they are.
func setWorkLinks(ctx context.Context, tx pgx.Tx, l workLink, id, muni string, ids []string) error {
	if ids == nil {
		return nil
	}
	ids, err := cleanCommitmentIDs(ids)
	if err != nil {
		return err
	}
	if err := checkCommitmentsOf(ctx, tx, muni, ids); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM `+l.table+` WHERE `+l.column+` = $1 AND NOT (commitment_id = ANY($2::uuid[]))`,
		id, ids); err != nil {
		return wrap(err, "unlink commitments")
	}
	_, err = tx.Exec(ctx, `INSERT INTO `+l.table+` (`+l.column+`, commitment_id, municipality_code)
		SELECT $1, unnest($2::uuid[]), $3 ON CONFLICT DO NOTHING`, id, ids, muni)
	return wrap(err, "link commitments")
}

// workPage is the address of a piece of work for the staff ("" for none).
func workPage(kind, id string) string {
	switch kind {
	case trygg.WorkWalk:
		return "/api/v1/walks/" + id
	case trygg.WorkDialogue:
		return "/api/v1/dialogues/" + id
	case trygg.WorkCamera:
		return "/api/v1/cameras/" + id
	case trygg.WorkAction:
		return "/api/v1/actions/" + id
	case trygg.WorkActivity:
		return "/api/v1/activities/" + id
	}
	return ""
}

// hasWork reports whether any work counts toward the commitment (commitment_work).
func hasWork(ctx context.Context, tx pgx.Tx, commitmentID string) (bool, error) {
	var ok bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM commitment_work WHERE commitment_id = $1)`, commitmentID).Scan(&ok)
	return ok, wrap(err, "read commitment work")
}
