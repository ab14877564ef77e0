package delivery

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/bits"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Chunk is a run of whole records of a CSV file, as delivered: the bytes
// of its physical lines, and the number of lines before them (1 for the
// first chunk, whose header came before). A ChunkReader parses it exactly
// as a CSVReader reading the whole file would have parsed those lines, so
// chunks can be parsed in parallel and their records put back in order.
type Chunk struct {
	Data []byte
	Line int64
}

// NextChunk reads whole records into a new chunk of at least min bytes
// (unless the file ends first; about min where it can) and returns it, or io.EOF after the last
// record. A chunk ends where the parse of the whole file starts a record:
// records with quotes (an embedded ';' or line end, a broken quote) are
// parsed to find their end, other lines are taken as they are. Where it
// can, a chunk ends between two lines whose column keyCol differs (keyCol
// -1: anywhere), so rows sharing it (a person's) stay in one chunk; a chunk
// that finds no such place by 4·min bytes ends anyway. Do not mix NextChunk
// and Next on one reader.
func (r *CSVReader) NextChunk(min, keyCol int) (Chunk, error) {
	c := Chunk{Data: make([]byte, 0, min+min/4), Line: r.line}
	for {
		if len(r.pending) == 0 && len(c.Data) >= 4*min {
			return c, nil
		}
		if len(r.pending) == 0 {
			b, err := r.br.Peek(r.br.Size())
			if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
				return c, err
			}
			block := b[:bytes.LastIndexByte(b, '\n')+1]
			if q := bytes.IndexByte(block, '"'); q >= 0 {
				block = block[:bytes.LastIndexByte(block[:q], '\n')+1]
			}
			if len(block) > 0 {
				if len(c.Data)+len(block) >= min {
					if cut := keyChange(block, min-len(c.Data), keyCol); cut > 0 {
						r.take(&c, block[:cut])
						return c, nil
					}
				}
				r.take(&c, block)
				continue
			}
		}
		// A line with a quote, longer than the buffer, or the last one
		// without a line end, or lines to read again: parse one record
		// exactly, keeping the lines it reads.
		r.capture = &c.Data
		_, err := r.parse()
		r.capture = nil
		var re *RowError
		switch {
		case err == io.EOF:
			if len(c.Data) == 0 {
				return c, io.EOF
			}
			return c, nil
		case err != nil && !errors.As(err, &re):
			return c, err
		}
	}
}

// take moves the whole lines of block, which starts at the reader's
// position, into the chunk.
func (r *CSVReader) take(c *Chunk, block []byte) {
	c.Data = append(c.Data, block...)
	r.line += int64(bytes.Count(block, []byte{'\n'}))
	r.off += int64(len(block))
	r.br.Discard(len(block))
}

// keyChange returns the first line start p >= from in block (whole lines,
// no quotes) where column col of the line before p differs from that of
// the line at p, or 0 if there is none; for col < 0 any line start >= from.
func keyChange(block []byte, from, col int) int {
	from = max(from, 1)
	if from > len(block) {
		return 0
	}
	// p: the first line start at or after from.
	p := from
	if block[p-1] != '\n' {
		i := bytes.IndexByte(block[p:], '\n')
		if i < 0 {
			return 0
		}
		p += i + 1
	}
	if col < 0 {
		return p
	}
	prev := field(block[bytes.LastIndexByte(block[:p-1], '\n')+1:p], col)
	for p < len(block) {
		end := p + bytes.IndexByte(block[p:], '\n') + 1
		f := field(block[p:end], col)
		if !bytes.Equal(f, prev) {
			return p
		}
		prev, p = f, end
	}
	return 0
}

// field returns column col of an unquoted line (nil past its last).
func field(line []byte, col int) []byte {
	line = trimEOL(line)
	for ; col > 0; col-- {
		i := bytes.IndexByte(line, ';')
		if i < 0 {
			return []byte{}
		}
		line = line[i+1:]
	}
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		return line[:i]
	}
	return line
}

// ChunkReader parses the records of chunks of one file with the rules and
// errors of CSVReader. Fields of a record without quotes are cut from the
// chunk itself: parsing a chunk allocates nothing per such record. Reuse
// one ChunkReader for many chunks; use each from one goroutine.
//
// A plain line (no quote or carriage return, the header's number of
// fields, valid UTF-8, not blank) is split straight from the chunk; any
// other record goes through CSVReader's parser, which reads the chunk from
// where the plain lines left off.
type ChunkReader struct {
	r      CSVReader
	s      string   // the chunk's bytes, immutable
	fields []string // the current record's fields
	pos    int      // where the next record starts in s, when synced is false
	base   int      // where in s the parser's stream starts
	synced bool     // the parser's stream is at pos (base + r.off)
}

