package delivery

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// maxRecordBytes bounds one record's raw size. Real records are a few hundred
// bytes; the bound keeps a stray opening quote or a runaway line from
// swallowing a whole file into memory before it is reported.
const maxRecordBytes = 1 << 20

// errLineTooLong reports a physical line longer than maxRecordBytes; the
// reader has already skipped the rest of it.
var errLineTooLong = errors.New("line too long")

// lineReader reads the physical lines of a file and counts them.
type lineReader struct {
	file string
	br   *bufio.Reader
	line int64  // physical lines read
	long []byte // a line longer than br's buffer
	// off is the number of bytes next has consumed, start where the line it
	// returned last begins; capture, when set, receives a copy of every
	// line next consumes (see CSVReader.NextChunk).
	off, start int64
	capture    *[]byte
}

func newLineReader(r io.Reader, file string) lineReader {
	return lineReader{file: file, br: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next physical line including its LF (the last line may
// lack one), io.EOF at the end, or errLineTooLong for a line over
// maxRecordBytes, which it skips and counts. The slice is valid until the
// next call.
func (l *lineReader) next() ([]byte, error) {
	l.start = l.off
	line, err := l.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		l.long = append(l.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = l.br.ReadSlice('\n')
			l.long = append(l.long, line...)
			if len(l.long) > maxRecordBytes {
				l.off += int64(len(l.long))
				for err == bufio.ErrBufferFull {
					line, err = l.br.ReadSlice('\n')
					l.off += int64(len(line))
				}
				if err != nil && err != io.EOF {
					return nil, fmt.Errorf("read %s: %w", l.file, err)
				}
				l.line++
				if l.capture != nil {
					// A stand-in that is too long as well: whoever parses
					// the captured bytes meets the same error on the same line.
					*l.capture = append(*l.capture, make([]byte, maxRecordBytes+1)...)
					*l.capture = append(*l.capture, '\n')
				}
				return nil, errLineTooLong
			}
		}
		line = l.long
	}
	l.off += int64(len(line))
	if l.capture != nil {
		*l.capture = append(*l.capture, line...)
	}
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("read %s: %w", l.file, err)
	}
	if len(line) == 0 {
		return nil, io.EOF
	}
	l.line++
	return line, nil
}

// tooLong is the row error for a line that next skipped as too long.
func (l *lineReader) tooLong() *RowError {
	return &RowError{File: l.file, Line: l.line, Reason: fmt.Sprintf("line longer than %d bytes", maxRecordBytes)}
}
