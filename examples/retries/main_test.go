package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScenarios(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"-v"}, &stdout, &stderr), stderr.String())
	out := stdout.String()

	// One block per scenario, after the opening line.
	blocks := regexp.MustCompile(`\n\n\d\. `).Split(out, -1)[1:]
	require.Len(t, blocks, 5, out)
	answered := func(block string) string {
		m := regexp.MustCompile(`the emulator answered  (.*)`).FindStringSubmatch(block)
		require.NotNil(t, m, block)
		return regexp.MustCompile(` \(\+\d+ms\)`).ReplaceAllString(m[1], "")
	}

	assert.Equal(t, "#1 Throttling.User, #2 Throttling.User, #3 OK", answered(blocks[0]))
	assert.Contains(t, blocks[0], "7 daily points, no error")

	assert.Equal(t, "#1 System.LimitControl, #2 System.LimitControl, #3 System.LimitControl, #4 System.LimitControl", answered(blocks[1]))
	assert.Contains(t, blocks[1], "errors.Is(err, chatapp.ErrThrottled)  true")
	assert.Contains(t, blocks[1], "Operation GetChatappPhoneNumberMetric, Attempts 4")
	assert.Regexp(t, `Code System.LimitControl, HTTP 400, RequestId [0-9A-F-]{36}\n`, blocks[1])

	assert.Equal(t, "#1 ServiceUnavailable, #2 OK", answered(blocks[2]))
	assert.Contains(t, blocks[2], "no error")

	assert.Equal(t, "#1 Throttling.User", answered(blocks[3]))
	assert.Contains(t, blocks[3], "errors.Is(err, chatapp.ErrThrottled)  true, after 1 attempt")

	assert.Equal(t, "#1 Ram.PermissionDeny", answered(blocks[4]))
	assert.Contains(t, blocks[4], "errors.Is(err, chatapp.ErrPermissionDenied)  true, after 1 attempt")

	// -v logs every attempt the client made.
	assert.Equal(t, 3+4+2+1+1, strings.Count(stderr.String(), `msg="chatapp attempt"`), stderr.String())
}

func TestQuietByDefault(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run(context.Background(), nil, &stdout, &stderr))
	assert.Empty(t, stderr.String())
}

func TestUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, run(context.Background(), []string{"-nope"}, &stdout, &stderr))
	assert.Equal(t, 2, run(context.Background(), []string{"extra"}, &stdout, &stderr))
	assert.Empty(t, stdout.String())
}
