// Package portal is the statistics portal (`integstat serve`): a JSON, CSV
// and JSON-stat API under /api/v1 and plain HTML pages, answered from the
// published mart (marts/publisert.duckdb) of a warehouse and nothing else.
//
// The published mart is small (about 100 000 figures), so a publication is
// read into memory whole and every answer is a lookup: no request reaches
// the database and no SQL is built from input. Encoded answers are cached
// per publication, with an ETag made from the publication id. The server
// watches DIR/marts and, when a new publication lands, loads it and swaps
// it in; requests in flight finish on the one they started with.
package portal

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"integstat/load/publish"
)

// Options configure a Server.
type Options struct {
	Warehouse   string        // the warehouse directory; its marts/publisert.duckdb is served
	ReloadEvery time.Duration // how often to look for a new publication (default 2 s)
	MaxAge      time.Duration // Cache-Control max-age of answers (default 5 min)
	MaxValues   int           // the most values one answer may hold (default 100 000)
	// BaseURL is the portal's address as readers reach it (e.g.
	// https://statistikk.example.no), for the links in JSON-stat answers;
	// empty: http:// and the request's Host.
	BaseURL string
	// Cadence is how often each source is expected to deliver, for the
	// pages' footer; nil: warehouse.DefaultCadence.
	Cadence map[string]time.Duration
	// NextRelease gives the next announced release after a time (the
	// release calendar of the schedule), for the footer; nil: none.
	NextRelease func(time.Time) time.Time
	Log         *slog.Logger // default slog.Default()
}

// Server answers from the current publication of a warehouse.
type Server struct {
	opt     Options
	log     *slog.Logger
	current atomic.Pointer[snapshot]
	earlier earlier // earlier releases asked for (publications.go)
	mux     http.Handler

	cacheControl []string // the header value of cacheable answers
}

// ErrNoPublication reports a warehouse with nothing published yet.
var ErrNoPublication = errors.New("serve: no publication in the warehouse (run integstat run first)")

// New loads the current publication of opt.Warehouse.
func New(ctx context.Context, opt Options) (*Server, error) {
	if opt.ReloadEvery <= 0 {
		opt.ReloadEvery = 2 * time.Second
	}
	if opt.MaxValues <= 0 {
		opt.MaxValues = defaultMaxValues
	}
	if opt.MaxAge <= 0 {
		opt.MaxAge = 5 * time.Minute
	}
	s := &Server{opt: opt, log: opt.Log, cacheControl: []string{"public, max-age=" + strconv.Itoa(int(opt.MaxAge.Seconds()))}}
	if s.log == nil {
		s.log = slog.Default()
	}
	if _, err := s.Reload(ctx); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// Publication is the publication being served.
func (s *Server) Publication() Publication { return s.current.Load().pub }

// Reload loads the current publication if it is not the one being served
// and reports whether it changed. A publication that fails to load is
// logged and the old one stays.
func (s *Server) Reload(ctx context.Context) (bool, error) {
	id, err := publish.Current(s.opt.Warehouse)
	if err != nil {
		return false, err
	}
	if id == "" {
		return false, ErrNoPublication
	}
	if cur := s.current.Load(); cur != nil && cur.pub.ID == id {
		return false, nil
	}
	start := time.Now()
	snap, err := s.loadRelease(ctx, id)
	if err != nil {
		return false, err
	}
	s.current.Store(snap)
	s.log.Info("serving publication", "publication", id, "as_of", snap.pub.AsOf, "figures", len(snap.current.values),
		"load_seconds", time.Since(start).Seconds())
	return true, nil
}

// Watch reloads every ReloadEvery until ctx ends.
func (s *Server) Watch(ctx context.Context) {
	t := time.NewTicker(s.opt.ReloadEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.Reload(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("new publication not loaded; serving the previous one", "err", err)
			}
			if cur := s.current.Load(); cur != nil {
				s.refreshFooter(cur, time.Now())
			}
		}
	}
}

