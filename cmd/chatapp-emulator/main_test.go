package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets TestSignal run this test binary as the command itself.
func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv("CHATAPP_EMULATOR_ARGS"); ok {
		os.Args = append([]string{"chatapp-emulator"}, strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// lockedBuffer collects a writer's output for reading from another
// goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// readURL reads the banner's first line and returns the URL in it.
func readURL(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	line, err := r.ReadString('\n')
	require.NoError(t, err)
	const prefix = "chatapp-emulator listening on "
	require.True(t, strings.HasPrefix(line, prefix), line)
	return strings.TrimSpace(strings.TrimPrefix(line, prefix))
}

// started is the command running in-process, as startRun leaves it.
type started struct {
	url    string        // from the banner
	out    *bufio.Reader // the rest of stdout
	stderr *lockedBuffer
	done   chan error // run's result, once ctx ends
}

// startRun runs the command with args until ctx ends and reads its URL off
// the banner.
func startRun(t *testing.T, ctx context.Context, args ...string) *started {
	t.Helper()
	outR, outW := io.Pipe()
	s := &started{stderr: new(lockedBuffer), done: make(chan error, 1)}
	go func() {
		s.done <- run(ctx, args, outW, s.stderr)
		outW.Close()
	}()
	s.out = bufio.NewReader(outR)
	s.url = readURL(t, s.out)
	return s
}

// TestRun starts the command in-process, calls it with the SDK's client
// under both schemes, and stops it by ending the context.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := startRun(t, ctx, "-addr", "127.0.0.1:0", "-access-key-id", "cli-id", "-access-key-secret", "cli-secret-value", "-timezone", "UTC")
	out, url := s.out, s.url
	assert.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), url)
	var banner strings.Builder
	for range 3 {
		line, err := out.ReadString('\n')
		require.NoError(t, err)
		banner.WriteString(line)
	}
	assert.Contains(t, banner.String(), "AccessKeyId:     cli-id")
	assert.Contains(t, banner.String(), "AccessKeySecret: cli-secret-value")
	assert.Contains(t, banner.String(), "Time zone:       UTC")
	go func() { _, _ = io.Copy(io.Discard, out) }()

	for _, sig := range []chatapp.SignatureVersion{chatapp.SignatureV3, chatapp.SignatureRPC} {
		client, err := chatapp.NewClient(chatapp.WithEndpoint(url), chatapp.WithAccessKey("cli-id", "cli-secret-value"), chatapp.WithSignatureVersion(sig))
		require.NoError(t, err)
		resp, err := client.GetChatappPhoneNumberMetric(ctx, &chatapp.GetChatappPhoneNumberMetricRequest{
			Start: time.Now().AddDate(0, 0, -3),
			End:   time.Now(),
		})
		require.NoError(t, err)
		assert.NotEmpty(t, resp.Data)
		for _, p := range resp.Data {
			assert.Zero(t, p.Start.UnixMilli()%(24*3600*1000), "DAILY buckets at UTC midnights, per -timezone")
		}
	}
	wrong, err := chatapp.NewClient(chatapp.WithEndpoint(url), chatapp.WithAccessKey("cli-id", "nope"))
	require.NoError(t, err)
	_, err = wrong.EnableWhatsappROIMetric(ctx, nil)
	assert.ErrorIs(t, err, chatapp.ErrAuthentication)

	cancel()
	select {
	case err := <-s.done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after the context ended")
	}
	log := s.stderr.String()
	lines := strings.Split(strings.TrimSpace(log), "\n")
	require.Len(t, lines, 3, log)
	assert.Contains(t, lines[0], "msg=request action=GetChatappPhoneNumberMetric status=200 code=OK latency=")
	assert.Contains(t, lines[0], "access_key_id=cli-id")
	assert.Contains(t, lines[2], "status=400 code=SignatureDoesNotMatch")
	assert.NotContains(t, log, "cli-secret-value")
	assert.NotContains(t, log, "Signature=")
}