// NewChunkReader returns a reader of chunks of the file named file (for
// errors) whose header is header.
func NewChunkReader(header []string, file string) *ChunkReader {
	cr := &ChunkReader{fields: make([]string, len(header))}
	cr.r.header = header
	cr.r.lineReader = newLineReader(nil, file)
	return cr
}

// Reset starts reading chunk c. The chunk's Data must not change from now
// on: the fields handed out are views of it.
func (cr *ChunkReader) Reset(c Chunk) {
	cr.s = unsafe.String(unsafe.SliceData(c.Data), len(c.Data))
	cr.r.line, cr.r.pending = c.Line, nil
	cr.pos, cr.synced = 0, false
}

// Next returns the line and fields of the next record of the chunk, io.EOF
// after its last, or a *RowError as CSVReader.Next does. The fields slice
// is reused by the next call; the strings in it stay valid.
func (cr *ChunkReader) Next() (int64, []string, error) {
	r := &cr.r
	if len(r.pending) == 0 {
		if cr.synced {
			cr.pos, cr.synced = cr.base+int(r.off), false
		}
		if cr.plain() {
			return r.line, cr.fields, nil
		}
		// The parser reads on from pos.
		cr.base, cr.synced = cr.pos, true
		r.br.Reset(strings.NewReader(cr.s[cr.pos:]))
		r.off = 0
	}
	line, err := r.parse()
	if err != nil {
		return line, nil, err
	}
	if r.oneLine {
		off := cr.base + int(r.start)
		for i := range cr.fields {
			cr.fields[i] = cr.s[off+r.bounds[2*i] : off+r.bounds[2*i+1]]
		}
		return line, cr.fields, nil
	}
	s := string(r.buf)
	for i := range cr.fields {
		cr.fields[i] = s[r.bounds[2*i]:r.bounds[2*i+1]]
	}
	return line, cr.fields, nil
}

// plain splits the line at pos into fields when it is a plain line (see
// ChunkReader) and moves past it, counting it; otherwise it leaves all as
// it was and reports false.
func (cr *ChunkReader) plain() bool {
	rest := cr.s[cr.pos:]
	line := rest
	if i := strings.IndexByte(rest, '\n'); i >= 0 {
		line = rest[:i+1]
	}
	body := line
	if n := len(body); n > 0 && body[n-1] == '\n' {
		body = body[:n-1]
		if n := len(body); n > 0 && body[n-1] == '\r' {
			body = body[:n-1]
		}
	}
	if len(body) == 0 || len(line) > cr.r.br.Size() {
		return false
	}
	// Eight bytes at a time: the high bit of a byte of semi marks a ';',
	// of bad a quote, a carriage return or a byte above ASCII.
	n, start, ascii := 0, 0, true
	fields := cr.fields
	i := 0
	for ; i+8 <= len(body); i += 8 {
		w := binary.LittleEndian.Uint64([]byte(body[i : i+8]))
		if w&highBits != 0 {
			ascii = false
		}
		if zeroBytes(w^quotes)|zeroBytes(w^returns) != 0 {
			return false
		}
		for semi := zeroBytes(w ^ semis); semi != 0; semi &= semi - 1 {
			j := i + bits.TrailingZeros64(semi)/8
			if n == len(fields)-1 {
				return false // more fields than the header
			}
			fields[n], start, n = body[start:j], j+1, n+1
		}
	}
	for ; i < len(body); i++ {
		switch c := body[i]; {
		case c == ';':
			if n == len(fields)-1 {
				return false
			}
			fields[n], start, n = body[start:i], i+1, n+1
		case c == '"' || c == '\r':
			return false
		case c >= 0x80:
			ascii = false
		}
	}
	if n != len(fields)-1 || !ascii && !utf8.ValidString(body) {
		return false
	}
	body = body[start:]
	cr.fields[n] = body
	cr.r.line++
	cr.pos += len(line)
	return true
}

// Words of eight equal bytes, for plain's scan.
const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
	semis    = ';' * lowBits
	quotes   = '"' * lowBits
	returns  = '\r' * lowBits
)

// zeroBytes returns w with the high bit set in exactly its zero bytes.
func zeroBytes(w uint64) uint64 {
	t := (w&^highBits + ^uint64(highBits)) | w
	return ^t & highBits
}

// Raw returns the text of the record for which Next last returned a
// *RowError, as CSVReader.Raw does.
func (cr *ChunkReader) Raw() string { return cr.r.lastRaw }
