package bench

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// cannedServerEnv makes the test binary serve the canned answer instead of
// running tests: TestMain re-executes itself with it set, so that the
// server's allocations and CPU are not counted in the client's B/op and
// allocs/op.
const cannedServerEnv = "CHATAPP_BENCH_CANNED_SERVER"

// sevenDaily is the 7-point DAILY answer of the team's captures
// (spec/captures/darabonba_v3_default.json, "response").
const sevenDaily = `{"RequestId":"EB5210E5-0000-4000-8000-000000000001","Code":"OK","Message":"OK","Data":[` +
	`{"SentCount":10,"DeliveredCount":5,"Start":1756684800000,"End":1756771200000,"PhoneNumber":"8613800001234","Granularity":"DAILY"},` +
	`{"SentCount":11,"DeliveredCount":6,"Start":1756771200000,"End":1756857600000,"PhoneNumber":"8613800001234","Granularity":"DAILY"},` +
	`{"SentCount":12,"DeliveredCount":7,"Start":1756857600000,"End":1756944000000,"PhoneNumber":"8613800001234","Granularity":"DAILY"},` +
	`{"SentCount":13,"DeliveredCount":8,"Start":1756944000000,"End":1757030400000,"PhoneNumber":"8613800001234","Granularity":"DAILY"},` +
	`{"SentCount":14,"DeliveredCount":9,"Start":1757030400000,"End":1757116800000,"PhoneNumber":"8613800001234","Granularity":"DAILY"},` +
	`{"SentCount":15,"DeliveredCount":10,"Start":1757116800000,"End":1757203200000,"PhoneNumber":"8613800001234","Granularity":"DAILY"},` +
	`{"SentCount":16,"DeliveredCount":11,"Start":1757203200000,"End":1757289600000,"PhoneNumber":"8613800001234","Granularity":"DAILY"}]}`

// badRequest is what the canned server answers to a request that does not
// carry the operation's parameters in its query, so that a client sending
// the wrong thing fails its benchmark instead of being measured.
const badRequest = `{"RequestId":"EB5210E5-0000-4000-8000-000000000002","HostId":"127.0.0.1","Code":"MissingStart","Message":"Start is mandatory for this action."}`

// cannedHandler answers every POST whose query has Start and End with
// sevenDaily. It does not check signatures.
func cannedHandler() http.Handler {
	ok, bad := []byte(sevenDaily), []byte(badRequest)
	okLen, badLen := []string{strconv.Itoa(len(ok))}, []string{strconv.Itoa(len(bad))}
	contentType := []string{"application/json;charset=utf-8"}
	requestID := []string{"EB5210E5-0000-4000-8000-000000000001"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		h := w.Header()
		h["Content-Type"] = contentType
		h["X-Acs-Request-Id"] = requestID
		q := r.URL.RawQuery
		if r.Method != http.MethodPost || !strings.Contains(q, "Start=") || !strings.Contains(q, "End=") {
			h["Content-Length"] = badLen
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write(bad)
			return
		}
		h["Content-Length"] = okLen
		_, _ = w.Write(ok)
	})
}

// serveCanned runs in the child: it listens on loopback, prints the URL on
// stdout, and serves until its stdin closes (the parent exited or is done).
func serveCanned() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "canned server:", err)
		os.Exit(1)
	}
	srv := &http.Server{Handler: cannedHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	fmt.Printf("http://%s\n", ln.Addr())
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "canned server:", err)
		os.Exit(1)
	}
}

// cannedServer is the child process serving the canned answer.
type cannedServer struct {
	url   string
	cmd   *exec.Cmd
	stdin io.Closer
}

// startCanned re-executes the test binary as the canned server and waits
// for its URL.
func startCanned() (*cannedServer, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), cannedServerEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		stdin.Close()
		_ = cmd.Wait()
		return nil, fmt.Errorf("canned server did not start: %w", err)
	}
	return &cannedServer{url: strings.TrimSpace(line), cmd: cmd, stdin: stdin}, nil
}

// stop ends the child by closing its stdin and waits for it.
func (s *cannedServer) stop() error {
	s.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		return errors.Join(errors.New("canned server did not exit"), <-done)
	}
}

var canned struct {
	once sync.Once
	srv  *cannedServer
	err  error
}

// cannedURL starts the canned server on first use and returns its URL.
func cannedURL(tb testing.TB) string {
	tb.Helper()
	canned.once.Do(func() { canned.srv, canned.err = startCanned() })
	if canned.err != nil {
		tb.Fatal(canned.err)
	}
	return canned.srv.url
}

func TestMain(m *testing.M) {
	if os.Getenv(cannedServerEnv) == "1" {
		serveCanned()
		return
	}
	code := m.Run()
	if canned.srv != nil {
		if err := canned.srv.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "canned server:", err)
		}
	}
	os.Exit(code)
}

// TestCannedServer checks that the canned server answers the 7-point
// series to a well-formed request and refuses one without parameters.
func TestCannedServer(t *testing.T) {
	base := cannedURL(t)
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"?Start=1&End=2", http.StatusOK},
		{"", http.StatusBadRequest},
	} {
		resp, err := http.Post(base+"/"+tc.query, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("POST /%s: HTTP %d %s, want %d", tc.query, resp.StatusCode, body, tc.want)
		}
	}
}
