package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
)

// printChannel writes the simulated channel: its ID, numbers and templates.
func printChannel(w io.Writer, emu *chatapptest.Emulator) {
	fmt.Fprintf(w, "Channel:         %s (CustSpaceId)\n", emu.CustSpaceID())
	for _, n := range emu.PhoneNumberInfos() {
		fmt.Fprintf(w, "  number         %s  %s %s %s\n", n.PhoneNumber, n.Status, n.QualityRating, n.MessagingLimitTier)
	}
	for _, t := range emu.Templates() {
		var buttons []string
		for _, b := range t.Buttons {
			buttons = append(buttons, string(b.Type))
		}
		fmt.Fprintf(w, "  template       %s  %s  %d buttons %s\n", t.Code, t.Language, len(t.Buttons), strings.Join(buttons, ","))
	}
}

// withHealthz answers GET /healthz with 200 "ok", unsigned, and passes
// everything else to h.
func withHealthz(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = io.WriteString(w, "ok\n")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// isLoopback reports whether addr is on a loopback interface only.
func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// exposureWarning returns the warning to print when the emulator listens
// beyond loopback while accepting the well-known credentials, or "".
func exposureWarning(addr net.Addr, id, secret string) string {
	if isLoopback(addr) || id != "testid" || secret != "testsecret" {
		return ""
	}
	return "chatapp-emulator: WARNING: listening on " + addr.String() + ", beyond loopback, with the well-known credentials testid/testsecret: anyone who can reach the port can use it; set -access-key-id and -access-key-secret"
}

// parseNumberStates reads -number-state: NUMBER=STATUS[:QUALITY[:TIER]],
// comma-separated, e.g. "8613800005678=BANNED:RED".
func parseNumberStates(s string) ([]chatapp.PhoneNumberInfo, error) {
	var out []chatapp.PhoneNumberInfo
	for _, item := range splitList(s) {
		number, state, ok := strings.Cut(item, "=")
		parts := strings.Split(state, ":")
		if !ok || number == "" || parts[0] == "" || len(parts) > 3 {
			return nil, fmt.Errorf("-number-state: %q is not NUMBER=STATUS[:QUALITY[:TIER]]", item)
		}
		info := chatapp.PhoneNumberInfo{
			PhoneNumber: number, VerifiedName: "Emulated Business", Status: chatapp.PhoneNumberStatus(parts[0]),
			QualityRating: chatapp.QualityGreen, MessagingLimitTier: chatapp.Tier10K,
			CodeVerificationStatus: chatapp.CodeVerified, NameStatus: "Approval", NewNameStatus: "Approval",
		}
		if len(parts) > 1 && parts[1] != "" {
			info.QualityRating = chatapp.QualityRating(parts[1])
		}
		if len(parts) > 2 && parts[2] != "" {
			info.MessagingLimitTier = chatapp.MessagingLimitTier(parts[2])
		}
		out = append(out, info)
	}
	return out, nil
}
