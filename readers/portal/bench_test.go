package portal_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"integstat/readers/portal"
)

// BenchmarkPortal is a load generator on loopback: 64 clients with
// keep-alive connections ask the real server (ListenAndServe, TCP) for the
// same answer as fast as they can, after one request has filled the
// cache. It reports requests per second and the 50th and 99th percentile
// latency. docs/api.md has the numbers.
func BenchmarkPortal(b *testing.B) {
	addr := listen(b)

	for _, bc := range []struct{ name, path string }{
		{"place", "/api/v1/places/0301"},
		{"place-gzip", "/api/v1/places/0301"},
		{"jsonstat", "/api/v1/values?indicator=bosatte,intro_deltakere&level=fylke&years=2015-2018&format=jsonstat"},
		{"page", "/sted/0301"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			load(b, addr, bc.path, bc.name == "place-gzip", 64)
		})
	}
}

// listen starts the real server (ListenAndServe, TCP) on the shared
// warehouse on loopback until the benchmark ends, and returns its address.
func listen(b testing.TB) string {
	srv, err := portal.New(context.Background(), portal.Options{Warehouse: shared(b)})
	if err != nil {
		b.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	b.Cleanup(stop)
	addrc := make(chan net.Addr, 1)
	go srv.ListenAndServe(ctx, "127.0.0.1:0", func(a net.Addr) { addrc <- a })
	return (<-addrc).String()
}

// load sends b.N requests for path from clients goroutines, each on its
// own keep-alive connection. Like wrk, a client is a bare HTTP/1.1 loop
// (write the request, read the headers, skip the body), so that the
// machine's two cores go to the server rather than to net/http's client.
func load(b *testing.B, addr, path string, gzip bool, clients int) loadResult {
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: integstat-bench\r\n"
	if gzip {
		req += "Accept-Encoding: gzip\r\n"
	}
	req = req + "\r\n"
	conns := make([]*benchConn, clients)
	for i := range conns {
		c, err := dialBench(addr, req)
		if err != nil {
			b.Fatal(err)
		}
		defer c.conn.Close()
		conns[i] = c
	}
	if err := conns[0].fetch(); err != nil { // fills the cache
		b.Fatal(err)
	}
	latencies := make([][]time.Duration, clients)
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, b.N/clients+1)
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				if err := c.fetch(); err != nil {
					failed.CompareAndSwap(nil, err)
					return
				}
				lat = append(lat, time.Since(t0))
			}
			latencies[i] = lat
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err := failed.Load(); err != nil {
		b.Fatal(err)
	}
	all := slices.Concat(latencies...)
	slices.Sort(all)
	pct := func(p float64) float64 {
		return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000
	}
	res := loadResult{reqPerSec: float64(len(all)) / elapsed.Seconds(), p50: pct(0.50), p99: pct(0.99)}
	b.ReportMetric(res.reqPerSec, "req/s")
	b.ReportMetric(res.p50, "p50-ms")
	b.ReportMetric(res.p99, "p99-ms")
	return res
}

// loadResult is what load measured: requests per second and latency
// percentiles in milliseconds.
type loadResult struct{ reqPerSec, p50, p99 float64 }

// benchConn is one client connection of the load generator.
type benchConn struct {
	conn net.Conn
	r    *bufio.Reader
	req  []byte
}

func dialBench(addr, req string) (*benchConn, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &benchConn{conn: conn, r: bufio.NewReaderSize(conn, 64<<10), req: []byte(req)}, nil
}

// fetch sends the request and reads one 200 answer.
func (c *benchConn) fetch() error {
	if _, err := c.conn.Write(c.req); err != nil {
		return err
	}
	length := -1
	for first := true; ; first = false {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		if first && !bytes.HasPrefix(line, []byte("HTTP/1.1 200 ")) {
			return fmt.Errorf("answer %q", line)
		}
		if len(line) <= 2 {
			break
		}
		if v, ok := bytes.CutPrefix(line, []byte("Content-Length: ")); ok {
			length, err = strconv.Atoi(string(bytes.TrimSpace(v)))
			if err != nil {
				return err
			}
		}
	}
	if length < 0 {
		return fmt.Errorf("answer without Content-Length")
	}
	_, err := c.r.Discard(length)
	return err
}
