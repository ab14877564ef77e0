package pseudo

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Made-up numbers in the forms the map tells apart (none is a valid person).
const (
	duf1   = "201700000001"
	duf2   = "201700000002"
	dnr1   = "41017012345" // D-nummer: first digit 4–7
	dnr2   = "45059912345"
	fnr1   = "01017012345"
	fnr2   = "02017012345"
	fnr3   = "05059912345"
	fnrOld = "03037012345"
)

func mustLink(t testing.TB, m *IdentityMap, a, b string) {
	t.Helper()
	if err := m.Link(a, b); err != nil {
		t.Fatal(err)
	}
}

func TestIdentityMapLinksChainsAndSettlement(t *testing.T) {
	k := testKey(t)
	m := NewIdentityMap()
	key := func(n string) string { return m.PersonKey(k, n) }

	if key(fnr1) != k.Pseudonym(KindPerson, fnr1) {
		t.Errorf("a number the map does not know is not its own person")
	}
	// NIR: the D-nummer is replaced by an fnr, which later changes again.
	if err := m.Add(dnr1); err != nil {
		t.Fatal(err)
	}
	before := key(dnr1)
	mustLink(t, m, fnr1, dnr1) // fnr with tidligere_fnr
	mustLink(t, m, fnr2, fnr1)
	for _, n := range []string{dnr1, fnr1, fnr2} {
		if key(n) != before {
			t.Errorf("after the number changes, %s has another person key", n)
		}
	}
	// Settlement pairs the DUF-nummer with the latest fnr: the DUF becomes
	// canonical for every number of the person.
	mustLink(t, m, duf1, fnr2)
	want := k.Pseudonym(KindPerson, duf1)
	for _, n := range []string{duf1, dnr1, fnr1, fnr2} {
		if key(n) != want {
			t.Errorf("%s: person key is not the DUF-nummer's", n)
		}
	}
	// A settlement row without an fnr adds its DUF alone.
	mustLink(t, m, duf2, "")
	if key(duf2) == want || key(duf2) != k.Pseudonym(KindPerson, duf2) {
		t.Errorf("a DUF-nummer with a null fnr is linked to someone")
	}
	if key(fnr3) == want {
		t.Errorf("an unlinked number shares a person key")
	}
}

func TestIdentityMapRecordsMerges(t *testing.T) {
	k := testKey(t)
	m := NewIdentityMap()
	mustLink(t, m, fnr1, fnrOld) // person A, canonical fnr1 (smaller)
	mustLink(t, m, dnr2, fnr3)   // person B, canonical dnr2 (D before fnr)
	mustLink(t, m, dnr1, fnr1)   // a new D-nummer for A: A's canonical becomes dnr1
	if got := m.Merges(k); len(got) != 1 || got[0] != (Merge{Old: k.Pseudonym(KindPerson, fnr1), New: k.Pseudonym(KindPerson, dnr1)}) {
		t.Fatalf("after a known person gets a new canonical number, Merges = %v", got)
	}
	mustLink(t, m, fnr3, fnrOld) // A and B are one person; dnr1 < dnr2, so B's key goes
	mustLink(t, m, duf1, "")
	mustLink(t, m, duf1, dnr2) // and a known DUF-nummer joins them
	now := m.PersonKey(k, fnr3)
	if now != k.Pseudonym(KindPerson, duf1) {
		t.Fatalf("person key is not the DUF-nummer's")
	}
	got := m.Merges(k)
	want := []Merge{
		{Old: k.Pseudonym(KindPerson, fnr1), New: now},
		{Old: k.Pseudonym(KindPerson, dnr2), New: now},
		{Old: k.Pseudonym(KindPerson, dnr1), New: now},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Merges = %v, want %v", got, want)
	}
}

