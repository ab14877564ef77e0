package serve_test

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkPortalVsNginx measures the portal against nginx serving the
// same answers as static files, in one run, with the same load generator
// (load: 64 keep-alive clients): place data, a JSON-stat answer and a
// place page. It logs each answer's requests/s and p99 as a ratio of
// nginx's (targets: at least 0.8× the requests/s, p99 within 2×). nginx
// (Debian's nginx-light, for the bench only) runs two workers, as many as
// the machine's cores; without nginx the benchmark skips.
func BenchmarkPortalVsNginx(b *testing.B) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		b.Skip("the comparison needs nginx on PATH (apt-get install nginx-light)")
	}
	portal := listen(b)

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
		resp, body := get(b, "http://"+portal+c.path)
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%s: %s", c.path, resp.Status)
		}
		if err := os.WriteFile(filepath.Join(static, c.file), body, 0o644); err != nil {
			b.Fatal(err)
		}
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
  access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000000; keepalive_timeout 120s; etag on;
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

	for _, c := range cases {
		var got [2]loadResult
		b.Run(c.name+"/portal", func(b *testing.B) { got[0] = load(b, portal, c.path, false, 64) })
		b.Run(c.name+"/nginx", func(b *testing.B) { got[1] = load(b, static127, "/"+c.file, false, 64) })
		if got[1].reqPerSec > 0 {
			b.Logf("%s: portal %.0f req/s, p99 %.2f ms; nginx %.0f req/s, p99 %.2f ms; ratio %.2f× req/s, %.2f× p99",
				c.name, got[0].reqPerSec, got[0].p99, got[1].reqPerSec, got[1].p99,
				got[0].reqPerSec/got[1].reqPerSec, got[0].p99/got[1].p99)
		}
	}
}
