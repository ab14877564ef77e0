package store_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"integstat/extract/contract"
	"integstat/transform/pseudo"
	"integstat/transform/store"
)

// benchRows is the number of timer rows one benchmark op writes: enough
// for several row groups, so the peak heap shows whether memory is bounded.
const benchRows = 5_000_000

// heapSampler records the high-water mark of the live heap while it runs.
type heapSampler struct {
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
}

func startHeapSampler() *heapSampler {
	s := &heapSampler{stop: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			s.peak = max(s.peak, sample[0].Value.Uint64())
			select {
			case <-s.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

// Stop ends sampling and returns the peak, also counting HeapInuse now.
func (s *heapSampler) Stop() uint64 {
	close(s.stop)
	s.done.Wait()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return max(s.peak, ms.HeapInuse)
}

// BenchmarkWriteTimer streams benchRows rows of timer (the large table)
// through Builder and Writer into one file and reports rows/s and the
// peak live heap, which must stay far below 1 GiB at any row count.
func BenchmarkWriteTimer(b *testing.B) {
	tbl, _ := contract.Lookup("nir", "timer")
	k := testKey(b)
	// A ring of distinct rows, made before timing, so the benchmark
	// measures conversion and writing rather than fmt.
	rng := rand.New(rand.NewPCG(3, 3))
	const ring = 1 << 14
	rows := make([][]string, ring)
	persons := make([]string, ring)
	for i := range rows {
		fnr := fmt.Sprintf("9%010d", i)
		persons[i] = k.Pseudonym(pseudo.KindPerson, fnr)
		rows[i] = []string{fnr, []string{"0301", "1103", "5001", "4601"}[rng.IntN(4)],
			fmt.Sprintf("%04d-%02d", 2014+rng.IntN(6), 1+rng.IntN(12)),
			contract.Tiltak[rng.IntN(len(contract.Tiltak))], contract.Program[rng.IntN(2)],
			fmt.Sprintf("%d,%d", rng.IntN(160), rng.IntN(10)), "",
			fmt.Sprintf("2018-%02d-01 0%d:00:00", 1+rng.IntN(12), rng.IntN(10))}
	}
	dicts := map[string]store.Dictionaries{
		"strings": nil,
		"dictionaries": {"kommunenummer": {"0301", "1103", "5001", "4601"}, "tiltak": contract.Tiltak,
			"program": contract.Program, store.DeliveryIDColumn: {"20180301T020000"}},
	}
	for _, name := range []string{"strings", "dictionaries"} {
		b.Run(name, func(b *testing.B) { benchWriteTimer(b, tbl, rows, persons, dicts[name]) })
	}
}

func benchWriteTimer(b *testing.B, tbl *contract.Table, rows [][]string, persons []string, dict store.Dictionaries) {
	const ring = 1 << 14
	root := b.TempDir()
	runtime.GC()
	b.ResetTimer()
	var peak uint64
	for i := 0; i < b.N; i++ {
		s := startHeapSampler()
		w, err := store.Create(root, "nir", "timer", "20180301T020000", store.DictSchema(tbl, dict), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		bl := store.NewDictBuilder(tbl, 1<<16, dict)
		for n := range benchRows {
			if err := bl.Append(rows[n%ring], persons[n%ring], "20180301T020000", int64(n+2)); err != nil {
				b.Fatal(err)
			}
			if bl.Full() {
				rec := bl.Flush()
				if err := w.Write(rec); err != nil {
					b.Fatal(err)
				}
				rec.Release()
			}
		}
		if rec := bl.Flush(); rec != nil {
			if err := w.Write(rec); err != nil {
				b.Fatal(err)
			}
			rec.Release()
		}
		bl.Release()
		info, err := w.Close()
		if err != nil {
			b.Fatal(err)
		}
		if info.Rows != benchRows {
			b.Fatalf("wrote %d rows, want %d", info.Rows, benchRows)
		}
		peak = max(peak, s.Stop())
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