func TestRunSTSAndQuiet(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := startRun(t, ctx, "-addr", "127.0.0.1:0", "-access-key-id", "STS.cli", "-security-token", "tok", "-quiet", "-roi-disabled")
	url := s.url
	go func() { _, _ = io.Copy(io.Discard, s.out) }()

	client, err := chatapp.NewClient(chatapp.WithEndpoint(url), chatapp.WithSTSToken("STS.cli", "testsecret", "tok"))
	require.NoError(t, err)
	resp, err := client.GetChatappPhoneNumberMetric(ctx, &chatapp.GetChatappPhoneNumberMetricRequest{Start: time.Now().AddDate(0, 0, -3), End: time.Now()})
	require.NoError(t, err)
	assert.Empty(t, resp.Data, "-roi-disabled")

	noToken, err := chatapp.NewClient(chatapp.WithEndpoint(url), chatapp.WithAccessKey("STS.cli", "testsecret"))
	require.NoError(t, err)
	_, err = noToken.EnableWhatsappROIMetric(ctx, nil)
	assert.ErrorIs(t, err, chatapp.ErrAuthentication)

	cancel()
	require.NoError(t, <-s.done)
	assert.Empty(t, s.stderr.String(), "-quiet")
}

// TestSignal runs the command as a process and stops it with SIGINT.
func TestSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "CHATAPP_EMULATOR_ARGS=-addr 127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	defer func() { _ = cmd.Process.Kill() }()

	out := bufio.NewReader(stdout)
	url := readURL(t, out)
	rest := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(out)
		rest <- string(b)
	}()
	client, err := chatapp.NewClient(chatapp.WithEndpoint(url), chatapp.WithAccessKey("testid", "testsecret"))
	require.NoError(t, err)
	_, err = client.EnableWhatsappROIMetric(context.Background(), nil)
	require.NoError(t, err)

	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		require.NoError(t, err, "exit status 0 after SIGINT; stderr: %s", stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("the process did not stop on SIGINT")
	}
	assert.Contains(t, <-rest, "chatapp-emulator stopped")
	assert.Contains(t, stderr.String(), "action=EnableWhatsappROIMetric status=200 code=OK")
}

func TestBadFlags(t *testing.T) {
	cases := map[string]struct {
		args []string
		want string // in the error: the flag and the rule
	}{
		"unknown flag":   {[]string{"-nope"}, "-nope"},
		"bad time zone":  {[]string{"-timezone", "Mars/Olympus"}, "-timezone"},
		"bad offset":     {[]string{"-timezone", "UTC+25"}, "-timezone: \"UTC+25\" is not of the form"},
		"empty key":      {[]string{"-access-key-id", ""}, "-access-key-id must not be empty"},
		"empty secret":   {[]string{"-access-key-secret", ""}, "-access-key-secret must not be empty"},
		"extra argument": {[]string{"serve"}, "unexpected arguments"},
		"bad address":    {[]string{"-addr", "256.0.0.1:1"}, "-addr:"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), c.args, &stdout, &stderr)
			assert.ErrorContains(t, err, c.want)
			assert.Empty(t, stdout.String(), "no banner")
		})
	}
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"-h"}, io.Discard, &stderr)
	assert.True(t, errors.Is(err, flag.ErrHelp))
	assert.Contains(t, stderr.String(), "-access-key-id")
}

func TestParseLocation(t *testing.T) {
	for in, offset := range map[string]int{
		"UTC": 0, "UTC+8": 8 * 3600, "UTC+08:00": 8 * 3600, "UTC-5": -5 * 3600,
		"UTC-05:30": -(5*3600 + 30*60), "UTC+5:45": 5*3600 + 45*60,
	} {
		loc, err := parseLocation(in)
		require.NoError(t, err, in)
		_, got := time.Date(2026, 1, 1, 0, 0, 0, 0, loc).Zone()
		assert.Equal(t, offset, got, in)
	}
	for _, in := range []string{"UTC8", "UTC+", "UTC+8:5", "UTC+8:60", "UTC+15", "UTC+x", "UTC++8", "UTC-+5", "UTC+8:+5", "UTC+008", "Nowhere/City"} {
		_, err := parseLocation(in)
		assert.Error(t, err, in)
	}
	if loc, err := parseLocation("Asia/Singapore"); err == nil {
		assert.Equal(t, "Asia/Singapore", loc.String())
	}
}
