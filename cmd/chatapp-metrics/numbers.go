package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
)

// subcommand holds the flags the numbers and templates subcommands share:
// where to send and how to print.
type subcommand struct {
	fs          *flag.FlagSet
	custSpaceID *string
	isvCode     *string
	format      *string
	endpoint    *string
	emulator    *bool
	timeout     *time.Duration
	profile     *string
	region      *string
}

func newSubcommand(name, usage string, stderr io.Writer) *subcommand {
	fs := flag.NewFlagSet("chatapp-metrics "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		io.WriteString(fs.Output(), "Usage: chatapp-metrics "+name+" "+usage+"\n\n")
		fs.PrintDefaults()
	}
	s := &subcommand{
		fs:          fs,
		custSpaceID: fs.String("cust-space-id", "", "the channel's space ID (CustSpaceId; default with -emulator: the emulator's channel)"),
		isvCode:     fs.String("isv-code", "", "ISV verification code (IsvCode), if the channel is an ISV's"),
		format:      new(string),
		endpoint:    fs.String("endpoint", "", "service endpoint `url` (default "+chatapp.DefaultEndpoint+")"),
		emulator:    fs.Bool("emulator", false, "query chatapptest's in-process emulator instead of the service"),
		timeout:     fs.Duration("timeout", 10*time.Minute, "bound on the whole run"),
	}
	formatFlags(fs, s.format, "table, csv or json (one object per line)")
	s.profile, s.region = serviceFlags(fs)
	return s
}

// parse reads args and checks the shared flags; it returns the exit code
// to end with, or -1 to go on.
func (s *subcommand) parse(args []string, stderr io.Writer) int {
	err := s.fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case err != nil:
		return exitUsage
	}
	var problem string
	serviceErr := checkService(*s.profile, *s.region, *s.endpoint, *s.emulator)
	switch {
	case s.fs.NArg() > 0:
		problem = fmt.Sprintf("unexpected argument %q", s.fs.Arg(0))
	case serviceErr != nil:
		problem = serviceErr.Error()
	case *s.format != "table" && *s.format != "csv" && *s.format != "json":
		problem = fmt.Sprintf("-o (-format) must be table, csv or json, not %q", *s.format)
	case *s.timeout <= 0:
		problem = fmt.Sprintf("-timeout must be positive, not %s", *s.timeout)
	}
	if problem != "" {
		fmt.Fprintln(stderr, s.fs.Name()+":", problem)
		return exitUsage
	}
	return -1
}

// client returns a client of the service, or of an in-process emulator
// (then also the emulator, and its channel as the default -cust-space-id),
// and what to call when done.
func (s *subcommand) client(stderr io.Writer) (*chatapp.Client, *chatapptest.Server, func(), error) {
	if !*s.emulator {
		opts, err := serviceOptions(*s.profile, *s.region, *s.endpoint)
		if err != nil {
			return nil, nil, func() {}, err
		}
		c, err := chatapp.NewClient(opts...)
		return c, nil, func() {}, err
	}
	srv := chatapptest.NewServer()
	c, err := srv.Client(chatapp.WithUserAgent("chatapp-metrics"))
	if err != nil {
		srv.Close()
		return nil, nil, nil, err
	}
	if *s.custSpaceID == "" {
		*s.custSpaceID = srv.CustSpaceID()
	}
	fmt.Fprintln(stderr, "chatapp-metrics: querying the in-process emulator (chatapptest): the data is generated")
	return c, srv, srv.Close, nil
}

// numberRow is one number with its health.
type numberRow struct {
	info   chatapp.PhoneNumberInfo
	health chatapp.SendStatus // "" when it could not be fetched
	errors []chatapp.HealthError
}

