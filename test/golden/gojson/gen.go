// Command gen writes the golden files that src/internal/gojson's tests compare our serializer with:
// the bytes Go's encoding/json writes for go-containerregistry's v1 types.
//
// Run it from this folder, with any Go toolchain and nothing but the standard library:
//
//	cd test/golden/gojson && go run gen.go
//
// It is committed with its output; CI does not run it. Run it again after changing a case here,
// and change the matching builder in src/internal/gojson/marshal.test.ts in the same commit.
//
// What it writes:
//
//	values/<case>.json        json.Marshal of a value built by hand below; the TS test builds the
//	                          same value by hand and must produce the same bytes.
//	decode/<case>.input.json  a document as some other tool wrote it (whitespace, unknown fields,
//	                          escapes, nulls, offsets); both sides parse it and marshal it again.
//	decode/<case>.json        what Go writes after json.Unmarshal of the input into ggcr's type.
//	times.json                [{input, output?, error?}]: Go's time.Time UnmarshalJSON of each
//	                          input, and MarshalJSON of the result.
//	generator.json            the Go version that wrote these files.
//
// The structs mirror ggcr's pkg/v1 (manifest.go, config.go, platform.go, hash.go) as of the
// 2026 snapshot the project ports: field order and tags matter, they decide the bytes.
//
// Go 1.22 changed encoding/json to write U+0008 and U+000C as \b and \f instead of \u0008 and
// \u000c. crane is built with a current Go, so the files must show the current form; when this
// program runs on an older toolchain it rewrites those two escapes (and nothing else) and says so
// in generator.json.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// ---- ggcr's types ----

type Hash struct {
	Algorithm string
	Hex       string
}

func (h Hash) String() string { return fmt.Sprintf("%s:%s", h.Algorithm, h.Hex) }

func (h Hash) MarshalJSON() ([]byte, error) { return json.Marshal(h.String()) }

func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

func (h *Hash) UnmarshalJSON(data []byte) error {
	s, err := strconv.Unquote(string(data))
	if err != nil {
		return err
	}
	return h.UnmarshalText([]byte(s))
}

func (h *Hash) UnmarshalText(text []byte) error {
	parts := strings.Split(string(text), ":")
	if len(parts) != 2 {
		return fmt.Errorf("bad hash %q", text)
	}
	h.Algorithm, h.Hex = parts[0], parts[1]
	return nil
}

type Time struct {
	time.Time
}

type MediaType string

type Platform struct {
	Architecture string   `json:"architecture"`
	OS           string   `json:"os"`
	OSVersion    string   `json:"os.version,omitempty"`
	OSFeatures   []string `json:"os.features,omitempty"`
	Variant      string   `json:"variant,omitempty"`
	Features     []string `json:"features,omitempty"`
}

