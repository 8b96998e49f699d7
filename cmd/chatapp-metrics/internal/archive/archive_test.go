package archive

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/cmd/chatapp-metrics/internal/pgtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// forEachDB runs fn against a fresh SQLite file and a fresh Postgres
// server.
func forEachDB(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "sqlite:"+filepath.Join(t.TempDir(), "metrics.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, pgtest.Start(t)) })
}

func TestNewerBinaryMigratesVersion1Database(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		old, err := open(ctx, dsn, 1)
		require.NoError(t, err)
		v, err := old.Version(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, v)
		p := old.dialect.param
		start := time.Date(2026, 11, 19, 16, 0, 0, 0, time.UTC)
		_, err = old.db.ExecContext(ctx, `INSERT INTO phone_number_metrics (phone_number, granularity, bucket_start, bucket_end, sent, delivered)
			VALUES (`+p(1)+`, 'DAILY', `+p(2)+`, `+p(3)+`, 10, 9)`, "8613800001234", old.ts(start), old.ts(start.AddDate(0, 0, 1)))
		require.NoError(t, err)
		_, err = old.db.ExecContext(ctx, `SELECT fetched_at FROM phone_number_metrics`)
		require.Error(t, err, "version 1 has no fetched_at")
		require.NoError(t, old.Close())

		s, err := Open(ctx, dsn)
		require.NoError(t, err)
		defer s.Close()
		v, err = s.Version(ctx)
		require.NoError(t, err)
		assert.Equal(t, Latest(), v)
		points, err := s.Points(ctx, "8613800001234", chatapp.GranularityDaily)
		require.NoError(t, err)
		require.Len(t, points, 1, "the old row survives the migration")
		assert.Equal(t, start, points[0].Start)
		assert.Equal(t, int64(9), points[0].DeliveredCount)

		// Upserts now record fetched_at and replace the row.
		fetched := time.Date(2026, 11, 21, 1, 2, 3, 0, time.UTC)
		points[0].SentCount = 11
		require.NoError(t, s.Put(ctx, points, fetched))
		var got scanTime
		var at time.Time
		got.t = &at
		require.NoError(t, s.db.QueryRowContext(ctx, `SELECT fetched_at FROM phone_number_metrics`).Scan(got))
		assert.Equal(t, fetched, at)
		again, err := s.Points(ctx, "8613800001234", chatapp.GranularityDaily)
		require.NoError(t, err)
		require.Len(t, again, 1)
		assert.Equal(t, int64(11), again[0].SentCount)

		// Opening again applies nothing twice.
		s2, err := Open(ctx, dsn)
		require.NoError(t, err)
		s2.Close()
	})
}

func TestRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "metrics.db")
	s, err := Open(ctx, dsn)
	require.NoError(t, err)
	_, err = s.db.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (99, 'x')`)
	require.NoError(t, err)
	s.Close()
	_, err = Open(ctx, dsn)
	require.ErrorContains(t, err, "schema version 99, newer than this binary's")
}

func TestOpenRejectsUnknownDSN(t *testing.T) {
	for _, dsn := range []string{"metrics.db", "sqlite:", "mysql://x"} {
		_, err := Open(context.Background(), dsn)
		assert.ErrorContains(t, err, "-db", dsn)
		assert.ErrorIs(t, err, ErrDSN, dsn)
	}
}
