// Command chatapp-emulator serves an emulator of Alibaba Cloud's ChatApp
// Message Service (package chatapptest) on a fixed address, for running
// the SDK's examples and CLI offline, or clients in other languages.
//
// Usage:
//
//	go run ./cmd/chatapp-emulator [flags]
//
// It prints its URL and the credentials it accepts, then logs one line per
// request (time, action, status, code, latency, AccessKeyId; never
// secrets, tokens or signatures) to standard error, until SIGINT or
// SIGTERM stops it. Point a client at it:
//
//	chatapp.NewClient(
//		chatapp.WithEndpoint("http://127.0.0.1:8788"),
//		chatapp.WithAccessKey("testid", "testsecret"),
//	)
//
// The flags are:
//
//	-addr string                 address to listen on (default "127.0.0.1:8788")
//	-access-key-id string        AccessKeyId to accept (default "testid")
//	-access-key-secret string    its secret (default "testsecret")
//	-security-token string       if set, the key is an STS key and requests must carry this token
//	-timezone string             time zone of DAILY buckets: UTC+8, UTC-05:30, UTC or an IANA name (default "UTC+8")
//	-phone-numbers string        comma-separated sample numbers (default "8613800001234,8613800005678")
//	-roi-disabled                start with WhatsApp ROI collection off, as a new account
//	-metric-rate int             GetChatappPhoneNumberMetric limit per second per key; 0 lifts it (default 50)
//	-enable-rate int             EnableWhatsappROIMetric limit per second per key; 0 lifts it (default 5)
//	-numbers-rate int            QueryChatappPhoneNumbers limit per second per key; 0 lifts it (default 10)
//	-template-rate int           GetChatappTemplateMetric limit per second per key; 0 lifts it (default 50)
//	-health-rate int             GetWhatsappHealthStatus limit per second per key; 0 lifts it (default 5)
//	-cust-space-id string        ID of the simulated channel (default "cams-emulator-0001")
//	-number-state list           states of numbers: NUMBER=STATUS[:QUALITY[:TIER]],... e.g. 8613800005678=BANNED:RED
//	-tls                         serve HTTPS with a self-signed certificate for the listen host
//	-tls-hosts string            comma-separated extra names or IPs the certificate covers (a container's name)
//	-cert-out string             with -tls, write the certificate (PEM) to this file for clients to trust
//	-quiet                       do not log requests
//
// The emulator simulates one channel, which owns the phone numbers and the
// message templates its banner lists; it serves all five operations of
// package chatapptest on them. GET /healthz answers 200 "ok" without a
// signature, for container health checks.
//
// The default credentials, testid and testsecret, are those of the
// official SDKs' test captures, so their samples work against it too.
// Plain HTTP is what the SDK accepts for loopback addresses only: to reach
// the emulator from another container, serve it with -tls and have the
// client trust the -cert-out file. Listening beyond loopback with the
// well-known credentials prints a warning on standard error.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "chatapp-emulator:", err)
		os.Exit(1)
	}
}

// buildVersion is the version of the module this binary was built from:
// the tag when installed with go install …@v0.1.0, "(devel)" when built in
// a checkout.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// shutdownTimeout bounds how long requests in flight may take to finish
// once a signal arrived.
const shutdownTimeout = 5 * time.Second

