package sqlshell

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// maxHistory is how many lines the history keeps, in memory and on disk.
const maxHistory = 1000

// Interactive reads statements from rw, a terminal in raw mode (or anything
// speaking VT100), with line editing and history (arrow keys, Ctrl-A/E/K/U/W),
// runs each statement when a line ends with ';' and writes the result in
// format f. Lines starting with '.' are commands: .tables, .format FORMAT,
// .help, .quit. historyFile, if not empty, keeps the history between
// sessions. It returns at end of input (Ctrl-D) or .quit.
func (s *Session) Interactive(ctx context.Context, rw io.ReadWriter, f Format, historyFile string) error {
	t := term.NewTerminal(rw, "sql> ")
	hist := loadHistory(historyFile)
	t.History = hist
	fmt.Fprintf(t, "integstat sql: %s (read-only). End statements with ';'. .help for commands, Ctrl-D to leave.\n", s.path)
	var stmt strings.Builder
	for {
		if stmt.Len() == 0 {
			t.SetPrompt("sql> ")
		} else {
			t.SetPrompt(" ..> ")
		}
		line, err := t.ReadLine()
		if errors.Is(err, io.EOF) {
			fmt.Fprintln(t)
			return hist.save(historyFile)
		}
		if err != nil {
			return err
		}
		trimmed := strings.TrimSpace(line)
		if stmt.Len() == 0 && strings.HasPrefix(trimmed, ".") {
			quit, err := s.command(ctx, t, trimmed, &f)
			if err != nil {
				fmt.Fprintf(t, "Error: %v\n", err)
			}
			if quit {
				return hist.save(historyFile)
			}
			continue
		}
		stmt.WriteString(line)
		stmt.WriteByte('\n')
		if !strings.HasSuffix(trimmed, ";") {
			continue
		}
		q := stmt.String()
		stmt.Reset()
		if err := s.Run(ctx, q, f, t); err != nil {
			fmt.Fprintf(t, "Error: %v\n", err)
		}
	}
}

// command runs a dot command and reports whether it asks to quit.
func (s *Session) command(ctx context.Context, w io.Writer, line string, f *Format) (bool, error) {
	fields := strings.Fields(line)
	switch fields[0] {
	case ".quit", ".exit":
		return true, nil
	case ".tables":
		return false, s.Run(ctx, `SELECT table_name, estimated_size AS rows, column_count AS columns FROM duckdb_tables() WHERE NOT temporary ORDER BY table_name`, Table, w)
	case ".format":
		if len(fields) != 2 {
			return false, fmt.Errorf(".format needs one of table, csv, json")
		}
		nf, err := ParseFormat(fields[1])
		if err != nil {
			return false, err
		}
		*f = nf
		return false, nil
	case ".help":
		fmt.Fprintln(w, "SQL statements end with ';' (DuckDB SQL; DESCRIBE tbl; shows its columns).")
		fmt.Fprintln(w, ".tables          the tables of the mart")
		fmt.Fprintln(w, ".format FORMAT   table, csv or json")
		fmt.Fprintln(w, ".quit            leave (or Ctrl-D)")
		return false, nil
	}
	return false, fmt.Errorf("unknown command %s (.help lists them)", fields[0])
}

// history is term.History kept in a slice, oldest first, saved to a file.
type history struct{ lines []string }

func loadHistory(file string) *history {
	h := &history{}
	if file == "" {
		return h
	}
	f, err := os.Open(file)
	if err != nil {
		return h
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		h.Add(sc.Text())
	}
	return h
}

// Add appends a line, dropping the oldest beyond maxHistory.
func (h *history) Add(line string) {
	if line == "" || (len(h.lines) > 0 && h.lines[len(h.lines)-1] == line) {
		return
	}
	h.lines = append(h.lines, line)
	if len(h.lines) > maxHistory {
		h.lines = h.lines[len(h.lines)-maxHistory:]
	}
}

// Len is the number of lines kept.
func (h *history) Len() int { return len(h.lines) }

// At returns the idx-th most recent line.
func (h *history) At(idx int) string { return h.lines[len(h.lines)-1-idx] }

// save writes the history to file (mode 0600: queries may name what an
// analyst looked at).
func (h *history) save(file string) error {
	if file == "" {
		return nil
	}
	data := strings.Join(h.lines, "\n") + "\n"
	if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
		return fmt.Errorf("sqlshell: saving history: %w", err)
	}
	return nil
}
