package delivery

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// event is what a reader gives for one record: its line and fields, or the
// row error and raw text.
type event struct {
	Line   int64
	Fields []string
	Err    string
	Raw    string
}

// readSequential reads data with CSVReader.Next, the reference.
func readSequential(t *testing.T, data []byte) []event {
	t.Helper()
	r, err := NewCSVReader(bytes.NewReader(data), "f.csv")
	if err != nil {
		t.Fatal(err)
	}
	var out []event
	for {
		rec, err := r.Next()
		var re *RowError
		switch {
		case err == io.EOF:
			return out
		case errors.As(err, &re):
			out = append(out, event{Line: re.Line, Err: re.Error(), Raw: r.Raw()})
		case err != nil:
			t.Fatal(err)
		default:
			out = append(out, event{Line: rec.Line, Fields: rec.Fields})
		}
	}
}

// readChunked reads data in chunks of about min bytes cut where column
// keyCol changes, each chunk parsed by a ChunkReader, and returns the
// records and the chunks.
func readChunked(t *testing.T, data []byte, min, keyCol int) ([]event, []Chunk) {
	t.Helper()
	r, err := NewCSVReader(bytes.NewReader(data), "f.csv")
	if err != nil {
		t.Fatal(err)
	}
	var chunks []Chunk
	for {
		c, err := r.NextChunk(min, keyCol)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		chunks = append(chunks, c)
	}
	var out []event
	cr := NewChunkReader(r.Header(), "f.csv")
	for _, c := range chunks {
		cr.Reset(c)
		for {
			line, fields, err := cr.Next()
			var re *RowError
			if err == io.EOF {
				break
			}
			switch {
			case errors.As(err, &re):
				out = append(out, event{Line: re.Line, Err: re.Error(), Raw: cr.Raw()})
			case err != nil:
				t.Fatal(err)
			default:
				out = append(out, event{Line: line, Fields: append([]string(nil), fields...)})
			}
		}
	}
	return out, chunks
}

// chunkInput makes a file of n records of persons with runs of rows, some
// with quoted fields holding ';', quotes and line ends, some broken: an
// unclosed quote spanning lines, a stray quote, too few fields, a blank
// line, CR LF ends and invalid UTF-8.
func chunkInput(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	var b strings.Builder
	b.WriteString("fnr;kommune;note\n")
	person := 0
	for i := range n {
		if rng.IntN(4) == 0 {
			person++
		}
		note := fmt.Sprintf("n%d", i)
		end := "\n"
		switch rng.IntN(40) {
		case 0:
			note = `"a;b"`
		case 1:
			note = "\"two\nlines; and \"\"quotes\"\"\""
		case 2:
			note = "\"unclosed\nnext"
		case 3:
			note = `x"y`
		case 4:
			b.WriteString("\n")
		case 5:
			end = "\r\n"
		case 6:
			note = "\xff"
		case 7:
			fmt.Fprintf(&b, "%011d;0301\n", person)
			continue
		case 8:
			note = "\"three\n\nlines\""
		}
		fmt.Fprintf(&b, "%011d;%04d;%s%s", person, rng.IntN(10), note, end)
	}
	return []byte(b.String())
}

// TestChunksReadAsWhole checks that cutting a file into chunks and parsing
// them apart gives exactly the records and errors, with the same lines and
// raw text, that reading the file whole gives, at chunk sizes that put
// boundaries everywhere: inside runs of a person, next to quoted fields
// spanning lines and broken quotes.
func TestChunksReadAsWhole(t *testing.T) {
	inputs := map[string][]byte{}
	for _, name := range []string{"plain_lf.csv", "quoted.csv", "malformed.csv", "bom_crlf.csv", "bom_lf_noeol.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		inputs[name] = data
	}
	for seed := range uint64(4) {
		inputs[fmt.Sprintf("generated-%d", seed)] = chunkInput(3000, seed)
	}
	inputs["noeol-quote"] = []byte("a;b\n1;2\n3;\"x\ny\"")
	inputs["unclosed-at-end"] = []byte("a;b\n1;2\n3;\"x\ny\nz\n")
	for name, data := range inputs {
		want := readSequential(t, data)
		for _, min := range []int{1, 7, 50, 300, 5000, 1 << 20} {
			for _, keyCol := range []int{-1, 0} {
				got, chunks := readChunked(t, data, min, keyCol)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s, min %d, key column %d: chunked reading differs:\n got %d records %.300v\nwant %d records %.300v", name, min, keyCol, len(got), got, len(want), want)
					continue
				}
				var all []byte
				for _, c := range chunks {
					all = append(all, c.Data...)
				}
				if !bytes.HasSuffix(data, all) || len(data)-len(all) > 64 {
					t.Errorf("%s, min %d: the chunks are not the file after its header", name, min)
				}
			}
		}
	}
}

