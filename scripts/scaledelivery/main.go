// Command scaledelivery makes a large NIR delivery for the ingest
// benchmark cheaply: it writes a delivery holding n copies of the persons
// of a (scale 1) NIR delivery, each copy with its identity numbers
// rewritten to fresh valid synthetic numbers of the same sex and kind (born
// some days later), and its vedtak ids made unique, with a correct manifest. A scale-100
// delivery made this way takes minutes and only its own 20 GB, where
// generating a whole scale-100 demo set takes 130 GB.
//
//	go run ./scripts/scaledelivery -from INBOX/nir/ID -to OUTBOX/nir/ID -copies 10
//
// Rows keep their faults: an invalid number stays as it is in every copy,
// so each copy is quarantined like the original, and the answer key of
// copy k is that of the original with its lines moved.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"integstat/extract/delivery"
	"integstat/transform/ident"
)

func main() {
	from := flag.String("from", "", "the NIR delivery directory to copy")
	to := flag.String("to", "", "the directory of the new delivery (created)")
	copies := flag.Int("copies", 10, "how many copies of the persons the new delivery holds")
	flag.Parse()
	if *from == "" || *to == "" || *copies < 1 {
		flag.Usage()
		os.Exit(2)
	}
	start := time.Now()
	rows, err := scale(*from, *to, *copies)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d rows in %d copies written to %s in %.1f s\n", rows, *copies, *to, time.Since(start).Seconds())
}

// scale writes the delivery and returns its number of rows.
func scale(from, to string, copies int) (int64, error) {
	m, err := delivery.ReadManifest(from)
	if err != nil {
		return 0, err
	}
	if m.Source != "nir" {
		return 0, fmt.Errorf("%s: a %s delivery; scaledelivery copies NIR deliveries", from, m.Source)
	}
	if err := os.MkdirAll(to, 0o700); err != nil {
		return 0, err
	}
	// Every valid number of the original, so that no copy reuses one.
	used := map[string]bool{}
	for _, f := range m.Files {
		if err := eachLine(filepath.Join(from, f.Name), func(line []byte) {
			eachNumber(line, func(n []byte) { used[string(n)] = true })
		}); err != nil {
			return 0, err
		}
	}
	maps := make([]numberMap, copies)
	for k := 1; k < copies; k++ {
		maps[k] = numberMap{rng: rand.New(rand.NewPCG(uint64(k), 0x5ca1e)), shift: 641 * k, to: map[string]string{}, used: used}
	}
	var total int64
	for i, f := range m.Files {
		sum, err := writeFile(filepath.Join(from, f.Name), filepath.Join(to, f.Name), f.Name == "introprogram.csv", maps)
		if err != nil {
			return 0, err
		}
		m.Files[i].Rows *= int64(copies)
		m.Files[i].SHA256 = sum
		total += m.Files[i].Rows
	}
	return total, delivery.WriteManifest(to, m)
}

// numberMap gives the identity numbers of one copy.
type numberMap struct {
	rng   *rand.Rand
	shift int // days the copy's births move
	to    map[string]string
	used  map[string]bool
}

// number returns the copy's number for original number n, the same every
// time; a number that is not valid stays as it is.
func (m *numberMap) number(n []byte) []byte {
	if s, ok := m.to[string(n)]; ok {
		return []byte(s)
	}
	num, err := ident.Parse(string(n), ident.Options{AllowSynthetic: true})
	if err != nil {
		return n
	}
	// Another birth date for each copy, the copies spread over 1860–2034:
	// a day has a few hundred numbers of a sex and kind, too few for a
	// hundred copies of its persons.
	birth := num.Birth.AddDate(0, 0, m.shift)
	for birth.Year() >= 2035 {
		birth = birth.AddDate(-175, 0, 0)
	}
	for tries := 0; ; tries++ {
		if tries > 0 && tries%50 == 0 {
			birth = birth.AddDate(0, 0, 1) // the day's numbers are running out
		}
		s := ident.Synthetic(m.rng, birth, num.Female, num.Kind == ident.DNumber)
		if !m.used[s] {
			m.used[s] = true
			m.to[string(n)] = s
			return []byte(s)
		}
	}
}

// eachNumber calls fn with every field of line that is 11 digits.
func eachNumber(line []byte, fn func([]byte)) {
	for f := range bytes.SplitSeq(bytes.TrimRight(line, "\r\n"), []byte{';'}) {
		if len(f) == 11 && digits(f) {
			fn(f)
		}
	}
}

func digits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// eachLine calls fn with every physical line of the file after the header.
func eachLine(path string, fn func([]byte)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	if _, err := br.ReadSlice('\n'); err != nil {
		return fmt.Errorf("%s: header: %w", path, err)
	}
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			fn(line)
		}
		switch {
		case err == io.EOF:
			return nil
		case err != nil:
			return fmt.Errorf("%s: %w", path, err)
		}
	}
}

// writeFile writes the header of src and then its lines once per copy, the
// numbers (and with vedtak set the first column) rewritten for copies after
// the first, and returns the sha256 of what it wrote.
func writeFile(src, dst string, vedtak bool, maps []numberMap) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return "", err
	}
	defer out.Close()
	h := sha256.New()
	w := bufio.NewWriterSize(io.MultiWriter(out, h), 1<<20)
	header, err := bufio.NewReader(in).ReadSlice('\n')
	if err != nil {
		return "", fmt.Errorf("%s: header: %w", src, err)
	}
	w.Write(header)
	var buf []byte
	for k := range maps {
		err := eachLine(src, func(line []byte) {
			if k == 0 {
				w.Write(line)
				return
			}
			buf = rewrite(buf[:0], line, &maps[k], vedtak, k)
			w.Write(buf)
		})
		if err != nil {
			return "", err
		}
	}
	if err := w.Flush(); err != nil {
		return "", err
	}
	if err := out.Close(); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// rewrite appends line to buf with its numbers those of copy k.
func rewrite(buf, line []byte, m *numberMap, vedtak bool, k int) []byte {
	end := len(line)
	for end > 0 && (line[end-1] == '\n' || line[end-1] == '\r') {
		end--
	}
	for i, f := range bytes.Split(line[:end], []byte{';'}) {
		if i > 0 {
			buf = append(buf, ';')
		}
		switch {
		case i == 0 && vedtak && len(f) > 0 && f[0] == 'V':
			buf = append(append(append(buf, f...), '.'), strconv.Itoa(k)...)
		case len(f) == 11 && digits(f):
			buf = append(buf, m.number(f)...)
		default:
			buf = append(buf, f...)
		}
	}
	return append(buf, line[end:]...)
}
