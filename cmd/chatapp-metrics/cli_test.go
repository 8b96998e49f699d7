package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// report is the default subcommand, single-dash long flags keep working,
// and -o is -format.
func TestReportIsTheDefaultAndOldFlagsWork(t *testing.T) {
	pinClock(t, time.Date(2026, 9, 14, 10, 30, 0, 0, time.FixedZone("", 8*3600)))
	args := []string{"-emulator", "-phone", "8613800001234", "-since", "2026-09-01", "-until", "2026-09-03", "-format", "csv"}
	code, bare, stderr := invoke(t, args...)
	require.Equal(t, exitOK, code, stderr)
	code, withReport, _ := invoke(t, append([]string{"report"}, args...)...)
	require.Equal(t, exitOK, code)
	assert.Equal(t, bare, withReport)
	code, withO, _ := invoke(t, "report", "-emulator", "-phone", "8613800001234", "-since", "2026-09-01", "-until", "2026-09-03", "-o", "csv")
	require.Equal(t, exitOK, code)
	assert.Equal(t, bare, withO)
	assert.True(t, strings.HasPrefix(bare, "day,phone_number,sent,delivered,delivery_rate,partial\n2026-09-01,8613800001234,"), bare)

	code, yaml, _ := invoke(t, "-emulator", "-phone", "8613800001234", "-since", "2026-09-01", "-until", "2026-09-01", "-o", "yaml")
	require.Equal(t, exitOK, code)
	assert.Regexp(t, `^- start: "2026-09-01T00:00:00\+08:00"\n  end: "2026-09-02T00:00:00\+08:00"\n  phone_number: "8613800001234"\n  granularity: DAILY\n  sent: \d+\n  delivered: \d+\n  delivery_rate: 0\.\d+\n  partial: false\n$`, yaml)

	for _, v := range []string{"version", "--version", "-version"} {
		code, stdout, _ := invoke(t, v)
		assert.Equal(t, exitOK, code)
		assert.True(t, strings.HasPrefix(stdout, "chatapp-metrics "), stdout)
	}
}

func TestEnableROI(t *testing.T) {
	srv := chatapptest.NewServer(chatapptest.WithROIDisabled())
	defer srv.Close()
	serviceEnv(t, srv.AccessKeyID, srv.AccessKeySecret)
	code, stdout, stderr := invoke(t, "enable-roi", "-endpoint", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "ROI metric collection is on")
	assert.Contains(t, stdout, "RequestId ")

	code, _, stderr = invoke(t, "enable-roi", "-endpoint", "http://cams.example.com")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "plain http is allowed only for a loopback host")
}

func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, stdout, stderr := invoke(t, "completion", shell)
		require.Equal(t, exitOK, code, stderr)
		for _, want := range []string{"report", "enable-roi", "completion", "since", "phone", "profile"} {
			assert.Contains(t, stdout, want, shell)
		}
	}
	code, _, stderr := invoke(t, "completion", "powershell")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, `"powershell" is not bash, zsh or fish`)
	code, _, _ = invoke(t, "completion")
	assert.Equal(t, exitUsage, code)
}

// -profile reads the aliyun CLI's config through credentials-go.
func TestProfile(t *testing.T) {
	srv := chatapptest.NewServer()
	defer srv.Close()
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".aliyun"), 0o700))
	config := `{"current":"default","profiles":[
		{"name":"default","mode":"AK","access_key_id":"LTAIwrongwrongwrong0","access_key_secret":"wrong"},
		{"name":"ops","mode":"AK","access_key_id":"` + srv.AccessKeyID + `","access_key_secret":"` + srv.AccessKeySecret + `"}]}`
	require.NoError(t, os.WriteFile(filepath.Join(home, ".aliyun", "config.json"), []byte(config), 0o600))
	t.Setenv("HOME", home)
	for _, v := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_CLI_PROFILE_DISABLED"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")

	code, stdout, stderr := invoke(t, "-profile", "ops", "-endpoint", srv.URL, "-phone", "8613800001234", "-since", "2026-09-01", "-until", "2026-09-01")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "2026-09-01  8613800001234")

	code, _, stderr = invoke(t, "-profile", "default", "-endpoint", srv.URL, "-phone", "8613800001234", "-since", "2026-09-01", "-until", "2026-09-01")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "InvalidAccessKeyId")

	code, _, stderr = invoke(t, "-region", "ap-southeast-1", "-endpoint", srv.URL, "-phone", "8613800001234")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, `-region "ap-southeast-1" and -endpoint`)
	code, _, stderr = invoke(t, "-region", "Singapore", "-phone", "8613800001234")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, `-region "Singapore" is not a region id`)
}

// Every subcommand that completion offers is one the dispatcher runs: each
// answers -h with its usage and exit 0, not with the report's flags.
func TestCompletionOffersEverySubcommand(t *testing.T) {
	for _, sub := range subcommands {
		if sub == "version" || sub == "completion" {
			continue // version takes no flags; completion -h is tested above
		}
		code, _, stderr := invoke(t, sub, "-h")
		assert.Equal(t, exitOK, code, "%s -h: %s", sub, stderr)
		assert.NotEmpty(t, stderr, "%s -h prints its usage", sub)
	}
	_, stdout, _ := invoke(t, "completion", "bash")
	for _, sub := range []string{"serve", "sync", "numbers", "templates"} {
		assert.Contains(t, stdout, sub)
	}
}
