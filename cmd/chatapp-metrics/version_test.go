package main

import (
	"bytes"
	"context"
	"testing"
)

// TestVersion checks the three spellings print the build's module version
// and nothing else: .ci/release-check compares the installed binary's
// output with "chatapp-metrics v0.1.0".
func TestVersion(t *testing.T) {
	for _, arg := range []string{"version", "-version", "--version"} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{arg}, &out, &errOut); code != exitOK {
			t.Errorf("%s: exit %d, stderr %q", arg, code, errOut.String())
		}
		if want := "chatapp-metrics " + buildVersion() + "\n"; out.String() != want {
			t.Errorf("%s: stdout %q, want %q", arg, out.String(), want)
		}
		if buildVersion() == "" {
			t.Error("buildVersion is empty")
		}
	}
}
