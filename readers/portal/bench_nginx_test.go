package portal_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"integstat/internal/testkit"
	"integstat/readers/portal"
)

// BenchmarkPortalVsNginx measures the portal against nginx serving the
// same answers as static files, in one run, with the same load generator
// (load: 64 keep-alive clients): place data, a JSON-stat answer and a
// place page, each plain and gzipped (nginx's gzip_static serving the
// portal's own gzipped answer). It logs each answer's requests/s and p99 as a ratio of
// nginx's (targets: at least 0.8× the requests/s, p99 within 2×). nginx
// (Debian's nginx-light, for the bench only) runs two workers, as many as
// the machine's cores; without nginx the benchmark skips.
//
// Like nginx, the portal runs in a process of its own (this test binary
// again, see portalProcess), so that the load generator's goroutines and
// garbage share neither the portal's scheduler nor its collector. With
// INTEGSTAT_BENCH_PORTAL_CPUPROFILE=FILE the portal writes its CPU
// profile there (-cpuprofile profiles the load generator only).
func BenchmarkPortalVsNginx(b *testing.B) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		b.Skip("the comparison needs nginx on PATH (apt-get install nginx-light)")
	}
	addr := portalProcess(b, shared(b))

	cases := []struct{ name, path, file, ctype string }{
		{"place", "/api/v1/places/0301", "place.json", "application/json; charset=utf-8"},
		{"jsonstat", "/api/v1/values?indicator=bosatte,intro_deltakere&level=fylke&years=2015-2018&format=jsonstat", "jsonstat.json", "application/json; charset=utf-8"},
		{"page", "/sted/0301", "page.html", "text/html; charset=utf-8"},
	}
	root := b.TempDir()
	static := filepath.Join(root, "static")
	if err := os.MkdirAll(static, 0o755); err != nil {
		b.Fatal(err)
	}
	os.Chmod(root, 0o755)
	locations := ""
	for _, c := range cases {
		resp, body := get(b, "http://"+addr+c.path)
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%s: %s", c.path, resp.Status)
		}
		// The gzipped answer as the portal sends it to a client that takes
		// gzip, for nginx's gzip_static: like with like.
		resp, gz := get(b, "http://"+addr+c.path, "Accept-Encoding", "gzip")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
			b.Fatalf("%s with gzip: %s %q", c.path, resp.Status, resp.Header.Get("Content-Encoding"))
		}
		if err := os.WriteFile(filepath.Join(static, c.file), body, 0o644); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(static, c.file+".gz"), gz, 0o644); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: %d bytes, %d gzipped", c.name, len(body), len(gz))
		locations += fmt.Sprintf("location = /%s { default_type \"%s\"; }\n", c.file, c.ctype)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	static127 := ln.Addr().String()
	ln.Close()
	user := "" // as root, nginx's workers would run as nobody, who cannot read the temporary directory
	if os.Geteuid() == 0 {
		user = "user root;"
	}
	conf := user + fmt.Sprintf(`daemon off; worker_processes 2; pid %[1]s/nginx.pid; error_log %[1]s/error.log;
events { worker_connections 1024; }
http {
  access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000000; keepalive_timeout 120s; etag on; gzip_static on; gzip_vary on;
  client_body_temp_path %[1]s/tmp; proxy_temp_path %[1]s/tmp; fastcgi_temp_path %[1]s/tmp; uwsgi_temp_path %[1]s/tmp; scgi_temp_path %[1]s/tmp;
  server { listen %[2]s; root %[1]s/static; %[3]s }
}`, root, static127, locations)
	if err := os.WriteFile(filepath.Join(root, "nginx.conf"), []byte(conf), 0o644); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(nginx, "-c", filepath.Join(root, "nginx.conf"), "-p", root)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", static127); err == nil {
			c.Close()
			break
		}
		if i == 100 {
			b.Fatal("nginx did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Each answer plain (as the targets are set) and gzipped (as
	// browsers and most HTTP clients ask), the portal and nginx one after the
	// other.
	for _, c := range cases {
		for _, gzip := range []bool{false, true} {
			name := c.name
			if gzip {
				name += "-gzip"
			}
			var got [2]loadResult
			b.Run(name+"/portal", func(b *testing.B) { got[0] = load(b, addr, c.path, gzip, 64) })
			b.Run(name+"/nginx", func(b *testing.B) { got[1] = load(b, static127, "/"+c.file, gzip, 64) })
			if got[1].reqPerSec > 0 {
				b.Logf("%s: portal %.0f req/s, p99 %.2f ms; nginx %.0f req/s, p99 %.2f ms; ratio %.2f× req/s, %.2f× p99",
					name, got[0].reqPerSec, got[0].p99, got[1].reqPerSec, got[1].p99,
					got[0].reqPerSec/got[1].reqPerSec, got[0].p99/got[1].p99)
			}
		}
	}
}

// portalStep is the step of the test binary (testkit.Child) that is the
// benchmark's portal process.
const portalStep = "portal"

// portalProcess runs the portal on warehouse dir in a process of its own
// (testkit.Start) until the benchmark ends and returns its address. At the
// end its stdin is closed, so that it stops cleanly and writes its CPU
// profile, if asked for one.
func portalProcess(b *testing.B, dir string) string {
	b.Helper()
	p := testkit.Start(b, portalStep, dir)
	// Registered after Start's own cleanup, so run before it: the portal
	// ends by itself before the harness would kill it.
	b.Cleanup(func() {
		p.CloseStdin()
		if e := p.Wait(); e.Err != nil {
			b.Errorf("portal process: %v: %s", e.Err, p.Stderr())
		}
	})
	addr, ok := p.Line()
	if !ok {
		b.Fatalf("portal process did not start: %s", p.Stderr())
	}
	return strings.TrimSpace(addr)
}

// portalMain is the benchmark's portal process: it serves the warehouse
// args[0] on a free loopback port, writes the address on stdout and serves
// until stdin ends.
func portalMain(args ...string) error {
	if len(args) != 1 {
		return fmt.Errorf("portal process: want a warehouse, got %d arguments", len(args))
	}
	if file := os.Getenv("INTEGSTAT_BENCH_PORTAL_CPUPROFILE"); file != "" {
		f, err := os.Create(file)
		if err != nil {
			return fmt.Errorf("portal process: cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("portal process: cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := portal.New(ctx, portal.Options{Warehouse: args[0], Log: log})
	if err != nil {
		return fmt.Errorf("portal process: %w", err)
	}
	go func() {
		io.Copy(io.Discard, os.Stdin)
		stop()
	}()
	if err := srv.ListenAndServe(ctx, "127.0.0.1:0", func(a net.Addr) { fmt.Println(a.String()) }); err != nil {
		return fmt.Errorf("portal process: %w", err)
	}
	return nil
}
