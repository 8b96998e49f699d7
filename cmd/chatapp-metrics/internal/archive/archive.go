// Package archive keeps the points of GetChatappPhoneNumberMetric in a SQL
// database, SQLite or Postgres, through database/sql: one table,
// phone_number_metrics, keyed by (phone_number, granularity,
// bucket_start), which Open creates and migrates.
//
// In Postgres bucket_start, bucket_end and fetched_at are timestamptz; in
// SQLite they are ISO-8601 UTC text such as 2026-11-20T16:00:00Z, which
// SQLite's date and time functions read.
//
// A row whose fetched_at is before its bucket_end was read before its
// bucket ended (today's day, the current half hour) and holds a partial
// count; a later sync re-reads it through its overlap and replaces it.
// Queries that want whole buckets only add fetched_at >= bucket_end.
package archive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chatappkit/chatapp"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite", pure Go
)

// sqliteTime is how SQLite columns hold instants: UTC, whole seconds.
const sqliteTime = "2006-01-02T15:04:05Z"

// Store is an archive database.
type Store struct {
	db      *sql.DB
	dialect dialect
}

// dialect is what differs between the databases.
type dialect struct {
	name string
	// param returns the placeholder of the n-th argument (from 1).
	param func(n int) string
	// migrations are the schema versions, from 1.
	migrations []string
	// lock, if set, serialises migrations across processes.
	lock string
}

var sqlite = dialect{
	name:  "sqlite",
	param: func(int) string { return "?" },
	migrations: []string{
		// 1: the table.
		`CREATE TABLE phone_number_metrics (
			phone_number TEXT NOT NULL,
			granularity  TEXT NOT NULL,
			bucket_start TEXT NOT NULL,
			bucket_end   TEXT NOT NULL,
			sent         INTEGER NOT NULL,
			delivered    INTEGER NOT NULL,
			PRIMARY KEY (phone_number, granularity, bucket_start)
		)`,
		// 2: when each row was read, and an index for range queries
		// across numbers.
		`ALTER TABLE phone_number_metrics ADD COLUMN fetched_at TEXT;
		CREATE INDEX phone_number_metrics_bucket_start ON phone_number_metrics (granularity, bucket_start)`,
	},
}

var postgres = dialect{
	name:  "postgres",
	param: func(n int) string { return fmt.Sprintf("$%d", n) },
	migrations: []string{
		`CREATE TABLE phone_number_metrics (
			phone_number text NOT NULL,
			granularity  text NOT NULL,
			bucket_start timestamptz NOT NULL,
			bucket_end   timestamptz NOT NULL,
			sent         bigint NOT NULL,
			delivered    bigint NOT NULL,
			PRIMARY KEY (phone_number, granularity, bucket_start)
		)`,
		`ALTER TABLE phone_number_metrics ADD COLUMN fetched_at timestamptz;
		CREATE INDEX phone_number_metrics_bucket_start ON phone_number_metrics (granularity, bucket_start)`,
	},
	lock: `SELECT pg_advisory_xact_lock(7311150913)`, // any constant, the same in every process
}

// Open opens the database named by dsn, "sqlite:FILE" or a
// postgres:// (postgresql://) URL, and migrates it to the newest schema.
func Open(ctx context.Context, dsn string) (*Store, error) {
	return open(ctx, dsn, -1)
}

// ErrDSN is matched by the errors of a -db value that names no database
// Open can use (the caller's mistake, not the database's); its text is the
// flag's name, so the messages read "-db: ..." and "-db must be ...".
var ErrDSN = errors.New("-db")

// open opens dsn and migrates it to version upTo (-1: the newest).
func open(ctx context.Context, dsn string, upTo int) (*Store, error) {
	var s Store
	var db *sql.DB
	var err error
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, fmt.Errorf("%w: sqlite: needs a file name, as in sqlite:metrics.db", ErrDSN)
		}
		s.dialect = sqlite
		// One connection: SQLite has one writer, and a second connection
		// would wait on the first's lock.
		db, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
		if err == nil {
			db.SetMaxOpenConns(1)
		}
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s.dialect = postgres
		db, err = sql.Open("pgx", dsn)
	default:
		return nil, fmt.Errorf("%w must be sqlite:FILE or a postgres:// URL", ErrDSN)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDSN, err)
	}
	s.db = db
	if err := s.migrate(ctx, upTo); err != nil {
		db.Close()
		return nil, err
	}
	return &s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// DB is the database, for queries of the archive.
func (s *Store) DB() *sql.DB { return s.db }

// Dialect is "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect.name }

// Version returns the schema version the database is at.
func (s *Store) Version(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v)
	return int(v.Int64), err
}

// Latest is the schema version this package migrates to.
func Latest() int { return len(sqlite.migrations) }

