package main

import (
	"bytes"
	"context"
	"testing"
)

// TestVersionFlag checks -version prints the build's module version and
// exits without serving.
func TestVersionFlag(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-version"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if want := "chatapp-emulator " + buildVersion() + "\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
}