type Descriptor struct {
	MediaType    MediaType         `json:"mediaType"`
	Size         int64             `json:"size"`
	Digest       Hash              `json:"digest"`
	Data         []byte            `json:"data,omitempty"`
	URLs         []string          `json:"urls,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	Platform     *Platform         `json:"platform,omitempty"`
	ArtifactType string            `json:"artifactType,omitempty"`
}

type Manifest struct {
	SchemaVersion int64             `json:"schemaVersion"`
	MediaType     MediaType         `json:"mediaType,omitempty"`
	Config        Descriptor        `json:"config"`
	Layers        []Descriptor      `json:"layers"`
	Annotations   map[string]string `json:"annotations,omitempty"`
	Subject       *Descriptor       `json:"subject,omitempty"`
	ArtifactType  string            `json:"artifactType,omitempty"`
}

type IndexManifest struct {
	SchemaVersion int64             `json:"schemaVersion"`
	MediaType     MediaType         `json:"mediaType,omitempty"`
	Manifests     []Descriptor      `json:"manifests"`
	Annotations   map[string]string `json:"annotations,omitempty"`
	Subject       *Descriptor       `json:"subject,omitempty"`
	ArtifactType  string            `json:"artifactType,omitempty"`
}

type ConfigFile struct {
	Architecture  string    `json:"architecture"`
	Author        string    `json:"author,omitempty"`
	Container     string    `json:"container,omitempty"`
	Created       Time      `json:"created,omitempty"`
	DockerVersion string    `json:"docker_version,omitempty"`
	History       []History `json:"history,omitempty"`
	OS            string    `json:"os"`
	RootFS        RootFS    `json:"rootfs"`
	Config        Config    `json:"config"`
	OSVersion     string    `json:"os.version,omitempty"`
	Variant       string    `json:"variant,omitempty"`
	OSFeatures    []string  `json:"os.features,omitempty"`
}

type History struct {
	Author     string `json:"author,omitempty"`
	Created    Time   `json:"created,omitempty"`
	CreatedBy  string `json:"created_by,omitempty"`
	Comment    string `json:"comment,omitempty"`
	EmptyLayer bool   `json:"empty_layer,omitempty"`
}

type RootFS struct {
	Type    string `json:"type"`
	DiffIDs []Hash `json:"diff_ids"`
}

type HealthConfig struct {
	Test          []string      `json:",omitempty"`
	Interval      time.Duration `json:",omitempty"`
	Timeout       time.Duration `json:",omitempty"`
	StartPeriod   time.Duration `json:",omitempty"`
	StartInterval time.Duration `json:",omitempty"`
	Retries       int           `json:",omitempty"`
}

type Config struct {
	AttachStderr    bool                `json:"AttachStderr,omitempty"`
	AttachStdin     bool                `json:"AttachStdin,omitempty"`
	AttachStdout    bool                `json:"AttachStdout,omitempty"`
	Cmd             []string            `json:"Cmd,omitempty"`
	Healthcheck     *HealthConfig       `json:"Healthcheck,omitempty"`
	Domainname      string              `json:"Domainname,omitempty"`
	Entrypoint      []string            `json:"Entrypoint,omitempty"`
	Env             []string            `json:"Env,omitempty"`
	Hostname        string              `json:"Hostname,omitempty"`
	Image           string              `json:"Image,omitempty"`
	Labels          map[string]string   `json:"Labels,omitempty"`
	OnBuild         []string            `json:"OnBuild,omitempty"`
	OpenStdin       bool                `json:"OpenStdin,omitempty"`
	StdinOnce       bool                `json:"StdinOnce,omitempty"`
	Tty             bool                `json:"Tty,omitempty"`
	User            string              `json:"User,omitempty"`
	Volumes         map[string]struct{} `json:"Volumes,omitempty"`
	WorkingDir      string              `json:"WorkingDir,omitempty"`
	ExposedPorts    map[string]struct{} `json:"ExposedPorts,omitempty"`
	ArgsEscaped     bool                `json:"ArgsEscaped,omitempty"`
	NetworkDisabled bool                `json:"NetworkDisabled,omitempty"`
	MacAddress      string              `json:"MacAddress,omitempty"`
	StopSignal      string              `json:"StopSignal,omitempty"`
	Shell           []string            `json:"Shell,omitempty"`
}

// ---- helpers ----

// sha is the sha256 of s, so the TS side can rebuild it as Hash.of(s).
func sha(s string) Hash {
	sum := sha256.Sum256([]byte(s))
	return Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
}

func zone(hours, minutes int) *time.Location {
	return time.FixedZone("", hours*3600+minutes*60)
}

func at(year int, month time.Month, day, hour, min, sec, nsec int, loc *time.Location) Time {
	return Time{time.Date(year, month, day, hour, min, sec, nsec, loc)}
}

func legacyEscapes() bool {
	v := runtime.Version()
	if !strings.HasPrefix(v, "go1.") {
		return false // a development build: assume current behaviour
	}
	minor, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(v, "go1."), ".", 2)[0])
	return err == nil && minor < 22
}

// modernize rewrites the escapes \u0008 and \u000c to \b and \f. Every backslash in encoding/json
// output starts an escape, so walking escape by escape never mistakes an escaped backslash
// followed by "u0008" for one.
func modernize(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			out = append(out, b[i])
			continue
		}
		if b[i+1] == 'u' && i+6 <= len(b) {
			switch string(b[i+2 : i+6]) {
			case "0008":
				out = append(out, '\\', 'b')
				i += 5
				continue
			case "000c":
				out = append(out, '\\', 'f')
				i += 5
				continue
			}
		}
		out = append(out, b[i], b[i+1])
		i++
	}
	return out
}

func marshal(v interface{}) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	if legacyEscapes() {
		b = modernize(b)
	}
	return b
}

func write(path string, b []byte) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		panic(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		panic(err)
	}
}

// ---- cases built by hand (mirrored in marshal.test.ts) ----

const (
	ociManifest   = "application/vnd.oci.image.manifest.v1+json"
	ociIndex      = "application/vnd.oci.image.index.v1+json"
	ociConfig     = "application/vnd.oci.image.config.v1+json"
	ociLayer      = "application/vnd.oci.image.layer.v1.tar+gzip"
	dockerList    = "application/vnd.docker.distribution.manifest.list.v2+json"
	dockerV2      = "application/vnd.docker.distribution.manifest.v2+json"
	dockerConfig  = "application/vnd.docker.container.image.v1+json"
	dockerLayer   = "application/vnd.docker.image.rootfs.diff.tar.gzip"
	dockerForeign = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
)

// Strings that exercise every escaping rule: HTML characters, each class of control character,
// quotes and backslashes, line and paragraph separators, astral characters.
var tricky = []string{
	"HTML=<script>alert('&amp;')</script>",
	"CTRL=\x00\x01\x07\b\t\n\v\f\r\x1b\x1f\x7f",
	`QUOTE="back\slash" \u0008 \\`,
	"UNICODE=é ü 日本語 😀 \u00a0\u0085\ufeff\ufffd\uffff",
	"SEP=\u2028\u2029",
	"SLASH=a/b",
	"",
}

var labels = map[string]string{
	"b":                              "2",
	"a":                              "1",
	"B":                              "upper",
	"A":                              "upper",
	"é":                              "e-acute",
	"\uff01":                         "fullwidth exclamation: sorts before astral characters in UTF-8",
	"😀":                              "astral: sorts before U+FF01 in UTF-16",
	"a<b":                            "x > y & z",
	"~":                              "tilde",
	"":                               "empty key",
	"org.opencontainers.image.title": "title\u2028",
}

func valueCases() map[string]interface{} {
	data := append([]byte(`{"hello":"<world>"}`), 0, 1, 2, 0x7f, 0x80, 0xfe, 0xff)
	platformFull := &Platform{
		Architecture: "arm64",
		OS:           "windows",
		OSVersion:    "10.0.17763.1234",
		OSFeatures:   []string{"win32k", "<feature>"},
		Variant:      "v8",
		Features:     []string{"sse4", "avx"},
	}
	subject := &Descriptor{MediaType: ociManifest, Size: 1234, Digest: sha("subject")}

	return map[string]interface{}{
		// ggcr's empty.Image config: only RootFS.Type is set.
		"config-empty": ConfigFile{RootFS: RootFS{Type: "layers"}},

		"config-full": ConfigFile{
			Architecture:  "arm64",
			Author:        "Jane <jane@example.com> & co",
			Container:     "3f2a<c>",
			Created:       at(2024, 5, 6, 7, 8, 9, 123456789, time.UTC),
			DockerVersion: "24.0.7",
			History: []History{
				{CreatedBy: "/bin/sh -c #(nop) ADD file:abc in / "},
				{
					Author:     "bob",
					Created:    at(2024, 1, 2, 3, 4, 5, 0, zone(5, 30)),
					CreatedBy:  `RUN echo "<hi>" && ls`,
					Comment:    "buildkit.dockerfile.v0",
					EmptyLayer: true,
				},
				{Created: at(999, 12, 31, 23, 59, 59, 100, zone(-8, 0))},
				{Created: at(2024, 1, 2, 3, 4, 5, 120000000, time.FixedZone("UTC0", 0))},
				{Created: at(5, 6, 7, 8, 9, 10, 1, time.UTC), EmptyLayer: true},
			},
			OS:     "linux",
			RootFS: RootFS{Type: "layers", DiffIDs: []Hash{sha("layer-1"), sha("layer-2")}},
			Config: Config{
				AttachStderr: true,
				AttachStdin:  true,
				AttachStdout: true,
				Cmd:          []string{"/bin/sh", "-c", "echo <a> && b"},
				Healthcheck: &HealthConfig{
					Test:          []string{"CMD-SHELL", "curl -f http://localhost/ || exit 1"},
					Interval:      30 * time.Second,
					Timeout:       5 * time.Second,
					StartPeriod:   1500 * time.Millisecond,
					StartInterval: 2 * time.Second,
					Retries:       3,
				},
				Domainname:      "example.com",
				Entrypoint:      []string{"/entry", "--flag=<v>"},
				Env:             tricky,
				Hostname:        "host",
				Image:           sha("base-image").String(),
				Labels:          labels,
				OnBuild:         []string{"RUN make"},
				OpenStdin:       true,
				StdinOnce:       true,
				Tty:             true,
				User:            "1000:1000",
				Volumes:         map[string]struct{}{"/data": {}, "/a b": {}, "/Z": {}},
				WorkingDir:      "/work",
				ExposedPorts:    map[string]struct{}{"8080/tcp": {}, "443/tcp": {}, "53/udp": {}},
				ArgsEscaped:     true,
				NetworkDisabled: true,
				MacAddress:      "02:42:ac:11:00:02",
				StopSignal:      "SIGTERM",
				Shell:           []string{"/bin/bash", "-c"},
			},
			OSVersion:  "10.0.17763.1234",
			Variant:    "v8",
			OSFeatures: []string{"win32k"},
		},

		// Allocated but empty lists and maps: omitempty drops them, except diff_ids which is
		// written as [] (and a non-nil pointer to an empty Healthcheck as {}).
		"config-empty-collections": ConfigFile{
			Architecture: "amd64",
			Created:      at(2023, 12, 31, 23, 59, 59, 999999999, zone(-3, -30)),
			History:      []History{},
			OS:           "linux",
			RootFS:       RootFS{Type: "layers", DiffIDs: []Hash{}},
			Config: Config{
				Cmd:          []string{},
				Healthcheck:  &HealthConfig{Test: []string{}},
				Env:          []string{},
				Labels:       map[string]string{},
				Volumes:      map[string]struct{}{},
				ExposedPorts: map[string]struct{}{},
				Shell:        []string{},
			},
			OSFeatures: []string{},
		},

		// A nil Layers slice is written as null.
		"manifest-nil-layers": Manifest{
			SchemaVersion: 2,
			MediaType:     dockerV2,
			Config:        Descriptor{MediaType: dockerConfig, Size: 123, Digest: sha("config")},
		},

		"manifest-empty-layers": Manifest{
			SchemaVersion: 2,
			MediaType:     dockerV2,
			Config:        Descriptor{MediaType: dockerConfig, Size: 123, Digest: sha("config")},
			Layers:        []Descriptor{},
		},

		"manifest-full": Manifest{
			SchemaVersion: 2,
			MediaType:     ociManifest,
			Config:        Descriptor{MediaType: "application/vnd.example.config+json", Size: 2, Digest: sha("{}"), Data: []byte("{}")},
			Layers: []Descriptor{
				{MediaType: ociLayer, Size: 9007199254740991, Digest: sha("layer-1")},
				{
					MediaType:   dockerForeign,
					Size:        42,
					Digest:      sha("layer-2"),
					URLs:        []string{"https://example.com/a?b=1&c=<2>", "https://mirror.example.com/x"},
					Annotations: map[string]string{"z": "last", "a": "first", "m<": "&"},
				},
			},
			Annotations:  map[string]string{"org.opencontainers.image.created": "2024-01-01T00:00:00Z", "com.example.html": "<b>&</b>"},
			Subject:      subject,
			ArtifactType: "application/vnd.example.sbom+json",
		},

		// Go's zero Manifest: a zero Hash prints as ":".
		"manifest-zero": Manifest{},

		"index-platforms": IndexManifest{
			SchemaVersion: 2,
			MediaType:     dockerList,
			Manifests: []Descriptor{
				{MediaType: dockerV2, Size: 528, Digest: sha("amd64"), Platform: &Platform{Architecture: "amd64", OS: "linux"}},
				{MediaType: dockerV2, Size: 529, Digest: sha("arm64"), Platform: &Platform{Architecture: "arm64", OS: "linux", Variant: "v8"}},
				{MediaType: dockerV2, Size: 530, Digest: sha("windows"), Platform: platformFull},
				{MediaType: ociManifest, Size: 531, Digest: sha("attestation"), Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest"}, Platform: &Platform{}},
			},
			Annotations:  map[string]string{"b": "2", "a": "1"},
			Subject:      subject,
			ArtifactType: "application/vnd.example.index",
		},

		"index-nil-manifests": IndexManifest{SchemaVersion: 2, MediaType: ociIndex},

		"index-empty-manifests": IndexManifest{SchemaVersion: 2, MediaType: ociIndex, Manifests: []Descriptor{}},

		"descriptor-full": Descriptor{
			MediaType:    ociManifest,
			Size:         int64(len(data)),
			Digest:       sha("descriptor"),
			Data:         data,
			URLs:         []string{"https://example.com/blob"},
			Annotations:  map[string]string{"org.opencontainers.image.ref.name": "v1.0&<latest>"},
			Platform:     platformFull,
			ArtifactType: "application/vnd.example+type",
		},

		// An allocated empty data slice is omitted like a nil one.
		"descriptor-empty-data": Descriptor{MediaType: ociLayer, Size: 0, Digest: sha(""), Data: []byte{}, URLs: []string{}, Annotations: map[string]string{}},

		"platform-full": *platformFull,

		"platform-zero": Platform{},
	}
}

// ---- documents decoded and encoded again ----

var decodeCases = map[string]struct {
	into  func() interface{}
	input string
}{
	// A config as a Docker build writes it: indentation, another field order, fields ggcr does
	// not model (container_config, moby's), an offset of +00:00, unescaped <>&, \u escapes.
	"docker-config": {func() interface{} { return &ConfigFile{} }, `{
  "architecture": "amd64",
  "config": {
    "Env": ["PATH=/usr/local/bin:/usr/bin", "A=<b>&c", "E=\u00e9\ud83d\ude00\b\f"],
    "Cmd": ["bash"],
    "Labels": {"z": "1", "a": "2", "\uff01": "3", "\ud83d\ude00": "4"},
    "ExposedPorts": {"80/tcp": {}, "443/tcp": null},
    "ArgsEscaped": true,
    "OnBuild": null,
    "Healthcheck": {"Test": ["NONE"]},
    "Unknown": "dropped"
  },
  "container": "c0ffee",
  "container_config": {"Cmd": ["/bin/sh", "-c", "#(nop) CMD [\"bash\"]"]},
  "created": "2024-03-04T05:06:07.100000000+00:00",
  "docker_version": "20.10.23",
  "history": [
    {"created": "2024-03-04T05:06:07.1Z", "created_by": "/bin/sh -c #(nop) ADD file:1 in / "},
    {"created": "2024-03-04T05:06:07-07:00", "created_by": "/bin/sh -c #(nop)  CMD [\"bash\"]", "empty_layer": true},
    {"created_by": "no created time"},
    {"created": null, "comment": "null created time"}
  ],
  "os": "linux",
  "rootfs": {"type": "layers", "diff_ids": ["sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]},
  "moby.buildkit.buildinfo.v1": "eyJ9"
}`},

	"oci-manifest": {func() interface{} { return &Manifest{} }, `{
  "layers": [
    {"digest": "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "size": 32, "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "annotations": {"b": "2", "a": "1"}}
  ],
  "config": {"size": 2, "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "mediaType": "application/vnd.oci.image.config.v1+json", "data": "e30="},
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.manifest.v1+json",
  "annotations": {"org.example/html": "<&>", "org.example/lone": "\ud800x\udc00y"},
  "unknown": {"kept": false}
}`},

	"docker-index": {func() interface{} { return &IndexManifest{} }, `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",
"manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":1,"digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
"platform":{"os":"windows","architecture":"amd64","os.version":"10.0.20348.2227","os.features":["win32k"],"features":[],"variant":""}}]}`},

	// Explicit nulls read as Go's zero values.
	"nulls": {func() interface{} { return &Manifest{} }, `{"schemaVersion":2,"config":{"mediaType":"","size":0,"digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","urls":null,"platform":null},"layers":null,"annotations":null,"subject":null}`},

	// Invalid UTF-8 bytes (a lone 0xff, 0xc3 before an ASCII byte) decode to U+FFFD.
	"invalid-utf8": {func() interface{} { return &Descriptor{} }, "{\"mediaType\":\"a\xffb\xc3(c\",\"size\":0,\"digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}"},
}

// ---- time.Time as JSON ----

var timeInputs = []string{
	"2024-01-02T03:04:05Z",
	"2024-01-02T03:04:05.000000000Z",
	"2024-01-02T03:04:05.1Z",
	"2024-01-02T03:04:05.120Z",
	"2024-01-02T03:04:05.123456789Z",
	"2024-01-02T03:04:05.1234567891Z",
	"2024-01-02T03:04:05.000000001Z",
	"2024-01-02T03:04:05,5Z",
	"2024-01-02T03:04:05+00:00",
	"2024-01-02T03:04:05-00:00",
	"2024-01-02T03:04:05+05:30",
	"2024-01-02T03:04:05-08:00",
	"2024-01-02T03:04:05+23:59",
	"2024-01-01T00:30:00+01:00",
	"2024-12-31T23:30:00-01:00",
	"0001-01-01T00:00:00Z",
	"0001-01-01T00:30:00+01:00",
	"0000-01-01T00:00:00Z",
	"0000-01-01T00:00:00+01:00",
	"0099-03-01T00:00:00Z",
	"0999-12-31T23:59:59.999999999Z",
	"1969-12-31T23:59:59.5Z",
	"1970-01-01T00:00:00Z",
	"9999-12-31T23:59:59Z",
	"2024-02-29T12:00:00Z",
	"2000-02-29T12:00:00Z",
	"1900-02-28T12:00:00Z",
	"2024-01-01T3:04:05Z",
	"1900-02-29T12:00:00Z",
	"2023-02-29T00:00:00Z",
	"2024-04-31T00:00:00Z",
	"2024-13-01T00:00:00Z",
	"2024-00-01T00:00:00Z",
	"2024-01-00T00:00:00Z",
	"2024-01-01T24:00:00Z",
	"2024-01-01T23:60:00Z",
	"2024-01-01T23:59:60Z",
	"2024-01-01t03:04:05z",
	"2024-01-01T03:04:05z",
	"2024-01-01T03:04:05",
	"2024-01-01T03:04:05+0530",
	"2024-01-01T03:04:05+5:30",
	"2024-01-01 03:04:05Z",
	"2024-01-01T03:04:05Z ",
	" 2024-01-01T03:04:05Z",
	"2024-01-01T03:04:05.Z",
	"2024-1-01T03:04:05Z",
	"24-01-01T03:04:05Z",
	"10000-01-01T00:00:00Z",
	"-001-01-01T00:00:00Z",
	"",
}

type timeCase struct {
	Input  string  `json:"input"`
	Output *string `json:"output,omitempty"`
	Error  bool    `json:"error,omitempty"`
}

func timeCases() []timeCase {
	var out []timeCase
	for _, in := range timeInputs {
		quoted, _ := json.Marshal(in)
		var t Time
		c := timeCase{Input: in}
		if err := json.Unmarshal(quoted, &t); err != nil {
			c.Error = true
		} else if b, err := json.Marshal(t); err != nil {
			c.Error = true
		} else {
			s := string(b[1 : len(b)-1])
			c.Output = &s
		}
		out = append(out, c)
	}
	return out
}

func main() {
	for name, v := range valueCases() {
		write(filepath.Join("values", name+".json"), marshal(v))
	}
	for name, c := range decodeCases {
		v := c.into()
		if err := json.Unmarshal([]byte(c.input), v); err != nil {
			panic(fmt.Sprintf("%s: %v", name, err))
		}
		write(filepath.Join("decode", name+".input.json"), []byte(c.input))
		write(filepath.Join("decode", name+".json"), marshal(v))
	}
	times, err := json.MarshalIndent(timeCases(), "", "  ")
	if err != nil {
		panic(err)
	}
	write("times.json", append(times, '\n'))
	gen, _ := json.MarshalIndent(map[string]interface{}{
		"go":                       runtime.Version(),
		"rewroteBackspaceFormFeed": legacyEscapes(),
	}, "", "  ")
	write("generator.json", append(gen, '\n'))
}
