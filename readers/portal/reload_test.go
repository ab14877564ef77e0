package portal_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"integstat/load/marts"
	"integstat/readers/portal"
)

// TestReloadsNewPublication serves a publication as of 31.12.2017 to
// clients that keep asking, publishes a newer one underneath, and checks
// that the portal switches to it without a failed request and then answers
// from the new mart.
func TestReloadsNewPublication(t *testing.T) {
	dir := t.TempDir()
	wh := newWarehouse(t, dir, time.Date(2017, 12, 31, 0, 0, 0, 0, time.UTC))
	defer wh.Close()

	srv, err := portal.New(context.Background(), portal.Options{Warehouse: dir, ReloadEvery: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	old := srv.Publication()
	ctx, stop := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(ctx, "127.0.0.1:0", func(a net.Addr) { addrc <- a }) }()
	base := fmt.Sprintf("http://%s", <-addrc)

	var requests, failures atomic.Int64
	var firstFailure atomic.Value
	clients, cctx := sync.WaitGroup{}, make(chan struct{})
	for i := range 8 {
		clients.Add(1)
		go func() {
			defer clients.Done()
			paths := []string{"/api/v1/publication", "/api/v1/places/0301", "/api/v1/values?indicator=intro_deltakere&level=fylke&format=jsonstat", "/sted/1103"}
			for n := 0; ; n++ {
				select {
				case <-cctx:
					return
				default:
				}
				resp, err := http.Get(base + paths[(i+n)%len(paths)])
				requests.Add(1)
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("%s: %s", paths[(i+n)%len(paths)], resp.Status)
					}
				}
				if err != nil {
					failures.Add(1)
					firstFailure.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}

	res, err := marts.Build(context.Background(), marts.Options{Warehouse: wh})
	if err != nil {
		t.Fatal(err)
	}
	if res.Publication == old.ID {
		t.Fatalf("the second build did not publish anew (%s)", res.Publication)
	}
	var now portal.Publication
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		getJSON(t, base+"/api/v1/publication", &now)
		if now.ID == res.Publication {
			break
		}
	}
	if now.ID != res.Publication {
		t.Fatalf("still serving %s a minute after %s was published", now.ID, res.Publication)
	}
	time.Sleep(100 * time.Millisecond) // let the clients ask the new publication too
	close(cctx)
	clients.Wait()
	if failures.Load() > 0 {
		t.Errorf("%d of %d requests failed during the switch, first: %v", failures.Load(), requests.Load(), firstFailure.Load())
	}
	t.Logf("%d requests during the switch from %s to %s", requests.Load(), old.ID, now.ID)

	// Answers now come from the new mart: its as-of date and its values.
	if now.AsOf == old.AsOf {
		t.Errorf("as-of date unchanged: %s", now.AsOf)
	}
	var got struct {
		Values []portal.Value `json:"verdier"`
	}
	getJSON(t, base+"/api/v1/values?indicator=intro_deltakere&level=fylke", &got)
	want := martValues(t, published(t, dir), "indikator = 'intro_deltakere' AND niva = 'fylke'")
	if !slices.Equal(keys(got.Values), want) {
		t.Errorf("after the switch: %d values, the new mart has %d", len(got.Values), len(want))
	}

	stop()
	if err := <-done; err != nil {
		t.Errorf("shutdown: %v", err)
	}
}
