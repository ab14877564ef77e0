package demo

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"integstat/extract/contract"
	"integstat/extract/delivery"
)

// StripFaults copies the deliveries of inbox into out without the rows that
// the answer key at keyFile names as bad, and without the deliveries it
// names as rejected, writing new manifests. The result is what a pipeline
// that quarantines exactly the planted faults would load, so the published
// figures can be checked on a demo set with faults before the pipeline
// itself exists.
func StripFaults(inbox, keyFile, out string) error {
	bad, rejected, err := readKey(keyFile)
	if err != nil {
		return err
	}
	for _, src := range contract.Sources {
		ids, err := os.ReadDir(filepath.Join(inbox, src))
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return err
		}
		for _, id := range ids {
			if rejected[src+"/"+id.Name()] {
				continue
			}
			if err := stripDelivery(filepath.Join(inbox, src, id.Name()), filepath.Join(out, src, id.Name()), src, bad); err != nil {
				return fmt.Errorf("%s/%s: %w", src, id.Name(), err)
			}
		}
	}
	return nil
}

func readKey(path string) (bad map[string]bool, rejected map[string]bool, err error) {
	key, err := ReadAnswerKey(path)
	if err != nil {
		return nil, nil, err
	}
	bad, rejected = map[string]bool{}, map[string]bool{}
	for _, k := range key {
		switch k.Kind {
		case "quarantine":
			bad[k.Source+"/"+k.DeliveryID+"/"+k.File+":"+strconv.FormatInt(k.Line, 10)] = true
		case "reject":
			rejected[k.Source+"/"+k.DeliveryID] = true
		}
	}
	return bad, rejected, nil
}

func stripDelivery(from, to, src string, bad map[string]bool) error {
	m, err := delivery.Verify(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(to, 0o755); err != nil {
		return err
	}
	files := m.Files[:0:0]
	for _, f := range m.Files {
		tb, ok := contract.ByFile(src, f.Name)
		if !ok {
			return fmt.Errorf("%s: not a table of %s", f.Name, src)
		}
		skip := func(line int64) bool {
			return bad[src+"/"+m.DeliveryID+"/"+f.Name+":"+strconv.FormatInt(line, 10)]
		}
		nf, err := copyTable(from, to, tb, skip)
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		files = append(files, nf)
	}
	m.Files = files
	return delivery.WriteManifest(to, m)
}

// copyTable rewrites one table file without the records skip names.
func copyTable(from, to string, tb *contract.Table, skip func(line int64) bool) (delivery.File, error) {
	in, err := os.Open(filepath.Join(from, tb.File))
	if err != nil {
		return delivery.File{}, err
	}
	defer in.Close()
	fw, err := delivery.Create(to, tb.File)
	if err != nil {
		return delivery.File{}, err
	}
	defer fw.Abort()
	var rows int64
	if tb.Format == "jsonl" {
		r, err := delivery.NewJSONLReader(in, tb.File)
		if err != nil {
			return delivery.File{}, err
		}
		w := delivery.NewJSONLWriter(fw, true)
		keys := tb.Names()
		vals := make([]any, len(keys))
		rows, err = copyRecords(r.Next, func(rec delivery.JSONRecord) int64 { return rec.Line }, skip,
			func(rec delivery.JSONRecord) error {
				for i, k := range keys {
					vals[i] = jsonOf(rec.Values[k])
				}
				return w.Write(keys, vals)
			})
		if err != nil {
			return delivery.File{}, err
		}
		if err := w.Close(); err != nil {
			return delivery.File{}, err
		}
	} else {
		r, err := delivery.NewCSVReader(in, tb.File)
		if err != nil {
			return delivery.File{}, err
		}
		w, err := delivery.NewCSVWriter(fw, r.Header(), csvOptions(tb.Source))
		if err != nil {
			return delivery.File{}, err
		}
		rows, err = copyRecords(r.Next, func(rec delivery.Record) int64 { return rec.Line }, skip,
			func(rec delivery.Record) error { return w.Write(rec.Fields) })
		if err != nil {
			return delivery.File{}, err
		}
		if err := w.Flush(); err != nil {
			return delivery.File{}, err
		}
	}
	fw.SetRows(rows)
	return fw.Close()
}

// copyRecords writes every record next reads until the end of the file,
// but those whose line skip names, and counts what it wrote: the copy of a
// table file, whichever its format.
func copyRecords[R any](next func() (R, error), line func(R) int64, skip func(line int64) bool, write func(R) error) (int64, error) {
	var rows int64
	for {
		rec, err := next()
		if errors.Is(err, io.EOF) {
			return rows, nil
		} else if err != nil {
			return rows, err
		}
		if skip(line(rec)) {
			continue
		}
		if err := write(rec); err != nil {
			return rows, err
		}
		rows++
	}
}

func jsonOf(v delivery.JSONValue) any {
	switch v.Kind {
	case 's':
		return v.Raw
	case 'b':
		return v.Raw == "true"
	case 'n':
		if n, err := strconv.ParseInt(v.Raw, 10, 64); err == nil {
			return n
		}
		f, _ := strconv.ParseFloat(v.Raw, 64)
		return f
	}
	return nil
}
