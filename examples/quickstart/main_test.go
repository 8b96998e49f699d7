package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// noCredentials empties every source of the default credential chain.
func noCredentials(t *testing.T) {
	for _, v := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
		"ALIBABA_CLOUD_CREDENTIALS_URI", "ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
		"ALIBABA_CLOUD_ECS_METADATA", "ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_CREDENTIALS_FILE"} {
		t.Setenv(v, "")
	}
	t.Setenv("HOME", t.TempDir()) // no ~/.aliyun/config.json, no ~/.alibabacloud/credentials
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
}

func invoke(ctx context.Context, phone string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	err = run(ctx, phone, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestWithoutCredentialsUsesTheEmulator(t *testing.T) {
	noCredentials(t)
	stdout, stderr, err := invoke(context.Background(), "8613800001234")
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "no Alibaba Cloud credentials found: using the in-process emulator")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	assert.Equal(t, "WhatsApp messages of 8613800001234, last 7 days (UTC+8), from the in-process emulator (generated data)", lines[0])
	require.Len(t, lines, 1+1+1+7, stdout) // title, blank, header, 7 whole days
	assert.Regexp(t, `^ +DAY +SENT +DELIVERED +RATE$`, lines[2])
	for _, l := range lines[3:] {
		assert.Regexp(t, `^  \d{4}-\d\d-\d\d +\d+ +\d+ +\d+\.\d%$`, l)
	}
}

// TestCanceled checks that a failed call is run's error (main prints it
// and exits 1) and that nothing was printed as if it had succeeded.
func TestCanceled(t *testing.T) {
	noCredentials(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	stdout, _, err := invoke(ctx, "8613800001234")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, stdout)
}
