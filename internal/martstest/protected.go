package martstest

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"integstat/delivery"
	"integstat/ident"
)

// ProtectedKommune and ProtectedFylke are where ProtectedInNIR puts the
// protected person's NIR records: a kommune nobody else in the small cases
// has records in.
const (
	ProtectedKommune = "1804"
	ProtectedFylke   = "18"
)

// ProtectedInNIR copies the small cases' inbox (smallcases, the inbox
// directory) and makes its settled person with protected identity
// (DUF 201700000009) also a person of NIR: the settlement row gets an
// identity number, and the final 2017 NIR delivery gets their person row,
// an introduction-programme spell (RP from 15.4.2017, started 1.5.2017),
// Norwegian training (RP, first hour 10.5.2017) and hours of NORSK and
// GRUNNSKOLE in 2017, all in ProtectedKommune, where they are alone. The
// manifests are rewritten to match. It returns the new inbox.
func ProtectedInNIR(t testing.TB, smallcases string) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(smallcases)); err != nil {
		t.Fatal(err)
	}
	fnr := ident.Synthetic(rand.New(rand.NewPCG(13, 13)), time.Date(1988, 2, 2, 0, 0, 0, 0, time.UTC), false, false)
	k := ProtectedKommune
	edit(t, filepath.Join(dst, "bosetting", "20180305T020000"), "personer.jsonl.gz", 0, func(b []byte) []byte {
		old := []byte(`"duf":"201700000009","fnr":null`)
		if !bytes.Contains(b, old) {
			t.Fatal("martstest: the protected person 201700000009 is not in the settlement delivery")
		}
		return bytes.Replace(b, old, []byte(`"duf":"201700000009","fnr":"`+fnr+`"`), 1)
	})
	nir := filepath.Join(dst, "nir", "20180228T020000")
	add := map[string]string{
		"personer.csv":        fnr + ";Bos;Ni;1988-02-02;M;SYR;SYR;FLU;Storgata 9;8006;" + k + ";;2017-04-20 10:00:00\n",
		"introprogram.csv":    "V99;" + fnr + ";" + k + ";RP;2017-04-15;2017-04-20;2017-05-01;;;N;2;2017-04-20 10:00:00;\n",
		"norskopplaering.csv": "RP;" + fnr + ";" + k + ";2017-05-10;2017-04-15;0;50;2017-05-10 09:00:00\n",
		"timer.csv": fnr + ";" + k + ";2017-05;NORSK;INTRO;40;0;2017-06-05 09:00:00\r\n" +
			fnr + ";" + k + ";2017-06;GRUNNSKOLE;INTRO;20;0;2017-07-05 09:00:00\r\n",
	}
	for name, rows := range add {
		edit(t, nir, name, int64(strings.Count(rows, "\n")), func(b []byte) []byte { return append(b, rows...) })
	}
	return dst
}

// edit rewrites file name of delivery dir with fn (through gzip for a .gz
// file) and updates its checksum, and its row count by added, in the
// manifest.
func edit(t testing.TB, dir, name string, added int64, fn func([]byte) []byte) {
	t.Helper()
	path := filepath.Join(dir, name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(fn(plain))
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		b = buf.Bytes()
	} else {
		b = fn(b)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := delivery.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	for i := range m.Files {
		if m.Files[i].Name == name {
			m.Files[i].SHA256 = hex.EncodeToString(sum[:])
			m.Files[i].Rows += added
		}
	}
	if err := delivery.WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
}
