package main

import (
	"context"
	"fmt"
	"io"

	"github.com/chatappkit/chatapp"
)

// runEnableROI is `chatapp-metrics enable-roi`: it turns on the ROI metric
// collection that the report needs. Data exists from the day after.
func runEnableROI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := newSubcommand("enable-roi", "[-cust-space-id ID] [-isv-code CODE] [flags]", stderr)
	if code := cmd.parse(args, stderr); code >= 0 {
		return code
	}
	ctx, cancel := context.WithTimeout(ctx, *cmd.timeout)
	defer cancel()
	client, _, closeClient, err := cmd.client(stderr)
	if err != nil {
		fmt.Fprintln(stderr, "chatapp-metrics enable-roi:", err)
		return exitError
	}
	defer closeClient()
	resp, err := client.EnableWhatsappROIMetric(ctx, &chatapp.EnableWhatsappROIMetricRequest{
		CustSpaceID: *cmd.custSpaceID, IsvCode: *cmd.isvCode,
	})
	if err != nil {
		fmt.Fprintln(stderr, "chatapp-metrics enable-roi:", describe(err))
		return exitError
	}
	fmt.Fprintf(stdout, "ROI metric collection is on; data starts the next day (UTC+8). RequestId %s\n", resp.RequestID)
	return exitOK
}
