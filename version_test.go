package chatapp

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestVersionIsNewestChangelogEntry ties the User-Agent's Version to the
// newest release in CHANGELOG.md, so that a release cannot bump one and
// forget the other.
func TestVersionIsNewestChangelogEntry(t *testing.T) {
	b, err := os.ReadFile("CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	heading := regexp.MustCompile(`(?m)^## \[(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\] - \d{4}-\d{2}-\d{2}$`)
	m := heading.FindStringSubmatch(string(b))
	if m == nil {
		t.Fatal("CHANGELOG.md has no release heading of the form \"## [1.2.3] - 2006-01-02\"")
	}
	if m[1] != Version {
		t.Errorf("Version = %q, but the newest release in CHANGELOG.md is %q", Version, m[1])
	}
	if ua := userAgent(""); !strings.HasPrefix(ua, "chatapp-go/"+Version+" ") {
		t.Errorf("User-Agent %q does not start with chatapp-go/%s", ua, Version)
	}
}