// ListenAndServe serves on addr with timeouts and header limits until ctx
// ends, then shuts down gracefully, letting requests in flight finish.
// It watches for new publications meanwhile, and sends each answer with a
// known length in one write (coalesce.go). ready, if not nil, is called
// with the listening address.
func (s *Server) ListenAndServe(ctx context.Context, addr string, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ln = gatheringListener{ln} // each answer in one write (coalesce.go)
	srv := &http.Server{
		Handler:           gather(s.mux),
		ConnContext:       gatheringContext,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go s.Watch(wctx)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("portal listening", "addr", ln.Addr().String())
	if ready != nil {
		ready(ln.Addr())
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	return nil
}

// response is an encoded answer, kept in the publication's cache with its
// headers ready, so that answering from the cache allocates little.
type response struct {
	ctype   []string
	body    []byte
	length  []string
	etag    []string // quoted
	gzipped []byte   // nil when not worth compressing
	gzLen   []string
	gzEtag  []string
}

// baseURLKey is the request context's key of the portal's base URL.
type baseURLKey struct{}

// baseURL is the portal's address, for absolute links in an answer.
func baseURL(r *http.Request) string {
	b, _ := r.Context().Value(baseURLKey{}).(string)
	return b
}

// answer computes an answer from a snapshot and a request.
type answer func(snap *snapshot, r *http.Request) (ctype string, body []byte, err error)

// gzipMin is the size below which compressing does not pay.
const gzipMin = 1024

// Header values every answer shares.
var (
	hdrNosniff      = []string{"nosniff"}
	hdrVary         = []string{"Accept-Encoding"}
	hdrGzip         = []string{"gzip"}
	hdrCacheNoStore = []string{"no-store"}
	hdrAnyOrigin    = []string{"*"}
	hdrExpose       = []string{"ETag"}
)

// handle wraps an answer with what every request gets: parameter checks,
// the cache, ETag and Cache-Control, gzip and error answers.
//
// The cache is looked up by the request's own path and query first, so a
// repeated request costs a map lookup; on a miss the query is parsed
// strictly, put in canonical form (sorted) and the answer computed once
// per canonical query.
func (s *Server) handle(a answer) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		snap, chosen, err := s.choose(r.Context(), r)
		if err != nil {
			s.answerError(w, r, err)
			return
		}
		r = chosen
		pin, _ := r.Context().Value(pinnedKey{}).(string)
		raw := s.cacheKey(r, pin, r.URL.RawQuery)
		if resp := snap.cache.get(raw); resp != nil {
			s.write(w, r, resp)
			return
		}
		if len(r.URL.RawQuery) > maxQueryLength {
			s.fail(w, r, http.StatusRequestURITooLong, fmt.Sprintf("query longer than %d bytes", maxQueryLength))
			return
		}
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			s.fail(w, r, http.StatusBadRequest, fmt.Sprintf("malformed query: %v", err))
			return
		}
		key := s.cacheKey(r, pin, q.Encode())
		base := s.opt.BaseURL
		if base == "" {
			base = "http://" + r.Host
		}
		resp := snap.cache.get(key)
		if resp == nil {
			ctype, body, err := a(snap, r.WithContext(context.WithValue(r.Context(), baseURLKey{}, strings.TrimSuffix(base, "/"))))
			if err != nil {
				s.answerError(w, r, err)
				return
			}
			resp = newResponse(snap.pub.ID, key, ctype, body)
			snap.cache.put(key, resp)
		}
		snap.cache.put(raw, resp)
		s.write(w, r, resp)
	}
}

// cacheKey is the cache's key of request r with query (its raw query, or
// the canonical one): its path and query, after the request's Host when
// answers hold links with it (no BaseURL), and after the release it named,
// pin, when it named one (choose took the parameter out of its query), as
// its links name it too: an answer is cached apart from those whose links
// differ.
func (s *Server) cacheKey(r *http.Request, pin, query string) string {
	host := ""
	if s.opt.BaseURL == "" {
		host = r.Host
	}
	if pin != "" {
		return paramPublication + "=" + pin + " " + host + r.URL.Path + "?" + query
	}
	return host + r.URL.Path + "?" + query
}

// answerError answers a bad request with 400 (404 for something not
// found) and its message, anything else with 500.
func (s *Server) answerError(w http.ResponseWriter, r *http.Request, err error) {
	var bad *badRequest
	if errors.As(err, &bad) {
		code := http.StatusBadRequest
		if bad.notFound {
			code = http.StatusNotFound
		}
		s.fail(w, r, code, bad.msg)
		return
	}
	s.log.Error("answer failed", "path", r.URL.Path, "err", err)
	s.fail(w, r, http.StatusInternalServerError, "internal error")
}

// newResponse encodes an answer's headers; its ETag is the publication id
// and a hash of the canonical request, and "-gz" for the gzipped body.
func newResponse(pub, key, ctype string, body []byte) *response {
	h := fnv.New64a()
	h.Write([]byte(key))
	etag := pub + "-" + strconv.FormatUint(h.Sum64(), 36)
	resp := &response{ctype: []string{ctype}, body: body, length: []string{strconv.Itoa(len(body))}, etag: []string{`"` + etag + `"`}}
	if len(body) >= gzipMin {
		resp.gzipped = gzipBytes(body)
		resp.gzLen = []string{strconv.Itoa(len(resp.gzipped))}
		resp.gzEtag = []string{`"` + etag + `-gz"`}
	}
	return resp
}

func (s *Server) write(w http.ResponseWriter, r *http.Request, resp *response) {
	h := w.Header()
	body, etag, length := resp.body, resp.etag, resp.length
	if resp.gzipped != nil {
		h["Vary"] = hdrVary
		if acceptsGzip(r) {
			body, etag, length = resp.gzipped, resp.gzEtag, resp.gzLen
			h["Content-Encoding"] = hdrGzip
		}
	}
	h["Etag"] = etag
	h["Cache-Control"] = s.cacheControl
	h["X-Content-Type-Options"] = hdrNosniff
	if match := r.Header["If-None-Match"]; len(match) > 0 && etagMatches(match[0], etag[0]) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = resp.ctype
	h["Content-Length"] = length
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// fail answers an error as JSON under /api and as text elsewhere; it is
// never cached.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, code int, msg string) {
	h := w.Header()
	h["Cache-Control"] = hdrCacheNoStore
	h.Set("X-Content-Type-Options", "nosniff")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		body, _ := encodeJSON(map[string]any{"error": msg, "status": code})
		h.Set("Content-Type", contentTypes[formatJSON])
		w.WriteHeader(code)
		w.Write(body)
		return
	}
	s.errorPage(w, r, code, msg)
}

// acceptsGzip reports whether the client takes gzip (and did not refuse
// it with q=0).
func acceptsGzip(r *http.Request) bool {
	ae := r.Header["Accept-Encoding"]
	if len(ae) == 0 {
		return false
	}
	for rest := ae[0]; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		name, params, _ := strings.Cut(part, ";")
		if strings.TrimSpace(name) != "gzip" {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return !strings.HasPrefix(q, "q=0") || strings.Trim(strings.TrimPrefix(q, "q=0"), ".0") != ""
	}
	return false
}

func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}
