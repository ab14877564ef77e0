package portal

import (
	"context"
	"net"
	"net/http"
	"sync"
)

// net/http writes an answer of more than about 4 KB in two writes: its
// 4 KB buffer with the status line, headers and the body's start, then
// the rest. On the wire that is two bursts, and the client wakes twice
// (strace -c on BenchmarkPortalVsNginx's portal counted two write calls
// per answer for the 4 KB JSON-stat answer and the 120-160 KB ones,
// against nginx's one burst with tcp_nopush). The
// portal knows every cached answer's length, so ListenAndServe gathers
// an answer's writes on its connection and sends them in one write (a
// writev for a long answer, without copying its body).

// holdMax is the most bytes of one answer gathered by copying; the write
// that would pass it goes out with what is gathered in one writev, and the
// rest of the answer (if any) as it comes.
const holdMax = 64 << 10

// holdBufs recycles the buffers of gathered answers, so that an idle
// keep-alive connection holds none.
var holdBufs = sync.Pool{New: func() any { b := make([]byte, 0, holdMax); return &b }}

// gatheringConn is a server connection that, while holding, gathers the
// writes of one answer and sends them together on release. Only the
// connection's serving goroutine writes and holds, so it needs no lock.
type gatheringConn struct {
	net.Conn
	holding bool
	buf     *[]byte
}

func (c *gatheringConn) Write(p []byte) (int, error) {
	if !c.holding {
		return c.Conn.Write(p)
	}
	if c.buf == nil {
		c.buf = holdBufs.Get().(*[]byte)
	}
	if len(*c.buf)+len(p) > holdMax {
		// Too long to copy: send what is gathered and p in one writev,
		// and the rest of the answer as it comes.
		held := len(*c.buf)
		bufs := net.Buffers{*c.buf, p}
		n, err := bufs.WriteTo(c.Conn)
		c.drop()
		return max(0, int(n)-held), err
	}
	*c.buf = append(*c.buf, p...)
	return len(p), nil
}

// release stops holding and sends what was gathered.
func (c *gatheringConn) release() error {
	c.holding = false
	if c.buf == nil {
		return nil
	}
	var err error
	if len(*c.buf) > 0 {
		_, err = c.Conn.Write(*c.buf)
	}
	c.drop()
	return err
}

// drop stops holding and gives the buffer back.
func (c *gatheringConn) drop() {
	c.holding = false
	*c.buf = (*c.buf)[:0]
	holdBufs.Put(c.buf)
	c.buf = nil
}

// gatheringListener hands out gathering connections.
type gatheringListener struct{ net.Listener }

func (l gatheringListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &gatheringConn{Conn: c}, nil
}

// gatheringKey is the request context's key of its gathering connection.
type gatheringKey struct{}

// gatheringContext puts a gathering connection in its requests' context.
func gatheringContext(ctx context.Context, c net.Conn) context.Context {
	if gc, ok := c.(*gatheringConn); ok {
		return context.WithValue(ctx, gatheringKey{}, gc)
	}
	return ctx
}

// gather sends each answer of next with a Content-Length in one write:
// it holds the connection's writes while next answers, flushes net/http's
// buffer and releases. An answer without a length (which net/http then
// sizes or chunks itself when the handler returns) is flushed by net/http
// after the release, as without gathering; a write error surfaces on the
// connection's next read, which closes it.
func gather(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Context().Value(gatheringKey{}).(*gatheringConn)
		f, ok := w.(http.Flusher)
		if c == nil || !ok {
			next.ServeHTTP(w, r)
			return
		}
		c.holding = true
		defer c.release()
		next.ServeHTTP(w, r)
		if _, sized := w.Header()["Content-Length"]; sized {
			f.Flush()
		}
	})
}
