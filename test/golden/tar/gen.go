// Command gen writes the golden tar files that src/internal/tar/golden.test.ts compares our tar
// reader and writer against. It uses only Go's standard library. CI does not run it; the .tar
// files are committed.
//
//   - for every case in cases.json, <file>.tar: the bytes Go's archive/tar writes for those headers;
//   - for every foreign/<name>.tar (made by GNU tar and tar-stream, see foreign/make-inputs.sh),
//     foreign/<name>.go-rewrite.tar: each header Go's reader returns, written back by Go's writer
//     (what ggcr's mutate.Extract does), and foreign/<name>.go-time.tar: the same with every
//     timestamp set as ggcr's mutate.Time sets it.
//
// Regenerate from this directory with:
//
//	go run gen.go
//
// The goldens were made with Go 1.19 (Debian's golang-go); archive/tar's writer has not changed
// its output since (checked against the current golang/go sources).
package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

type tarTime struct {
	Sec  int64 `json:"sec"`
	Nsec int64 `json:"nsec"`
}

type entry struct {
	Name        string            `json:"name"`
	Typeflag    string            `json:"typeflag"`
	Mode        string            `json:"mode"` // octal
	UID         int               `json:"uid"`
	GID         int               `json:"gid"`
	Size        *int64            `json:"size"`
	Mtime       *tarTime          `json:"mtime"`
	Atime       *tarTime          `json:"atime"`
	Ctime       *tarTime          `json:"ctime"`
	Uname       string            `json:"uname"`
	Gname       string            `json:"gname"`
	Linkname    string            `json:"linkname"`
	Devmajor    int64             `json:"devmajor"`
	Devminor    int64             `json:"devminor"`
	Pax         map[string]string `json:"pax"`
	Format      string            `json:"format"`
	Body        string            `json:"body"`
	BodyPattern *int              `json:"bodyPattern"` // that many bytes, byte i = i % 251
}

type golden struct {
	File       string  `json:"file"`
	HeaderOnly bool    `json:"headerOnly"` // write the first header only (its body would be too big)
	Entries    []entry `json:"entries"`
}

func toTime(t *tarTime) time.Time {
	if t == nil {
		return time.Time{}
	}
	return time.Unix(t.Sec, t.Nsec)
}

func body(e entry) []byte {
	if e.BodyPattern != nil {
		b := make([]byte, *e.BodyPattern)
		for i := range b {
			b[i] = byte(i % 251)
		}
		return b
	}
	return []byte(e.Body)
}

func header(e entry) *tar.Header {
	mode, err := strconv.ParseInt(e.Mode, 8, 64)
	if err != nil && e.Mode != "" {
		panic(err)
	}
	h := &tar.Header{
		Name:       e.Name,
		Typeflag:   e.Typeflag[0],
		Mode:       mode,
		Uid:        e.UID,
		Gid:        e.GID,
		ModTime:    toTime(e.Mtime),
		AccessTime: toTime(e.Atime),
		ChangeTime: toTime(e.Ctime),
		Uname:      e.Uname,
		Gname:      e.Gname,
		Linkname:   e.Linkname,
		Devmajor:   e.Devmajor,
		Devminor:   e.Devminor,
		PAXRecords: e.Pax,
	}
	if e.Size != nil {
		h.Size = *e.Size
	} else {
		h.Size = int64(len(body(e)))
	}
	switch e.Format {
	case "ustar":
		h.Format = tar.FormatUSTAR
	case "pax":
		h.Format = tar.FormatPAX
	case "gnu":
		h.Format = tar.FormatGNU
	}
	return h
}

func write(g golden) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range g.Entries {
		h := header(e)
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("%s: %q: %w", g.File, e.Name, err)
		}
		if g.HeaderOnly {
			return buf.Bytes(), nil
		}
		switch h.Typeflag {
		case tar.TypeLink, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeDir, tar.TypeFifo, tar.TypeXGlobalHeader:
		default:
			if _, err := tw.Write(body(e)); err != nil {
				return nil, fmt.Errorf("%s: %q: %w", g.File, e.Name, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func main() {
	raw, err := os.ReadFile("cases.json")
	if err != nil {
		panic(err)
	}
	var cases []golden
	if err := json.Unmarshal(raw, &cases); err != nil {
		panic(err)
	}
	for _, g := range cases {
		b, err := write(g)
		if err != nil {
			panic(err)
		}
		if err := os.WriteFile(g.File+".tar", b, 0o644); err != nil {
			panic(err)
		}
	}
	fmt.Printf("wrote %d golden files\n", len(cases))

	inputs, err := filepath.Glob("foreign/*.tar")
	if err != nil {
		panic(err)
	}
	for _, in := range inputs {
		if strings.Contains(in, ".go-") {
			continue
		}
		base := strings.TrimSuffix(in, ".tar")
		for suffix, setTime := range map[string]bool{".go-rewrite.tar": false, ".go-time.tar": true} {
			b, err := rewrite(in, setTime)
			if err != nil {
				panic(fmt.Errorf("%s: %w", in, err))
			}
			if err := os.WriteFile(base+suffix, b, 0o644); err != nil {
				panic(err)
			}
		}
	}
	fmt.Printf("rewrote %d foreign archives\n", len(inputs))
}

// mutateTime is the time the .go-time.tar files set, as mutate.Time(img, mutateTime) would.
var mutateTime = time.Unix(1600000000, 0)

// rewrite reads an archive with Go's reader and writes every entry back with Go's writer.
func rewrite(path string, setTime bool) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	tr := tar.NewReader(f)
	tw := tar.NewWriter(&buf)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if setTime {
			h.ModTime = mutateTime
			if h.Format == tar.FormatPAX || h.Format == tar.FormatGNU {
				h.AccessTime = mutateTime
				h.ChangeTime = mutateTime
			}
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("%q: %w", h.Name, err)
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
