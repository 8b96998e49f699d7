package conformance

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOfficialVersions pins the versions of the official SDK these tests
// prove chatapp against: the ones whose wire behaviour was read and verified.
// Since Go 1.17 go.mod lists the selected version of every module the build
// uses, so it is read here (test binaries carry no module list). The core's
// retry behaviour differs between tea versions, so moving any of them is a
// decision to make on purpose, with this test updated.
func TestOfficialVersions(t *testing.T) {
	mod, err := os.ReadFile("go.mod")
	require.NoError(t, err)
	got := map[string]string{}
	for line := range strings.Lines(string(mod)) {
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
		if len(fields) >= 2 {
			got[fields[0]] = fields[1]
		}
	}
	assert.Equal(t, "v2.1.13", got["github.com/alibabacloud-go/darabonba-openapi/v2"])
	assert.Equal(t, "v1.5.3", got["github.com/alibabacloud-go/tea"])
	assert.Equal(t, "v1.4.14", got["github.com/aliyun/credentials-go"])
}
