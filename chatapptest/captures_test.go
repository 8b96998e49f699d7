package chatapptest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// capture is a genuine request sent by an official Go core.
type capture struct {
	Description string `json:"description"`
	AccessKeyID string `json:"access_key_id"`
	Secret      string `json:"access_key_secret"`
	Request     struct {
		ReceivedAt time.Time   `json:"received_at"`
		Method     string      `json:"method"`
		RawQuery   string      `json:"raw_query"`
		Body       string      `json:"body"`
		Host       string      `json:"host"`
		Header     http.Header `json:"header"`
		Verdict    struct {
			Scheme string `json:"scheme"`
			Action string `json:"action"`
		} `json:"verdict"`
	} `json:"request"`
}

func loadCaptures(t *testing.T) map[string]capture {
	t.Helper()
	files, err := filepath.Glob("../testdata/spec/captures/*.json")
	require.NoError(t, err)
	require.Len(t, files, 4)
	out := make(map[string]capture)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		var c capture
		require.NoError(t, json.Unmarshal(b, &c), f)
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = c
	}
	return out
}

// request rebuilds the captured request byte for byte, optionally with
// one byte of its query or body changed.
func (c capture) request(tamper string) *http.Request {
	query, body := c.Request.RawQuery, c.Request.Body
	switch tamper {
	case "query":
		// Every capture carries End in the query or the body.
		query = strings.Replace(query, "End=1757289600000", "End=1757289600001", 1)
	case "body":
		body = strings.Replace(body, "End=1757289600000", "End=1757289600001", 1)
	}
	r := httptest.NewRequest(c.Request.Method, "/?"+query, strings.NewReader(body))
	r.Host = c.Request.Host
	r.Header = c.Request.Header.Clone()
	return r
}

// TestCaptures replays the four genuine official requests through the
// handler with the clock pinned to their time: each is accepted, a replay
// of it is refused as a used nonce, and a copy with one byte changed fails
// the signature.
func TestCaptures(t *testing.T) {
	for name, c := range loadCaptures(t) {
		t.Run(name, func(t *testing.T) {
			e, _ := newTestEmulator(t, c.Request.ReceivedAt, WithCredentials(c.AccessKeyID, c.Secret))

			a := serve(t, e, c.request(""))
			require.Equal(t, http.StatusOK, a.Status, a.raw)
			assert.Equal(t, "OK", a.Code)
			assert.NotEmpty(t, a.Data, "ROI is on by default, so the week has data")
			rec := e.Requests()[0]
			wantScheme := SchemeRPC
			if c.Request.Verdict.Scheme == "ACS3-HMAC-SHA256" {
				wantScheme = SchemeV3
			}
			assert.Equal(t, wantScheme, rec.Scheme)
			assert.Equal(t, "testid", rec.AccessKeyID)
			assert.Equal(t, c.Request.Verdict.Action, rec.Action)

			a = serve(t, e, c.request(""))
			assert.Equal(t, http.StatusBadRequest, a.Status)
			assert.Equal(t, codeNonceUsed, a.Code)

			where := "query"
			if !strings.Contains(c.Request.RawQuery, "End=") {
				where = "body"
			}
			fresh, _ := newTestEmulator(t, c.Request.ReceivedAt, WithCredentials(c.AccessKeyID, c.Secret))
			a = serve(t, fresh, c.request(where))
			assert.Equal(t, http.StatusBadRequest, a.Status)
			assert.Equal(t, codeSignatureDoesNotMatch, a.Code, a.raw)
			assert.Equal(t, hostID, a.HostID)

			// An hour later the same request is stale.
			late, _ := newTestEmulator(t, c.Request.ReceivedAt.Add(time.Hour), WithCredentials(c.AccessKeyID, c.Secret))
			a = serve(t, late, c.request(""))
			assert.Equal(t, codeTimestampExpired, a.Code)
		})
	}
}
