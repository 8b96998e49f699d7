// Package pgtest starts a throwaway Postgres server for tests: Debian's
// postgresql binaries, a temporary data directory, and a Unix socket only
// (no TCP port). As root, the server runs as the postgres system user,
// since Postgres refuses to run as root.
package pgtest

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
)

// BinDir is where Debian's postgresql-15 puts initdb and pg_ctl.
const BinDir = "/usr/lib/postgresql/15/bin"

// Start starts a server and returns the postgres:// URL of its database
// "postgres"; the server is stopped and its directory removed when the
// test ends. Without the binaries the test is skipped, unless
// CHATAPP_REQUIRE_POSTGRES=1.
func Start(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(BinDir, "pg_ctl")); err != nil {
		if os.Getenv("CHATAPP_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("CHATAPP_REQUIRE_POSTGRES=1 but Postgres is not installed in %s: %v", BinDir, err)
		}
		t.Skipf("Postgres is not installed in %s (Debian package postgresql)", BinDir)
	}
	dir, err := os.MkdirTemp("", "chatapp-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })

	// as runs a binary of BinDir as the server's user.
	as := func(name string, args ...string) *exec.Cmd {
		return exec.Command(filepath.Join(BinDir, name), args...)
	}
	if os.Getuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root, Postgres needs another user, and there is no postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		as = func(name string, args ...string) *exec.Cmd {
			return exec.Command("/usr/sbin/runuser", append([]string{"-u", "postgres", "--", filepath.Join(BinDir, name)}, args...)...)
		}
	}
	data := filepath.Join(dir, "data")
	run := func(cmd *exec.Cmd) {
		t.Helper()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", cmd, err, out)
		}
	}
	run(as("initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"))
	run(as("pg_ctl", "start", "-w", "-t", "120", "-D", data, "-l", filepath.Join(dir, "server.log"),
		"-o", fmt.Sprintf("-k %s -c listen_addresses='' -c fsync=off -p 5432", dir)))
	t.Cleanup(func() {
		if out, err := as("pg_ctl", "stop", "-m", "immediate", "-w", "-D", data).CombinedOutput(); err != nil {
			t.Logf("pg_ctl stop: %v\n%s", err, out)
		}
	})
	return fmt.Sprintf("postgres://postgres@/postgres?host=%s&port=5432&sslmode=disable", dir)
}