// TestChunkCutsBetweenPersons checks that chunks end where the key column
// changes, so a person's run of rows stays in one chunk, and near min.
func TestChunkCutsBetweenPersons(t *testing.T) {
	var b strings.Builder
	b.WriteString("fnr;x\n")
	for p := range 200 {
		for i := range 1 + p%7 {
			fmt.Fprintf(&b, "%011d;%d\n", p, i)
		}
	}
	data := []byte(b.String())
	got, chunks := readChunked(t, data, 100, 0)
	if len(got) != len(readSequential(t, data)) {
		t.Fatalf("%d records, want %d", len(got), len(readSequential(t, data)))
	}
	if len(chunks) < 20 {
		t.Fatalf("%d chunks, want many", len(chunks))
	}
	for i, c := range chunks {
		if len(c.Data) > 4*100+200 {
			t.Errorf("chunk %d has %d bytes, want about 100", i, len(c.Data))
		}
		if i == 0 {
			continue
		}
		prev := chunks[i-1].Data
		last := prev[bytes.LastIndexByte(prev[:len(prev)-1], '\n')+1:]
		if bytes.Equal(last[:11], c.Data[:11]) {
			t.Errorf("chunk %d starts within the run of the person chunk %d ends with", i, i-1)
		}
	}
}

// TestChunkTooLongLine checks that a line over the record bound is the same
// error in a chunk as in the whole file, and the lines after it keep their
// numbers.
func TestChunkTooLongLine(t *testing.T) {
	data := []byte("a;b\n1;2\n" + strings.Repeat("x", maxRecordBytes+10) + "\n3;4\n5;\"6\n" + strings.Repeat("y", maxRecordBytes+10) + "\n7;8\n")
	want := readSequential(t, data)
	for _, min := range []int{1, 1 << 20} {
		got, _ := readChunked(t, data, min, -1)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("min %d: got %.300v, want %.300v", min, got, want)
		}
	}
}

// TestResumeAtLine checks that reading a file from a record's line on,
// found by LineOffsets, gives exactly the records and errors that reading
// it whole gives from that record on: a stage can read again part of a
// file it read whole.
func TestResumeAtLine(t *testing.T) {
	for _, block := range []int{5, 64, 1 << 20} {
		t.Run(fmt.Sprint("block=", block), func(t *testing.T) {
			defer func(n int) { lineOffsetsBlock = n }(lineOffsetsBlock)
			lineOffsetsBlock = block
			testResumeAtLine(t)
		})
	}
}

func testResumeAtLine(t *testing.T) {
	inputs := map[string][]byte{}
	for _, name := range []string{"quoted.csv", "malformed.csv", "bom_crlf.csv", "bom_lf_noeol.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		inputs[name] = data
	}
	for seed := range uint64(3) {
		inputs[fmt.Sprintf("generated-%d", seed)] = chunkInput(3000, seed)
	}
	for name, data := range inputs {
		want := readSequential(t, data)
		r, err := NewCSVReader(bytes.NewReader(data), "f.csv")
		if err != nil {
			t.Fatal(err)
		}
		var lines []int64
		var at []int // index in want of each line's first record
		for i, e := range want {
			if (i%37 == 0 || i == len(want)-1) && (len(lines) == 0 || e.Line > lines[len(lines)-1]) {
				lines = append(lines, e.Line)
				at = append(at, i)
			}
		}
		offs, err := LineOffsets(bytes.NewReader(data), lines)
		if err != nil {
			t.Fatal(err)
		}
		for k, line := range lines {
			cr := ResumeCSVReader(bytes.NewReader(data[offs[k]:]), "f.csv", r.Header(), line)
			var got []event
			for {
				rec, err := cr.Next()
				var re *RowError
				if err == io.EOF {
					break
				}
				switch {
				case errors.As(err, &re):
					got = append(got, event{Line: re.Line, Err: re.Error(), Raw: cr.Raw()})
				case err != nil:
					t.Fatal(err)
				default:
					got = append(got, event{Line: rec.Line, Fields: rec.Fields})
				}
			}
			if !reflect.DeepEqual(got, want[at[k]:]) {
				t.Errorf("%s from line %d (offset %d): got %.200v\nwant %.200v", name, line, offs[k], got, want[at[k]:])
			}
		}
		if _, err := LineOffsets(bytes.NewReader(data), []int64{int64(bytes.Count(data, []byte{'\n'})) + 2}); err == nil {
			t.Errorf("%s: a line past the end has an offset", name)
		}
	}
}

// TestZeroBytes checks plain's word scan: every byte value in every
// position of a word, among other bytes of every kind.
func TestZeroBytes(t *testing.T) {
	for pos := range 8 {
		for v := range 256 {
			for _, fill := range []byte{0, 1, 0x7f, 0x80, 0xff} {
				var b [8]byte
				for i := range b {
					b[i] = fill
				}
				b[pos] = byte(v)
				w := binary.LittleEndian.Uint64(b[:])
				got := zeroBytes(w)
				for i := range b {
					if want := b[i] == 0; (got>>(8*i+7))&1 == 1 != want || got>>(8*i)&0x7f != 0 {
						t.Fatalf("zeroBytes(% x): byte %d marked %t", b, i, !want)
					}
				}
			}
		}
	}
}
