package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A real SIGINT or SIGTERM in the middle of a long run: exit 130, nothing
// on stdout, no chart.
func TestSignalEndsTheRunWith130(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := filepath.Join(t.TempDir(), "chatapp-metrics")
	build := exec.Command("go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			chart := filepath.Join(t.TempDir(), "c.svg")
			// Ten years of half hours in UTC, some thousand requests paced
			// by the client's rate limiter: far longer than the signal takes.
			cmd := exec.CommandContext(ctx, bin, "-emulator", "-since", "3650d", "-tz", "UTC", "-chart", chart)
			var stdout bytes.Buffer
			cmd.Stdout = &stdout
			stderr, err := cmd.StderrPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			lines := bufio.NewScanner(stderr)
			// The emulator's notice comes after main has set up its signal
			// handling.
			require.True(t, lines.Scan(), "a first line on stderr")
			require.Contains(t, lines.Text(), "in-process emulator")
			require.NoError(t, cmd.Process.Signal(sig))
			var rest strings.Builder
			for lines.Scan() {
				rest.WriteString(lines.Text() + "\n")
			}
			err = cmd.Wait()
			var exit *exec.ExitError
			require.True(t, errors.As(err, &exit), "exit status, not %v", err)
			assert.Equal(t, exitInterrupted, exit.ExitCode())
			assert.Empty(t, stdout.String())
			assert.Contains(t, rest.String(), "interrupted: nothing printed")
			assert.NoFileExists(t, chart)
		})
	}
}
