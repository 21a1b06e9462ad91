// Package migrations holds the database schema as SQL files, applied in order by
// postgis.Migrate. Each file is one version: NNNNN_name.sql with goose's Up and Down
// sections, and runs in a transaction.
package migrations

import (
	"embed"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed *.sql
var files embed.FS

// FS returns the migration files.
func FS() fs.FS { return files }

// Latest returns the highest version among the migration files: the version a fully
// migrated database reports.
func Latest() int64 {
	entries, _ := fs.ReadDir(files, ".")
	var versions []int64
	for _, e := range entries {
		prefix, _, ok := strings.Cut(e.Name(), "_")
		if !ok {
			continue
		}
		if v, err := strconv.ParseInt(prefix, 10, 64); err == nil {
			versions = append(versions, v)
		}
	}
	if len(versions) == 0 {
		return 0
	}
	sort.Slice(versions, func(i, j int) bool { return versions[i] < versions[j] })
	return versions[len(versions)-1]
}
