package portal

import "net/http"

// Handler is the portal, the API and the pages, for httptest: without the
// one-write answers of ListenAndServe's listener.
func (s *Server) Handler() http.Handler { return s.mux }