// componentCanonical is the test's own statement of the documented rule: the
// DUF-numre first, then D-numre, then the rest, smallest first within each.
func componentCanonical(numbers []string) string {
	var dufs, dnrs, rest []string
	for _, n := range numbers {
		switch {
		case len(n) == 12:
			dufs = append(dufs, n)
		case strings.ContainsRune("4567", rune(n[0])):
			dnrs = append(dnrs, n)
		default:
			rest = append(rest, n)
		}
	}
	for _, class := range [][]string{dufs, dnrs, rest} {
		if len(class) > 0 {
			return slices.Min(class)
		}
	}
	return ""
}

// TestIdentityMapOrderIndependent links random pairs of numbers in several
// random orders and directions and checks that every order gives every number
// the person key of its group's canonical member.
func TestIdentityMapOrderIndependent(t *testing.T) {
	k := testKey(t)
	var pool []string
	for i := range 5 {
		pool = append(pool, fmt.Sprintf("2017%08d", 900-i))
	}
	for i := range 6 {
		pool = append(pool, fmt.Sprintf("%d%010d", 4+i%4, 7000+i))
	}
	for i := range 9 {
		pool = append(pool, fmt.Sprintf("%d%010d", i%4, 9000-i))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		edges := make([][2]string, r.IntN(25))
		for i := range edges {
			edges[i] = [2]string{pool[r.IntN(len(pool))], pool[r.IntN(len(pool))]}
		}
		// Components by a plain flood fill, independent of the union-find.
		adj := map[string][]string{}
		for _, e := range edges {
			adj[e[0]] = append(adj[e[0]], e[1])
			adj[e[1]] = append(adj[e[1]], e[0])
		}
		want := map[string]string{}
		for _, start := range pool {
			if _, done := want[start]; done {
				continue
			}
			comp, queue := []string{start}, []string{start}
			seen := map[string]bool{start: true}
			for len(queue) > 0 {
				n := queue[0]
				queue = queue[1:]
				for _, o := range adj[n] {
					if !seen[o] {
						seen[o] = true
						comp = append(comp, o)
						queue = append(queue, o)
					}
				}
			}
			key := k.Pseudonym(KindPerson, componentCanonical(comp))
			for _, n := range comp {
				want[n] = key
			}
		}
		for order := range 4 {
			m := NewIdentityMap()
			for _, i := range r.Perm(len(edges)) {
				a, b := edges[i][0], edges[i][1]
				if r.IntN(2) == 0 {
					a, b = b, a
				}
				mustLink(t, m, a, b)
			}
			for _, n := range pool {
				if got := m.PersonKey(k, n); got != want[n] {
					t.Fatalf("trial %d order %d: %s has the wrong person key", trial, order, n)
				}
			}
		}
	}
}

func TestIdentityMapRejectsMalformedNumbers(t *testing.T) {
	m := NewIdentityMap()
	for _, bad := range []string{"0101701234", "0101701234x", "2017000000012", "01 17012345"} {
		err := m.Link(fnr1, bad)
		if err == nil {
			t.Errorf("Link accepted %q", bad)
			continue
		}
		if !strings.Contains(err.Error(), "number 2") || strings.Contains(err.Error(), bad) || strings.Contains(err.Error(), fnr1) {
			t.Errorf("error %q should name the argument, not echo the numbers", err)
		}
	}
	if err := m.Add("12345"); err == nil {
		t.Errorf("Add accepted a 5-digit number")
	}
}

// copyPrivate copies a testdata file into a private (0600) temporary file, as
// the restricted area would hold it (git checks files out readable by all).
func copyPrivate(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, name, data, 0o600)
}

func TestLoadIdentityMapFixture(t *testing.T) {
	k := testKey(t)
	path := copyPrivate(t, "identity-v1.map")
	m, err := LoadIdentityMap(path)
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string][]string{
		duf1:   {duf1, dnr1, fnr1, fnr2},
		dnr2:   {dnr2, fnr3},
		fnrOld: {fnrOld},
	}
	for canonical, members := range groups {
		for _, n := range members {
			if m.PersonKey(k, n) != k.Pseudonym(KindPerson, canonical) {
				t.Errorf("%s does not have the person key of %s", n, canonical)
			}
		}
	}
	wantMerges := []Merge{{Old: k.Pseudonym(KindPerson, fnr1), New: k.Pseudonym(KindPerson, duf1)}}
	if got := m.Merges(k); !slices.Equal(got, wantMerges) {
		t.Errorf("Merges = %v, want %v", got, wantMerges)
	}

	// Saving writes the same file back: the format is canonical.
	out := filepath.Join(t.TempDir(), "saved.map")
	if err := m.Save(out); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(path)
	got, _ := os.ReadFile(out)
	if !bytes.Equal(got, want) {
		t.Errorf("Save wrote\n%s\nwant\n%s", got, want)
	}
}

