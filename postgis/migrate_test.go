package postgis_test

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/migrations"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// migrationVersions returns the versions of the migration files, in order.
func migrationVersions(t *testing.T) []int64 {
	t.Helper()
	names, err := fs.Glob(migrations.FS(), "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	var vs []int64
	for _, n := range names {
		prefix, _, _ := strings.Cut(n, "_")
		v, err := strconv.ParseInt(prefix, 10, 64)
		if err != nil {
			t.Fatalf("migration %s: version: %v", n, err)
		}
		vs = append(vs, v)
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i] < vs[j] })
	if len(vs) == 0 {
		t.Fatal("no migration files")
	}
	if last := vs[len(vs)-1]; last != migrations.Latest() {
		t.Fatalf("migrations.Latest() = %d, want %d", migrations.Latest(), last)
	}
	return vs
}

// versionRows returns, for each version in goose_db_version, how many applied and how
// many not-applied rows it has.
func versionRows(t *testing.T, url string) (applied, notApplied map[int64]int) {
	t.Helper()
	conn := connect(t, url)
	rows, err := conn.Query(context.Background(), `SELECT version_id, is_applied FROM goose_db_version`)
	if err != nil {
		t.Fatalf("read goose_db_version: %v", err)
	}
	defer rows.Close()
	applied, notApplied = map[int64]int{}, map[int64]int{}
	for rows.Next() {
		var v int64
		var ok bool
		if err := rows.Scan(&v, &ok); err != nil {
			t.Fatal(err)
		}
		if ok {
			applied[v]++
		} else {
			notApplied[v]++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return applied, notApplied
}

// checkVersionTable checks that goose_db_version has exactly one applied row for goose's
// version 0 and for each migration, and nothing else.
func checkVersionTable(t *testing.T, url string, want []int64) {
	t.Helper()
	applied, notApplied := versionRows(t, url)
	wantApplied := map[int64]int{0: 1}
	for _, v := range want {
		wantApplied[v] = 1
	}
	if !reflect.DeepEqual(applied, wantApplied) {
		t.Errorf("applied rows per version = %v, want %v", applied, wantApplied)
	}
	if len(notApplied) != 0 {
		t.Errorf("not-applied rows per version = %v, want none", notApplied)
	}
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	want := migrationVersions(t)
	url := pgtest.EmptyURL(t)
	ctx := context.Background()

	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	applied, err := postgis.Migrate(ctx, url, log)
	if err != nil {
		t.Fatalf("first Migrate: %v", err)
	}
	if !reflect.DeepEqual(applied, want) {
		t.Errorf("first Migrate applied %v, want %v", applied, want)
	}
	if n := strings.Count(logs.String(), "migration applied"); n != len(want) {
		t.Errorf("log has %d \"migration applied\" lines, want %d:\n%s", n, len(want), logs.String())
	}
	if !strings.Contains(logs.String(), "version="+strconv.FormatInt(migrations.Latest(), 10)) {
		t.Errorf("log does not name version %d:\n%s", migrations.Latest(), logs.String())
	}
	checkVersionTable(t, url, want)

	applied, err = postgis.Migrate(ctx, url, nil)
	if err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if len(applied) != 0 {
		t.Errorf("second Migrate applied %v, want nothing", applied)
	}
	checkVersionTable(t, url, want)

	// The schema is usable: the tables of the latest migration exist.
	conn := connect(t, url)
	for _, table := range []string{"municipality", "police_area", "police_area_municipality", "police_area_boundary"} {
		if n := queryInt(t, conn, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%s has %d rows, want 0", table, n)
		}
	}
}

func TestMigrateConcurrent(t *testing.T) {
	t.Parallel()
	want := migrationVersions(t)
	url := pgtest.EmptyURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	const n = 2
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		applied [n][]int64
		errs    [n]error
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			applied[i], errs[i] = postgis.Migrate(ctx, url, nil)
		}()
	}
	close(start)
	wg.Wait()

	var all []int64
	for i := range n {
		if errs[i] != nil {
			t.Errorf("Migrate %d: %v", i, errs[i])
		}
		all = append(all, applied[i]...)
	}
	// One run applies every migration, the other waits for the lock and finds nothing
	// to do: each version is applied once.
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	if !reflect.DeepEqual(all, want) {
		t.Errorf("the runs applied %v and %v together %v, want %v once", applied[0], applied[1], all, want)
	}
	checkVersionTable(t, url, want)
}