// run serves until ctx ends, then shuts down gracefully. It writes the
// banner to stdout and the request log to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("chatapp-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8788", "address to listen on")
	id := fs.String("access-key-id", "testid", "AccessKeyId to accept")
	secret := fs.String("access-key-secret", "testsecret", "its secret")
	token := fs.String("security-token", "", "if set, the key is an STS key and requests must carry this token")
	zone := fs.String("timezone", "UTC+8", "time zone of DAILY buckets: UTC+8, UTC-05:30, UTC or an IANA name")
	phones := fs.String("phone-numbers", "8613800001234,8613800005678", "comma-separated sample numbers")
	roiDisabled := fs.Bool("roi-disabled", false, "start with WhatsApp ROI collection off, as a new account")
	metricRate := fs.Int("metric-rate", chatapp.GetChatappPhoneNumberMetricRateLimit, "GetChatappPhoneNumberMetric limit per second per key; 0 lifts it")
	enableRate := fs.Int("enable-rate", chatapp.EnableWhatsappROIMetricRateLimit, "EnableWhatsappROIMetric limit per second per key; 0 lifts it")
	numbersRate := fs.Int("numbers-rate", chatapp.QueryChatappPhoneNumbersRateLimit, "QueryChatappPhoneNumbers limit per second per key; 0 lifts it")
	templateRate := fs.Int("template-rate", chatapp.GetChatappTemplateMetricRateLimit, "GetChatappTemplateMetric limit per second per key; 0 lifts it")
	healthRate := fs.Int("health-rate", chatapp.GetWhatsappHealthStatusRateLimit, "GetWhatsappHealthStatus limit per second per key; 0 lifts it")
	custSpaceID := fs.String("cust-space-id", chatapptest.DefaultCustSpaceID, "ID of the simulated channel")
	numberStates := fs.String("number-state", "", "states of numbers: NUMBER=STATUS[:QUALITY[:TIER]],... e.g. 8613800005678=BANNED:RED")
	useTLS := fs.Bool("tls", false, "serve HTTPS with a self-signed certificate for the listen host")
	tlsHosts := fs.String("tls-hosts", "", "comma-separated extra names or IPs the certificate covers")
	certOut := fs.String("cert-out", "", "with -tls, write the certificate (PEM) to this file")
	quiet := fs.Bool("quiet", false, "do not log requests")
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *showVersion {
		fmt.Fprintln(stdout, "chatapp-emulator", buildVersion())
		return nil
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if *id == "" {
		return errors.New("-access-key-id must not be empty")
	}
	if *secret == "" {
		return errors.New("-access-key-secret must not be empty")
	}
	loc, err := parseLocation(*zone)
	if err != nil {
		return err
	}
	states, err := parseNumberStates(*numberStates)
	if err != nil {
		return err
	}
	if *certOut != "" && !*useTLS {
		return errors.New("-cert-out needs -tls")
	}

	opts := []chatapptest.ServerOption{
		chatapptest.WithCredentials(*id, *secret),
		chatapptest.WithLocation(loc),
		chatapptest.WithPhoneNumbers(splitList(*phones)...),
		chatapptest.WithRateLimit("GetChatappPhoneNumberMetric", *metricRate),
		chatapptest.WithRateLimit("EnableWhatsappROIMetric", *enableRate),
		chatapptest.WithRateLimit("QueryChatappPhoneNumbers", *numbersRate),
		chatapptest.WithRateLimit("GetChatappTemplateMetric", *templateRate),
		chatapptest.WithRateLimit("GetWhatsappHealthStatus", *healthRate),
		chatapptest.WithCustSpaceID(*custSpaceID),
		// A long-running process must not hoard requests; the log line says
		// what there is to say.
		chatapptest.WithRequestLogLimit(0),
	}
	if *token != "" {
		opts = append(opts, chatapptest.WithSTSToken(*id, *secret, *token))
	}
	if *roiDisabled {
		opts = append(opts, chatapptest.WithROIDisabled())
	}
	if !*quiet {
		opts = append(opts, chatapptest.WithLogger(slog.New(slog.NewTextHandler(stderr, nil))))
	}
	emu := chatapptest.NewEmulator(opts...)
	defer emu.Close()
	for _, st := range states {
		if err := emu.SetPhoneNumber(st); err != nil {
			return err
		}
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	scheme := "http"
	if *useTLS {
		cert, pemCert, err := selfSigned(ln.Addr(), *addr, splitList(*tlsHosts), time.Now())
		if err != nil {
			ln.Close()
			return fmt.Errorf("-tls: %w", err)
		}
		if *certOut != "" {
			if err := os.WriteFile(*certOut, pemCert, 0o644); err != nil {
				ln.Close()
				return fmt.Errorf("-cert-out: %w", err)
			}
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		scheme = "https"
	}
	if w := exposureWarning(ln.Addr(), *id, *secret); w != "" {
		fmt.Fprintln(stderr, w)
	}
	srv := &http.Server{Handler: withHealthz(emu), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	fmt.Fprintf(stdout, "chatapp-emulator listening on %s://%s\n", scheme, ln.Addr())
	fmt.Fprintf(stdout, "AccessKeyId:     %s\n", *id)
	fmt.Fprintf(stdout, "AccessKeySecret: %s\n", *secret)
	if *token != "" {
		fmt.Fprintf(stdout, "SecurityToken:   %s\n", *token)
	}
	fmt.Fprintf(stdout, "Time zone:       %s\n", loc)
	if *certOut != "" {
		fmt.Fprintf(stdout, "Certificate:     %s\n", *certOut)
	}
	printChannel(stdout, emu)

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	emu.Close() // end injected delays, if any, so shutdown is prompt
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(stdout, "chatapp-emulator stopped")
	return nil
}

// parseLocation reads "UTC", "UTC+8", "UTC-05:30", "UTC+5:45" as fixed
// zones, and anything else as an IANA name such as "Asia/Singapore".
func parseLocation(s string) (*time.Location, error) {
	rest, ok := strings.CutPrefix(s, "UTC")
	if !ok {
		loc, err := time.LoadLocation(s)
		if err != nil {
			return nil, fmt.Errorf("-timezone: %w", err)
		}
		return loc, nil
	}
	if rest == "" {
		return time.UTC, nil
	}
	bad := fmt.Errorf("-timezone: %q is not of the form UTC+8 or UTC-05:30 (hours 0 to 14, minutes 00 to 59)", s)
	sign := 1
	switch rest[0] {
	case '+':
	case '-':
		sign = -1
	default:
		return nil, bad
	}
	hh, mm, hasMinutes := strings.Cut(rest[1:], ":")
	hours, ok := number(hh, 1, 2)
	if !ok || hours > 14 {
		return nil, bad
	}
	minutes := 0
	if hasMinutes {
		if minutes, ok = number(mm, 2, 2); !ok || minutes > 59 {
			return nil, bad
		}
	}
	return time.FixedZone(s, sign*(hours*3600+minutes*60)), nil
}

// number reads s as a decimal of minDigits to maxDigits digits and nothing
// else: no sign, unlike strconv.Atoi.
func number(s string, minDigits, maxDigits int) (int, bool) {
	if len(s) < minDigits || len(s) > maxDigits {
		return 0, false
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}