// migrate applies the migrations after the database's version, each in a
// transaction with its row in schema_migrations.
func (s *Store) migrate(ctx context.Context, upTo int) error {
	if upTo < 0 {
		upTo = len(s.dialect.migrations)
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("archive: schema_migrations: %w", err)
	}
	for v := 1; v <= upTo; v++ {
		if err := s.apply(ctx, v); err != nil {
			return fmt.Errorf("archive: migration %d: %w", v, err)
		}
	}
	have, err := s.Version(ctx)
	if err != nil {
		return fmt.Errorf("archive: schema version: %w", err)
	}
	if have > len(s.dialect.migrations) {
		return fmt.Errorf("archive: the database is at schema version %d, newer than this binary's %d: upgrade chatapp-metrics", have, len(s.dialect.migrations))
	}
	return nil
}

// apply runs migration v unless it is recorded already.
func (s *Store) apply(ctx context.Context, v int) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if s.dialect.lock != "" {
		if _, err := tx.ExecContext(ctx, s.dialect.lock); err != nil {
			return err
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = `+s.dialect.param(1), v).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	for stmt := range strings.SplitSeq(s.dialect.migrations[v-1], ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	p := s.dialect.param
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (`+p(1)+`, `+p(2)+`)`,
		v, time.Now().UTC().Format(sqliteTime)); err != nil {
		return err
	}
	return tx.Commit()
}

// ts is how an instant is passed to the database.
func (s *Store) ts(t time.Time) any {
	if s.dialect.name == "sqlite" {
		return t.UTC().Format(sqliteTime)
	}
	return t.UTC()
}

// scanTime reads an instant column.
type scanTime struct{ t *time.Time }

// Scan implements sql.Scanner for both dialects' columns.
func (st scanTime) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		*st.t = v.UTC()
		return nil
	case string:
		t, err := time.Parse(time.RFC3339, v)
		*st.t = t.UTC()
		return err
	case []byte:
		t, err := time.Parse(time.RFC3339, string(v))
		*st.t = t.UTC()
		return err
	}
	return fmt.Errorf("archive: a time column holds %T", v)
}

// Span returns the starts of the oldest and the newest stored buckets of
// a number at granularity g; ok is false when there is none.
func (s *Store) Span(ctx context.Context, phone string, g chatapp.Granularity) (first, last time.Time, ok bool, err error) {
	p := s.dialect.param
	var n int
	err = s.db.QueryRowContext(ctx, `SELECT count(*), min(bucket_start), max(bucket_start) FROM phone_number_metrics
		WHERE phone_number = `+p(1)+` AND granularity = `+p(2), phone, string(g)).Scan(&n, nullTime{&first}, nullTime{&last})
	return first, last, err == nil && n > 0, err
}

// nullTime reads an instant column that may be NULL (then the zero time).
type nullTime struct{ t *time.Time }

// Scan implements sql.Scanner.
func (nt nullTime) Scan(v any) error {
	if v == nil {
		*nt.t = time.Time{}
		return nil
	}
	return scanTime(nt).Scan(v)
}

// Put upserts points, all in one transaction: either every point is
// stored or none.
func (s *Store) Put(ctx context.Context, points []chatapp.PhoneNumberMetric, fetchedAt time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	p := s.dialect.param
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO phone_number_metrics
		(phone_number, granularity, bucket_start, bucket_end, sent, delivered, fetched_at)
		VALUES (`+p(1)+`, `+p(2)+`, `+p(3)+`, `+p(4)+`, `+p(5)+`, `+p(6)+`, `+p(7)+`)
		ON CONFLICT (phone_number, granularity, bucket_start) DO UPDATE SET
		bucket_end = excluded.bucket_end, sent = excluded.sent, delivered = excluded.delivered, fetched_at = excluded.fetched_at`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, pt := range points {
		if _, err := stmt.ExecContext(ctx, pt.PhoneNumber, string(pt.Granularity), s.ts(pt.Start), s.ts(pt.End),
			pt.SentCount, pt.DeliveredCount, s.ts(fetchedAt)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Points returns the stored points of a number at granularity g in
// bucket order.
func (s *Store) Points(ctx context.Context, phone string, g chatapp.Granularity) ([]chatapp.PhoneNumberMetric, error) {
	p := s.dialect.param
	rows, err := s.db.QueryContext(ctx, `SELECT bucket_start, bucket_end, sent, delivered FROM phone_number_metrics
		WHERE phone_number = `+p(1)+` AND granularity = `+p(2)+` ORDER BY bucket_start`, phone, string(g))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []chatapp.PhoneNumberMetric
	for rows.Next() {
		m := chatapp.PhoneNumberMetric{PhoneNumber: phone, Granularity: g}
		if err := rows.Scan(scanTime{&m.Start}, scanTime{&m.End}, &m.SentCount, &m.DeliveredCount); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