func TestReady(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		setup    func(t *testing.T, url string)
		wantCode string // "" for ready
	}{
		{"empty database", func(t *testing.T, url string) {}, trygg.EUNAVAILABLE},
		{"migrated", func(t *testing.T, url string) {
			if _, err := postgis.Migrate(context.Background(), url, nil); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
		}, ""},
		{"latest migration missing", func(t *testing.T, url string) {
			if _, err := postgis.Migrate(context.Background(), url, nil); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			if _, err := connect(t, url).Exec(context.Background(),
				`DELETE FROM goose_db_version WHERE version_id = $1`, migrations.Latest()); err != nil {
				t.Fatal(err)
			}
		}, trygg.EUNAVAILABLE},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := pgtest.EmptyURL(t)
			tc.setup(t, url)
			db, err := postgis.Open(context.Background(), url, postgis.Options{})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer db.Close()
			err = db.Ready(context.Background())
			if got := trygg.ErrorCode(err); got != tc.wantCode {
				t.Errorf("Ready() = %v; got code %q, want %q", err, got, tc.wantCode)
			}
		})
	}

	t.Run("fresh test database", func(t *testing.T) {
		t.Parallel()
		db, _ := pgtest.Open(t)
		if err := db.Ready(context.Background()); err != nil {
			t.Errorf("Ready() = %v, want nil", err)
		}
	})

	t.Run("deadline passed", func(t *testing.T) {
		t.Parallel()
		db, _ := pgtest.Open(t)
		ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		defer cancel()
		err := db.Ready(ctx)
		if got := trygg.ErrorCode(err); got != trygg.EUNAVAILABLE {
			t.Errorf("Ready() past its deadline = %v; got code %q, want %q", err, got, trygg.EUNAVAILABLE)
		}
	})
}

// landed are the migrations of the last release, as a database in service has them: every
// later migration must apply on top. goose refuses a migration numbered below the newest
// applied one, so a new migration is numbered above landed's last (the bug this guards:
// 27 and 28 written after 29 had landed). Add a release's migrations here when it lands.
var landed = []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20, 21, 22, 23, 24, 25, 26, 29, 30, 31, 32, 33}

func TestMigrateFromLanded(t *testing.T) {
	t.Parallel()
	url := pgtest.EmptyURL(t)
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB := stdlib.OpenDB(*cfg)
	defer sqlDB.Close()
	// The landed release: only its migration files.
	old := fstest.MapFS{}
	files, err := fs.Glob(migrations.FS(), "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	isLanded := map[int64]bool{}
	for _, v := range landed {
		isLanded[v] = true
	}
	for _, f := range files {
		v, err := strconv.ParseInt(strings.SplitN(f, "_", 2)[0], 10, 64)
		if err != nil || !isLanded[v] {
			continue
		}
		b, err := fs.ReadFile(migrations.FS(), f)
		if err != nil {
			t.Fatal(err)
		}
		old[f] = &fstest.MapFile{Data: b}
	}
	if len(old) != len(landed) {
		t.Fatalf("found %d of the %d landed migrations", len(old), len(landed))
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.Up(ctx); err != nil {
		t.Fatalf("the landed migrations: %v", err)
	}
	var want []int64
	for _, v := range migrationVersions(t) {
		if !isLanded[v] {
			want = append(want, v)
		}
	}
	applied, err := postgis.Migrate(ctx, url, nil)
	if err != nil {
		t.Fatalf("Migrate on top of the landed release: %v", err)
	}
	if !reflect.DeepEqual(applied, want) {
		t.Errorf("Migrate on top of the landed release applied %v, want %v", applied, want)
	}
	checkVersionTable(t, url, migrationVersions(t))
}