// runNumbers is `chatapp-metrics numbers`: the channel's numbers with
// their status, quality rating, messaging tier and health.
func runNumbers(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := newSubcommand("numbers", "[-cust-space-id ID] [-status S] [-health=false] [flags]", stderr)
	status := cmd.fs.String("status", "", "passed to the service as Status (it filters the list)")
	withHealth := cmd.fs.Bool("health", true, "also ask GetWhatsappHealthStatus whether each number can send (needs -cust-space-id)")
	if code := cmd.parse(args, stderr); code >= 0 {
		return code
	}
	client, _, closeClient, err := cmd.client(stderr)
	if err != nil {
		fmt.Fprintln(stderr, "chatapp-metrics numbers:", err)
		return exitError
	}
	defer closeClient()
	ctx, cancel := context.WithTimeout(ctx, *cmd.timeout)
	defer cancel()

	list, err := client.QueryChatappPhoneNumbers(ctx, &chatapp.QueryChatappPhoneNumbersRequest{CustSpaceID: *cmd.custSpaceID, IsvCode: *cmd.isvCode, Status: *status})
	if err != nil {
		fmt.Fprintln(stderr, "chatapp-metrics numbers:", describe(err))
		return exitError
	}
	code := exitOK
	if *withHealth && *cmd.custSpaceID == "" {
		fmt.Fprintln(stderr, "chatapp-metrics numbers: no health without -cust-space-id (GetWhatsappHealthStatus requires it)")
		*withHealth = false
	}
	rows := make([]numberRow, len(list.PhoneNumbers))
	for i, n := range list.PhoneNumbers {
		rows[i].info = n
		if !*withHealth {
			continue
		}
		h, err := client.GetWhatsappHealthStatus(ctx, &chatapp.GetWhatsappHealthStatusRequest{NodeType: chatapp.NodePhone, CustSpaceID: *cmd.custSpaceID, PhoneNumber: n.PhoneNumber})
		if err != nil {
			fmt.Fprintf(stderr, "chatapp-metrics numbers: %s: health: %s\n", n.PhoneNumber, describe(err))
			code = exitError
			continue
		}
		rows[i].health = h.CanSendMessage
		for _, e := range h.Entities {
			if e.EntityType == chatapp.EntityPhoneNumber {
				rows[i].errors = append(rows[i].errors, e.Errors...)
			}
		}
	}
	if err := writeNumbers(stdout, *cmd.format, rows, *withHealth); err != nil {
		fmt.Fprintln(stderr, "chatapp-metrics numbers: writing:", err)
		return exitError
	}
	return code
}

// healthCell is what a row shows for its health: "?" when it could not be
// fetched, so that a failure never reads as a healthy number.
func (r numberRow) healthCell() string {
	if r.health == "" {
		return "?"
	}
	return string(r.health)
}

func (r numberRow) errorCell() string {
	var parts []string
	for _, e := range r.errors {
		parts = append(parts, e.ErrorCode+" "+e.ErrorDescription)
	}
	return strings.Join(parts, "; ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func writeNumbers(w io.Writer, format string, rows []numberRow, withHealth bool) error {
	header := []string{"PHONE NUMBER", "VERIFIED NAME", "STATUS", "QUALITY", "TIER", "OFFICIAL"}
	if withHealth {
		header = append(header, "HEALTH", "ERRORS")
	}
	cells := func(r numberRow) []string {
		c := []string{r.info.PhoneNumber, r.info.VerifiedName, string(r.info.Status), string(r.info.QualityRating), string(r.info.MessagingLimitTier), yesNo(r.info.IsOfficial)}
		if withHealth {
			c = append(c, r.healthCell(), r.errorCell())
		}
		return c
	}
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		h := make([]string, len(header))
		for i, s := range header {
			h[i] = strings.ReplaceAll(strings.ToLower(s), " ", "_")
		}
		_ = cw.Write(h)
		for _, r := range rows {
			_ = cw.Write(cells(r))
		}
		cw.Flush()
		return cw.Error()
	case "json":
		enc := json.NewEncoder(w)
		for _, r := range rows {
			v := struct {
				chatapp.PhoneNumberInfo
				Health string                `json:"Health,omitempty"`
				Errors []chatapp.HealthError `json:"HealthErrors,omitempty"`
			}{PhoneNumberInfo: r.info, Errors: r.errors}
			if withHealth {
				v.Health = r.healthCell()
			}
			if err := enc.Encode(v); err != nil {
				return err
			}
		}
		return nil
	}
	lines := [][]string{header}
	for _, r := range rows {
		lines = append(lines, cells(r))
	}
	return writeColumns(w, lines)
}

// writeColumns prints lines as left-aligned columns two spaces apart.
func writeColumns(w io.Writer, lines [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, l := range lines {
		fmt.Fprintln(tw, strings.Join(l, "\t"))
	}
	return tw.Flush()
}

// channelNumbers lists the numbers of a channel, for `report
// -cust-space-id` without -phone.
func channelNumbers(ctx context.Context, client *chatapp.Client, custSpaceID string) ([]string, error) {
	list, err := client.QueryChatappPhoneNumbers(ctx, &chatapp.QueryChatappPhoneNumbersRequest{CustSpaceID: custSpaceID})
	if err != nil {
		return nil, err
	}
	numbers := make([]string, len(list.PhoneNumbers))
	for i, n := range list.PhoneNumbers {
		numbers[i] = n.PhoneNumber
	}
	return numbers, nil
}