func TestIdentityMapSaveLoad(t *testing.T) {
	k := testKey(t)
	m := NewIdentityMap()
	mustLink(t, m, fnr1, fnrOld)
	mustLink(t, m, dnr1, fnr1) // recorded merge
	mustLink(t, m, duf2, fnr3)
	mustLink(t, m, duf1, "")

	path := filepath.Join(t.TempDir(), "identity.map")
	if err := os.WriteFile(path, []byte("old content"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	checkPrivate(t, path)
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("Save left %d files in the directory, want only the map", len(entries))
	}
	loaded, err := LoadIdentityMap(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{fnr1, fnrOld, dnr1, duf1, duf2, fnr3, fnr2} {
		if loaded.PersonKey(k, n) != m.PersonKey(k, n) {
			t.Errorf("%s: the loaded map gives another person key", n)
		}
	}
	if !slices.Equal(loaded.Merges(k), m.Merges(k)) || len(m.Merges(k)) != 1 {
		t.Errorf("merges after load = %v, want %v", loaded.Merges(k), m.Merges(k))
	}
	// Links after a load continue the same groups.
	mustLink(t, loaded, fnr2, fnrOld)
	if loaded.PersonKey(k, fnr2) != k.Pseudonym(KindPerson, dnr1) {
		t.Errorf("a link after loading does not join the loaded group")
	}
}

func TestLoadIdentityMapErrors(t *testing.T) {
	header := identityMapHeader + "\n"
	tests := []struct {
		name, content string
		mode          os.FileMode
		want          string
	}{
		{"readable by others", header, 0o644, "mode 0644"},
		{"empty", "", 0o600, "is empty"},
		{"wrong header", "integstat key v1\n", 0o600, "line 1: not an identity map"},
		{"unknown line", header + "x " + fnr1 + "\n", 0o600, `line 2: want "p NUMBER…"`},
		{"p without numbers", header + "p\n", 0o600, "line 2: want"},
		{"short number", header + "p " + duf1 + " 0101701234\n", 0o600, "line 2: number 2 has 10 characters"},
		{"letters", header + "p " + duf1 + "\np 0101701234x\n", 0o600, "line 3: number 1 is not all digits"},
		{"number twice", header + "p " + duf1 + " " + fnr1 + "\np " + fnr1 + "\n", 0o600, "line 3: number 1 is already listed on line 2"},
		{"merge of unknown number", header + "p " + duf1 + "\nm " + fnr1 + " " + duf1 + "\n", 0o600, "line 3: the merge names a number not listed"},
		{"merge with one number", header + "p " + duf1 + "\nm " + duf1 + "\n", 0o600, "line 3: want"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "identity.map", []byte(tt.content), tt.mode)
			_, err := LoadIdentityMap(path)
			if err == nil {
				t.Fatal("LoadIdentityMap succeeded, want an error")
			}
			msg := err.Error()
			if !strings.Contains(msg, path) || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q should name %s and say %q", msg, path, tt.want)
			}
			for _, n := range []string{duf1, fnr1, "0101701234"} {
				if strings.Contains(msg, n) {
					t.Errorf("error %q shows a number", msg)
				}
			}
		})
	}
}

