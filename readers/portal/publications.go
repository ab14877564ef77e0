package portal

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"integstat/extract/delivery"
	"integstat/load/publish"
	"integstat/load/releases"
)

// Query parameters that choose an earlier release instead of the current
// one, on every endpoint that answers from a publication.
const (
	paramPublication = "publikasjon"   // a release by id
	paramPublishedAt = "publisert_per" // the release that was current at the end of a date
)

// maxEarlier is how many earlier releases are kept loaded besides the
// current one.
const maxEarlier = 4

// earlier holds the snapshots of earlier releases that requests asked for,
// the most recently used last.
type earlier struct {
	mu    sync.Mutex
	snaps []*snapshot
}

// releaseInfo is one release as /api/v1/publications lists it: what was
// published when and why, never who (staff names stay in the ledger) and
// never a candidate that was not released.
type releaseInfo struct {
	ID       string            `json:"publikasjon"`
	AsOf     string            `json:"as_of"`
	States   map[string]string `json:"data_per"`
	Version  string            `json:"versjon"`
	Released []releaseEvent    `json:"utgitt"`
	Current  bool              `json:"gjeldende"`
}

// releaseEvent is one time a publication was made current.
type releaseEvent struct {
	At       time.Time `json:"tid"`
	Note     string    `json:"merknad"`
	Rollback bool      `json:"tilbakerulling"`
}

// apiPublications lists every release, newest first.
func (s *Server) apiPublications(w http.ResponseWriter, r *http.Request) {
	if _, _, err := onlyFormat(r.URL.Query(), formatJSON); err != nil {
		s.fail(w, r, http.StatusBadRequest, err.(*badRequest).msg)
		return
	}
	entries, err := releases.List(s.opt.Warehouse)
	if err != nil {
		s.log.Error("listing releases failed", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "internal error")
		return
	}
	out := []releaseInfo{}
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if len(e.Releases) == 0 {
			continue
		}
		ri := releaseInfo{ID: e.ID, AsOf: e.AsOf, States: e.States, Version: e.Version, Current: e.Status == releases.StatusCurrent}
		for _, rel := range e.Releases {
			ri.Released = append(ri.Released, releaseEvent{At: rel.At, Note: rel.Note, Rollback: rel.Rollback})
		}
		out = append(out, ri)
	}
	body, err := encodeJSON(map[string]any{"publikasjoner": out})
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "internal error")
		return
	}
	w.Header().Set("Content-Type", contentTypes[formatJSON])
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(body)
}

// choose returns the snapshot a request asks for with publikasjon or
// publisert_per, and the request without those parameters, so that the
// answer parses its own query as for the current release. Only releases
// are served, never a candidate.
func (s *Server) choose(ctx context.Context, r *http.Request) (*snapshot, *http.Request, error) {
	cur := s.current.Load()
	if !strings.Contains(r.URL.RawQuery, "publi") { // neither parameter: the common case, without parsing
		return cur, r, nil
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil || (!q.Has(paramPublication) && !q.Has(paramPublishedAt)) {
		return cur, r, nil // a malformed query is answered by handle
	}
	id, at := q.Get(paramPublication), q.Get(paramPublishedAt)
	q.Del(paramPublication)
	q.Del(paramPublishedAt)
	r2 := r.Clone(ctx)
	r2.URL.RawQuery = q.Encode()
	if id != "" && at != "" {
		return nil, nil, badf("give %s or %s, not both", paramPublication, paramPublishedAt)
	}
	rs, err := publish.Releases(s.opt.Warehouse)
	if err != nil {
		return nil, nil, err
	}
	if at != "" {
		day, err := time.ParseInLocation(time.DateOnly, at, delivery.Oslo)
		if err != nil {
			return nil, nil, badf("%s must be a date YYYY-MM-DD", paramPublishedAt)
		}
		rel := publish.CurrentAt(rs, day.AddDate(0, 0, 1).Add(-time.Nanosecond))
		if rel == nil {
			return nil, nil, &badRequest{msg: "nothing was published by " + at, notFound: true}
		}
		id = rel.ID
	} else {
		released := false
		for _, rel := range rs {
			released = released || rel.ID == id
		}
		if !released {
			return nil, nil, &badRequest{msg: "no release " + quoteInput(id) + " (see /api/v1/publications)", notFound: true}
		}
	}
	// The answer's own links keep naming the release it came from.
	r2 = r2.WithContext(context.WithValue(r2.Context(), pinnedKey{}, id))
	if id == cur.pub.ID {
		return cur, r2, nil
	}
	snap, err := s.earlierSnapshot(ctx, id)
	return snap, r2, err
}

// earlierSnapshot loads release id, or takes it from the ones loaded.
func (s *Server) earlierSnapshot(ctx context.Context, id string) (*snapshot, error) {
	s.earlier.mu.Lock()
	defer s.earlier.mu.Unlock()
	for i, sn := range s.earlier.snaps {
		if sn.pub.ID == id {
			s.earlier.snaps = append(append(s.earlier.snaps[:i:i], s.earlier.snaps[i+1:]...), sn)
			return sn, nil
		}
	}
	sn, err := s.loadRelease(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(s.earlier.snaps) >= maxEarlier {
		s.earlier.snaps = s.earlier.snaps[1:]
	}
	s.earlier.snaps = append(s.earlier.snaps, sn)
	return sn, nil
}

// pinnedKey is the context key of the release a request named with
// publikasjon or publisert_per: links in its answer keep naming it.
type pinnedKey struct{}

// pinned returns uri with publikasjon=ID added when the request named a
// release, so that a link from an earlier release's answer does not lead to
// the current one.
func pinned(r *http.Request, uri string) string {
	id, _ := r.Context().Value(pinnedKey{}).(string)
	if id == "" {
		return uri
	}
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	return uri + sep + paramPublication + "=" + url.QueryEscape(id)
}
