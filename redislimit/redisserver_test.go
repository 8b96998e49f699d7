package redislimit

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// requireRedisEnv makes a missing redis-server a failure instead of a skip,
// for CI, where the tests must not pass by not running.
const requireRedisEnv = "CHATAPP_REQUIRE_REDIS"

// redisServer is a redis-server child process on a Unix socket, with no
// persistence, stopped when the test ends.
type redisServer struct {
	t    testing.TB
	sock string
	log  *bytes.Buffer
	cmd  *exec.Cmd
}

// startRedis starts a redis-server for t, or skips t when the binary is
// missing (fails it when CHATAPP_REQUIRE_REDIS=1).
func startRedis(t testing.TB) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv(requireRedisEnv) == "1" {
			t.Fatalf("redis-server not found and %s=1: %v", requireRedisEnv, err)
		}
		t.Skipf("redis-server not found (set %s=1 to make this fail): %v", requireRedisEnv, err)
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "redis.sock")
	if len(sock) >= 104 {
		// sun_path holds 108 bytes on Linux and 104 on macOS; long test
		// names can push TempDir past it.
		short, err := os.MkdirTemp("", "rl")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(short) })
		sock = filepath.Join(short, "redis.sock")
	}
	s := &redisServer{t: t, sock: sock, log: &bytes.Buffer{}}
	s.start()
	t.Cleanup(func() {
		s.kill()
		if t.Failed() {
			t.Logf("redis-server output:\n%s", s.log)
		}
	})
	return s
}

// start launches redis-server on s.sock and waits until it answers PING.
func (s *redisServer) start() {
	s.t.Helper()
	cmd := exec.Command("redis-server",
		"--port", "0",
		"--unixsocket", s.sock,
		"--unixsocketperm", "700",
		"--save", "",
		"--appendonly", "no",
		"--dir", filepath.Dir(s.sock),
	)
	cmd.Stdout = s.log
	cmd.Stderr = s.log
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start redis-server: %v", err)
	}
	s.cmd = cmd
	rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: s.sock, MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			s.kill()
			s.t.Fatalf("redis-server did not answer PING within 10s: %v\n%s", err, s.log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// kill ends the server at once, as a crash would. The socket file stays
// behind, as after a crash, so that a restart proves it is reused.
func (s *redisServer) kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// signal sends sig to the server, e.g. SIGSTOP to make it hang.
func (s *redisServer) signal(sig syscall.Signal) {
	if s.cmd != nil {
		_ = s.cmd.Process.Signal(sig)
	}
}

// client returns a new go-redis client of the server with default
// options (so ContextTimeoutEnabled is off), closed when the test ends.
func (s *redisServer) client(t testing.TB) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: s.sock})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}
