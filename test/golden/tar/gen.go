// Command gen writes the golden tar files that src/internal/tar/golden.test.ts compares our tar
// writer against: for every case in cases.json, the bytes Go's archive/tar writes for those
// headers. It uses only Go's standard library. CI does not run it; the .tar files are committed.
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
	"os"
	"strconv"
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
}