func TestIdentityMapConcurrent(t *testing.T) {
	k := testKey(t)
	m := NewIdentityMap()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				n := fmt.Sprintf("%011d", g*1000+i)
				if err := m.Link(n, fmt.Sprintf("%011d", g*1000+i/2)); err != nil {
					t.Error(err)
					return
				}
				m.PersonKey(k, n)
			}
		})
	}
	wg.Wait()
	if m.PersonKey(k, "00000000003") != k.Pseudonym(KindPerson, "00000000000") {
		t.Errorf("links made concurrently are lost")
	}
}

func BenchmarkPersonKey(b *testing.B) {
	k := newKey(testSecret)
	m := NewIdentityMap()
	for i := range 100_000 {
		mustLink(b, m, fmt.Sprintf("%011d", i), fmt.Sprintf("2017%08d", i/3))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.PersonKey(k, fmt.Sprintf("%011d", i%100_000))
		i++
	}
}

// TestIdentityMapLookup adds numbers in random order, through many merges
// of the recent numbers into the sorted index, and checks that every one
// is found at the position it was given and that numbers never added,
// below, between and above them, are not found.
func TestIdentityMapLookup(t *testing.T) {
	m := NewIdentityMap()
	rng := rand.New(rand.NewPCG(9, 9))
	pos := map[number]int32{}
	for len(pos) < 70_000 {
		n := number(rng.Uint64N(1e11))
		if n%2 == 1 {
			continue // odd numbers stay out, to look up as absent
		}
		i, fresh := m.add(n)
		if p, ok := pos[n]; ok && (fresh || p != i) {
			t.Fatalf("%d added twice: positions %d and %d", n, p, i)
		}
		pos[n] = i
	}
	if len(m.fence) < 1000 {
		t.Fatalf("fence of %d numbers: the index was not exercised", len(m.fence))
	}
	for n, p := range pos {
		if i, ok := m.lookup(n); !ok || i != p {
			t.Fatalf("lookup(%d) = %d, %t; want %d", n, i, ok, p)
		}
		if _, ok := m.lookup(n + 1); ok {
			t.Fatalf("lookup(%d) found a number never added", n+1)
		}
	}
	for _, n := range []number{0, 1, 2, 1e11 + 1, m.fence[0] - 1, m.fence[0], m.fence[len(m.fence)-1] + 2} {
		p, added := pos[n]
		if i, ok := m.lookup(n); ok != added || ok && i != p {
			t.Fatalf("lookup(%d) = %d, %t; added %t at %d", n, i, ok, added, p)
		}
	}
}

// TestPersonKeyNear: going through numbers in the order they came, in
// another order, and with numbers the map does not know, PersonKeyNear
// gives PersonKey's answer, and finds most in-order numbers next to the
// last one.
func TestPersonKeyNear(t *testing.T) {
	k := newKey(testSecret)
	m := NewIdentityMap()
	var numbers []string
	for i := range 20_000 {
		n := fmt.Sprintf("%011d", 7_000_000+i*37)
		numbers = append(numbers, n)
		if i%5 == 0 { // a previous number, linked
			mustLink(t, m, n, fmt.Sprintf("%011d", 90_000_000+i))
		} else {
			mustLink(t, m, n, "")
		}
	}
	shuffled := slices.Clone(numbers)
	rand.New(rand.NewPCG(1, 1)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for name, seq := range map[string][]string{"in order": numbers, "shuffled": shuffled, "unknown": {"00000000001", numbers[5], "99999999999", numbers[6]}} {
		near := int32(-1)
		for _, n := range seq {
			if got, want := m.PersonKeyNear(k, n, &near), m.PersonKey(k, n); got != want {
				t.Fatalf("%s: PersonKeyNear(%s) = %s, PersonKey %s", name, n, got, want)
			}
		}
	}
	// In order, the next number is found next to the last: count the
	// searches PersonKeyNear saves.
	near, hits := int32(-1), 0
	for _, n := range numbers {
		before := near
		m.PersonKeyNear(k, n, &near)
		if near == before+1 || near == before+2 {
			hits++
		}
	}
	if hits < len(numbers)*9/10 {
		t.Errorf("%d of %d in-order numbers found next to the last", hits, len(numbers))
	}
}
