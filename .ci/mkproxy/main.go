// Command mkproxy writes one module version into a directory laid out as a
// GOPROXY (file://) serves it: <module>/@v/list, <version>.info, .mod and
// .zip. The zip is made by golang.org/x/mod/zip, the code the go command
// itself uses, so nested modules, vendor directories and VCS metadata are
// left out exactly as the public proxy leaves them out.
//
//	mkproxy -out DIR -module PATH -version VERSION -dir MODULE_DIR [-license FILE]
//
// -license names the repository's root LICENSE: as the go command does for
// a module in a subdirectory of a repository, it is added to the zip when
// the module has no LICENSE of its own.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

func main() {
	out := flag.String("out", "", "proxy directory to write into")
	path := flag.String("module", "", "module path")
	version := flag.String("version", "", "module version, e.g. v0.1.0")
	dir := flag.String("dir", "", "the module's files at that version")
	license := flag.String("license", "", "the repository's root LICENSE, used when the module has none")
	flag.Parse()
	if err := write(*out, module.Version{Path: *path, Version: *version}, *dir, *license); err != nil {
		fmt.Fprintln(os.Stderr, "mkproxy:", err)
		os.Exit(1)
	}
}

func write(out string, m module.Version, dir, license string) error {
	if out == "" || dir == "" {
		return fmt.Errorf("-out and -dir are required")
	}
	if err := module.Check(m.Path, m.Version); err != nil {
		return err
	}
	if license != "" {
		if _, err := os.Stat(filepath.Join(dir, "LICENSE")); os.IsNotExist(err) {
			b, err := os.ReadFile(license)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, "LICENSE"), b, 0o644); err != nil {
				return err
			}
		}
	}
	escaped, err := module.EscapePath(m.Path)
	if err != nil {
		return err
	}
	vdir := filepath.Join(out, escaped, "@v")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return err
	}
	goMod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	var zipped bytes.Buffer
	if err := zip.CreateFromDir(&zipped, m, dir); err != nil {
		return err
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{m.Version, time.Now().UTC().Truncate(time.Second)})
	if err != nil {
		return err
	}
	files := map[string][]byte{
		m.Version + ".mod":  goMod,
		m.Version + ".zip":  zipped.Bytes(),
		m.Version + ".info": info,
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(vdir, name), b, 0o644); err != nil {
			return err
		}
	}
	// list holds every version of the module, one a line.
	listFile := filepath.Join(vdir, "list")
	old, err := os.ReadFile(listFile)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	versions := strings.Fields(string(old))
	if !slices.Contains(versions, m.Version) {
		versions = append(versions, m.Version)
	}
	return os.WriteFile(listFile, []byte(strings.Join(versions, "\n")+"\n"), 0o644)
}
