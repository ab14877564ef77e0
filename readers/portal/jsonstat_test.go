package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// toolkitView is what jsonstat.js reports jsonstat-toolkit read.
type toolkitView struct {
	Class   string                       `json:"class"`
	ID      []string                     `json:"id"`
	Size    []int                        `json:"size"`
	Role    map[string][]string          `json:"role"`
	Updated string                       `json:"updated"`
	N       int                          `json:"n"`
	Labels  map[string]map[string]string `json:"labels"`
	Units   map[string]struct {
		Label    string `json:"label"`
		Decimals int    `json:"decimals"`
	} `json:"units"`
	Cells []struct {
		Indikator, Region, Aar string
		Value                  *float64
		Status                 *string
	} `json:"cells"`
}

// TestJSONStatToolkit has the reference JavaScript client of JSON-stat,
// jsonstat-toolkit (the version pinned in testdata/clients), fetch our
// JSON-stat from a running portal under Node, and checks every cell it
// reads, value and status, against the published mart.
func TestJSONStatToolkit(t *testing.T) {
	ts, db := sharedPortal(t)
	node := toolkit(t)

	query := "indicator=bosatte,andel_bosatt_6mnd,ventetid_mnd,intro_deltakere&regions=0301,03,1103,11,0&years=2015-2019"
	view := node(ts.URL + "/api/v1/values?format=jsonstat&" + query)

	if view.Class != "dataset" || fmt.Sprint(view.ID) != "[indikator region aar]" {
		t.Fatalf("toolkit read class %q, dimensions %v", view.Class, view.ID)
	}
	if fmt.Sprint(view.Role["geo"], view.Role["time"], view.Role["metric"]) != "[region] [aar] [indikator]" {
		t.Errorf("roles %v", view.Role)
	}
	if view.N != view.Size[0]*view.Size[1]*view.Size[2] || len(view.Cells) != view.N {
		t.Fatalf("size %v, n %d, %d cells", view.Size, view.N, len(view.Cells))
	}
	if view.Labels["region"]["1103"] != "Stavanger" || view.Labels["indikator"]["bosatte"] != "Bosatte flyktninger" {
		t.Errorf("labels %v", view.Labels)
	}
	if u := view.Units["andel_bosatt_6mnd"]; u.Label != "andel" || u.Decimals != 3 {
		t.Errorf("unit of a share: %+v", u)
	}

	type cell struct {
		value  *float64
		status string
	}
	mart := map[string]cell{}
	rows, err := db.Query(`SELECT indikator, region, aar, verdi, status FROM indikator
		WHERE indikator IN ('bosatte', 'andel_bosatt_6mnd', 'ventetid_mnd', 'intro_deltakere')
		  AND region IN ('0301', '03', '1103', '11', '0') AND aar BETWEEN 2015 AND 2019`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var ind, region string
		var year int
		var c cell
		if err := rows.Scan(&ind, &region, &year, &c.value, &c.status); err != nil {
			t.Fatal(err)
		}
		mart[ind+"|"+region+"|"+strconv.Itoa(year)] = c
	}
	counts := map[string]int{}
	for _, got := range view.Cells {
		k := got.Indikator + "|" + got.Region + "|" + got.Aar
		want, ok := mart[k]
		status := ""
		if got.Status != nil {
			status = *got.Status
		}
		switch {
		case !ok:
			if got.Value != nil || got.Status != nil {
				t.Errorf("%s: no value in the mart, toolkit read %s %q", k, fmtPtr(got.Value), status)
			}
			counts["empty"]++
			continue
		case status != want.status:
			t.Errorf("%s: status %q, mart %q", k, status, want.status)
		case (got.Value == nil) != (want.value == nil) || (got.Value != nil && *got.Value != *want.value):
			t.Errorf("%s: value %v, mart %v", k, fmtPtr(got.Value), fmtPtr(want.value))
		}
		counts[statusKind[want.status]]++
		delete(mart, k)
	}
	if len(mart) > 0 {
		t.Errorf("%d values of the mart missing from the dataset", len(mart))
	}
	t.Logf("cells read by jsonstat-toolkit: %v", counts)
	for _, class := range []string{"final", "suppressed", "preliminary", "empty"} {
		if counts[class] == 0 {
			t.Errorf("the dataset has no cell of kind %q: the test proves too little", class)
		}
	}
}

// statusKind names the statuses of the mart.
var statusKind = map[string]string{"": "final", ":": "suppressed", "p": "preliminary"}

func fmtPtr(f *float64) string {
	if f == nil {
		return "null"
	}
	return strconv.FormatFloat(*f, 'g', -1, 64)
}

// toolkit returns a function that runs jsonstat.js on a URL.
func toolkit(t *testing.T) func(url string) toolkitView {
	t.Helper()
	run := clients(t)
	return func(url string) toolkitView {
		t.Helper()
		var v toolkitView
		if err := json.Unmarshal(run("jsonstat.js", url), &v); err != nil {
			t.Fatalf("decoding what the toolkit read: %v", err)
		}
		return v
	}
}

var (
	clientsOnce sync.Once
	clientsDir  string
	clientsErr  error
)

// clients installs testdata/clients (jsonstat-toolkit, swagger-parser,
// ajv, SheetJS, axe-core, as pinned in its package-lock.json) with npm ci
// in a temporary directory, once per test run, and returns a function
// that runs one of its scripts under Node and returns what it writes.
// Without node and npm it skips, except on CI (CI=true), where it fails.
func clients(t *testing.T) func(script string, args ...string) []byte {
	t.Helper()
	node, errNode := exec.LookPath("node")
	npm, errNpm := exec.LookPath("npm")
	if err := errors.Join(errNode, errNpm); err != nil {
		msg := fmt.Sprintf("the npm clients need node and npm on PATH: %v", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	clientsOnce.Do(func() {
		clientsErr = errors.New("installing the npm clients failed (see the first test that asked)")
		dir, err := os.MkdirTemp("", "serve-clients-")
		if err != nil {
			return
		}
		clientsDir = dir
		src, err := os.ReadDir(filepath.Join("testdata", "clients"))
		if err != nil {
			clientsErr = err
			return
		}
		for _, e := range src {
			b, err := os.ReadFile(filepath.Join("testdata", "clients", e.Name()))
			if err == nil {
				err = os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644)
			}
			if err != nil {
				clientsErr = err
				return
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		install := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts")
		install.Dir = dir
		if out, err := install.CombinedOutput(); err != nil {
			clientsErr = fmt.Errorf("npm ci in %s: %v\n%s", dir, err, out)
			return
		}
		clientsErr = nil
	})
	if clientsErr != nil {
		t.Fatal(clientsErr)
	}
	return func(script string, args ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, node, append([]string{script}, args...)...)
		cmd.Dir = clientsDir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("node %s: %v\n%s", script, err, stderr.Bytes())
		}
		return out
	}
}
