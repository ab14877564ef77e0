package pseudo

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// identityMapHeader is the first line of a saved identity map.
const identityMapHeader = "integstat identity map v1"

// IdentityMap groups the identity numbers known to belong to one person: a
// D-nummer and the fødselsnummer that replaced it (NIR's tidligere_fnr), a
// chain of later fødselsnumre, and the DUF-nummer settlement pairs with them.
// Every number of a group gets the same person key.
//
// The person key is the pseudonym of the group's canonical member, the first
// of its numbers in this order: DUF-numre (12 digits) before D-numre (11
// digits, first digit 4–7) before other 11-digit numbers, and within each
// class the smallest. The rule depends only on the group, never on the order
// links arrive in, and it follows the order in which a person gets numbers
// (DUF at application, then a D-nummer, then a fødselsnummer), so a new number
// rarely changes a key. When a link does change a group's canonical member
// that was already in the map, as when two known persons turn out to be one,
// the map records the merge; Merges turns the records into a rewriting table
// for outputs already written.
//
// The map holds identity numbers: it belongs in the restricted area only.
// It is safe for concurrent use.
type IdentityMap struct {
	mu      sync.RWMutex
	numbers []number // position → number
	parent  []int32  // union-find forest over positions
	// canon is the canonical member of each group of more than one
	// number, by its root; a number alone is its own.
	canon map[int32]int32
	// sorted holds positions in the order of their numbers, recent the
	// positions of numbers added since they were last merged into it:
	// together the index from number to position, 4 bytes a number
	// beside the 12 of numbers and parent.
	sorted []int32
	recent map[number]int32
	// fence holds every fenceStep-th number of sorted: a binary search
	// over it finds the block of sorted to search, where a search of
	// sorted itself would miss the cache at every step (an eighth of a
	// byte a number).
	fence  []number
	merges [][2]int32
}

// number is an identity number in 8 bytes: its digits as a number, the top
// bit set for the 12 digits of a DUF-nummer. At scale 100 the map holds
// over 12 million numbers; as strings each would cost some 40 bytes more
// (and, cut from a record, keep the whole record alive).
type number uint64

const duf number = 1 << 63

// packNumber packs n, 11 or 12 ASCII digits (checkNumber).
func packNumber(n string) number {
	var v number
	for i := range len(n) {
		v = v*10 + number(n[i]-'0')
	}
	if len(n) == 12 {
		v |= duf
	}
	return v
}

// String returns the number's digits.
func (n number) String() string {
	width, v := 11, uint64(n)
	if n&duf != 0 {
		width, v = 12, uint64(n&^duf)
	}
	var b [12]byte
	for i := width - 1; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b[:width])
}

// class orders the kinds of number for the canonical-member rule: 0
// DUF-nummer, 1 D-nummer (first digit 4–7), 2 any other number.
func (n number) class() int {
	switch {
	case n&duf != 0:
		return 0
	case n/1e10 >= 4 && n/1e10 <= 7:
		return 1
	}
	return 2
}

// compare orders numbers by the canonical-member rule; within a class,
// numbers of one length compare as their digits do.
func (n number) compare(o number) int {
	if c := cmp.Compare(n.class(), o.class()); c != 0 {
		return c
	}
	return cmp.Compare(n, o)
}

// NewIdentityMap returns an empty identity map.
func NewIdentityMap() *IdentityMap {
	return &IdentityMap{canon: map[int32]int32{}, recent: map[number]int32{}}
}

// Link records that a and b are numbers of the same person, for instance a
// NIR row's fnr and tidligere_fnr or a settlement row's duf and fnr. An empty
// number (a null in the source) adds only the other one. A number that is not
// 11 or 12 digits is refused with an error that does not repeat it.
func (m *IdentityMap) Link(a, b string) error {
	for i, n := range [2]string{a, b} {
		if n == "" {
			continue
		}
		if err := checkNumber(n); err != nil {
			return fmt.Errorf("identity map: link: number %d %w", i+1, err)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case a == "" && b == "":
	case a == "" || b == "":
		m.add(packNumber(a + b))
	default:
		ia, newA := m.add(packNumber(a))
		ib, newB := m.add(packNumber(b))
		m.union(ia, ib, newA, newB)
	}
	return nil
}

// add returns number's position, appending it as a group of its own if it is
// new; fresh reports whether it was.
func (m *IdentityMap) add(n number) (i int32, fresh bool) {
	if i, ok := m.lookup(n); ok {
		return i, false
	}
	i = int32(len(m.numbers))
	m.numbers = append(m.numbers, n)
	m.parent = append(m.parent, i)
	m.recent[n] = i
	if len(m.recent) >= max(4096, len(m.sorted)/16) {
		m.mergeRecent()
	}
	return i, true
}

// lookup returns the position of n, and false if the map does not hold it.
func (m *IdentityMap) lookup(n number) (int32, bool) {
	if i, ok := m.recent[n]; ok {
		return i, true
	}
	// The fence, a few KB to MB read in order, finds the block; the
	// search within it costs six steps through numbers.
	b, found := slices.BinarySearch(m.fence, n)
	if !found {
		if b == 0 {
			return 0, false
		}
		b--
	}
	block := m.sorted[b*fenceStep : min((b+1)*fenceStep, len(m.sorted))]
	k, ok := slices.BinarySearchFunc(block, n, func(i int32, n number) int { return cmp.Compare(m.numbers[i], n) })
	if !ok {
		return 0, false
	}
	return block[k], true
}

// mergeRecent merges the recent numbers into sorted. Merging when recent
// has grown by a sixteenth of sorted keeps both the copying and the map
// small.
func (m *IdentityMap) mergeRecent() {
	add := make([]int32, 0, len(m.recent))
	for _, i := range m.recent {
		add = append(add, i)
	}
	byNumber := func(a, b int32) int { return cmp.Compare(m.numbers[a], m.numbers[b]) }
	slices.SortFunc(add, byNumber)
	merged := make([]int32, 0, len(m.sorted)+len(add))
	a, b := m.sorted, add
	for len(a) > 0 && len(b) > 0 {
		if byNumber(a[0], b[0]) < 0 {
			merged, a = append(merged, a[0]), a[1:]
		} else {
			merged, b = append(merged, b[0]), b[1:]
		}
	}
	m.sorted = append(append(merged, a...), b...)
	m.recent = map[number]int32{}
	m.fence = m.fence[:0]
	for k := 0; k < len(m.sorted); k += fenceStep {
		m.fence = append(m.fence, m.numbers[m.sorted[k]])
	}
}

// fenceStep is how many positions of sorted one fence number stands for.
const fenceStep = 64

// canonOf returns the canonical member of the group whose root is r.
func (m *IdentityMap) canonOf(r int32) int32 {
	if c, ok := m.canon[r]; ok {
		return c
	}
	return r
}

// union joins the groups of a and b. freshA and freshB say that a or b was
// added just now, so its group has never had a key and needs no merge record.
func (m *IdentityMap) union(a, b int32, freshA, freshB bool) {
	ra, rb := m.find(a), m.find(b)
	if ra == rb {
		return
	}
	ca, cb := m.canonOf(ra), m.canonOf(rb)
	winner, loser, loserFresh := ca, cb, freshB
	if m.numbers[cb].compare(m.numbers[ca]) < 0 {
		winner, loser, loserFresh = cb, ca, freshA
	}
	if !loserFresh {
		m.merges = append(m.merges, [2]int32{loser, winner})
	}
	delete(m.canon, rb)
	m.parent[rb] = ra
	m.canon[ra] = winner
}

// find returns the root of i's group, halving the path on the way. Call it
// with the write lock held.
func (m *IdentityMap) find(i int32) int32 {
	for m.parent[i] != i {
		m.parent[i] = m.parent[m.parent[i]]
		i = m.parent[i]
	}
	return i
}

// root returns the root of i's group without changing the forest, for
// readers holding only the read lock.
func (m *IdentityMap) root(i int32) int32 {
	for m.parent[i] != i {
		i = m.parent[i]
	}
	return i
}

// canonical returns the canonical member of number's group; a number not in
// the map is its own group. Call it with a lock held.
func (m *IdentityMap) canonical(n string) string {
	return m.canonicalNear(n, nil)
}

// canonicalNear is canonical that first looks for the number just after
// the position in near (when not nil) and leaves the number's position
// there: numbers come into the map in the order a delivery's personer
// lists them, and its other tables list persons in that order too, so the
// next person is mostly the next position, where a search of the index
// would miss the cache at every step.
func (m *IdentityMap) canonicalNear(n string, near *int32) string {
	if checkNumber(n) != nil {
		return n
	}
	p := packNumber(n)
	i, ok := int32(0), false
	if near != nil {
		for j := *near + 1; j <= *near+2 && j >= 0 && int(j) < len(m.numbers); j++ {
			if m.numbers[j] == p {
				i, ok = j, true
				break
			}
		}
	}
	if !ok {
		i, ok = m.lookup(p)
	}
	if !ok {
		return n
	}
	if near != nil {
		*near = i
	}
	if c := m.canonOf(m.root(i)); c != i {
		return m.numbers[c].String()
	}
	return n
}

// PersonKeyNear returns the person key of number under k: the KindPerson
// pseudonym of the canonical member of its group. A number the map does not
// know is a person of its own. Link every number of a delivery before asking
// for keys, so that keys reflect all the links known. A caller goes through
// a table's persons in order: near holds the map's position of the last
// number it asked for (start with -1; nil for none), and the number just
// after it is tried before the index is searched.
func (m *IdentityMap) PersonKeyNear(k *Key, number string, near *int32) string {
	m.mu.RLock()
	c := m.canonicalNear(number, near)
	m.mu.RUnlock()
	return k.Pseudonym(KindPerson, c)
}

// Merge says that person key Old, issued before a link joined two known
// groups, now belongs to the person whose key is New.
type Merge struct {
	Old, New string
}

// Merges returns, under k, one Merge for every group whose canonical member
// was replaced by a link, in the order the links arrived. New is the key the
// person has now (not at the time of the merge), so replacing each Old by its
// New in earlier outputs rebuilds their history under today's keys.
func (m *IdentityMap) Merges(k *Key) []Merge {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Merge, len(m.merges))
	for i, mg := range m.merges {
		out[i] = Merge{
			Old: k.Pseudonym(KindPerson, m.numbers[mg[0]].String()),
			New: k.Pseudonym(KindPerson, m.numbers[m.canonOf(m.root(mg[1]))].String()),
		}
	}
	return out
}

// Save writes the map to path, replacing it atomically, as a private (0600)
// text file: the header line, then one line "p NUMBER…" per person with the
// canonical member first, then one line "m OLD NEW" per recorded merge.
func (m *IdentityMap) Save(path string) (err error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	// The numbers in file order, without a map of groups: sorted by their
	// group's canonical member, then by the rule, which puts it first.
	roots := make([]int32, len(m.numbers))
	order := make([]int32, len(m.numbers))
	for i := range m.numbers {
		roots[i] = m.root(int32(i))
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := m.numbers[m.canonOf(roots[a])].compare(m.numbers[m.canonOf(roots[b])]); c != 0 {
			return c
		}
		return m.numbers[a].compare(m.numbers[b])
	})

	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("save identity map: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("save identity map %s: %w", path, err)
	}
	w := bufio.NewWriter(tmp)
	fmt.Fprintln(w, identityMapHeader)
	for j, i := range order {
		switch {
		case j == 0:
			w.WriteString("p ")
		case roots[i] != roots[order[j-1]]:
			w.WriteString("\np ")
		default:
			w.WriteByte(' ')
		}
		w.WriteString(m.numbers[i].String())
	}
	if len(order) > 0 {
		w.WriteByte('\n')
	}
	for _, mg := range m.merges {
		fmt.Fprintf(w, "m %s %s\n", m.numbers[mg[0]], m.numbers[mg[1]])
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("save identity map %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("save identity map %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save identity map %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save identity map: %w", err)
	}
	return nil
}

// LoadIdentityMap reads an identity map written by Save. Like LoadKey it
// refuses a file its group or others may access. Errors name the file, the
// line and the problem, never a number.
func LoadIdentityMap(path string) (*IdentityMap, error) {
	f, err := openPrivate(path, "identity map")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := NewIdentityMap()
	var lines []int32 // the line each number is listed on
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	line := 0
	bad := func(format string, a ...any) error {
		return fmt.Errorf("identity map %s line %d: %s", path, line, fmt.Sprintf(format, a...))
	}
	for sc.Scan() {
		line++
		text := sc.Text()
		if line == 1 {
			if text != identityMapHeader {
				return nil, bad("not an identity map: the first line must be %q", identityMapHeader)
			}
			continue
		}
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		for i, n := range fields[1:] {
			if err := checkNumber(n); err != nil {
				return nil, bad("number %d %v", i+1, err)
			}
		}
		switch {
		case fields[0] == "p" && len(fields) >= 2:
			for i, n := range fields[1:] {
				j, fresh := m.add(packNumber(n))
				if !fresh {
					return nil, bad("number %d is already listed on line %d", i+1, lines[j])
				}
				lines = append(lines, int32(line))
				if i > 0 {
					first, _ := m.lookup(packNumber(fields[1]))
					m.union(first, j, true, true)
				}
			}
		case fields[0] == "m" && len(fields) == 3:
			from, okFrom := m.lookup(packNumber(fields[1]))
			to, okTo := m.lookup(packNumber(fields[2]))
			if !okFrom || !okTo {
				return nil, bad("the merge names a number not listed on an earlier p line")
			}
			m.merges = append(m.merges, [2]int32{from, to})
		default:
			return nil, bad(`want "p NUMBER…" or "m OLD NEW"`)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("identity map %s after line %d: %w", path, line, err)
	}
	if line == 0 {
		return nil, fmt.Errorf("identity map %s is empty: the first line must be %q", path, identityMapHeader)
	}
	return m, nil
}

// checkNumber accepts the forms an identity map holds: 11 digits (fnr,
// D-nummer) or 12 (DUF-nummer). It never echoes the number.
func checkNumber(n string) error {
	if len(n) != 11 && len(n) != 12 {
		return fmt.Errorf("has %d characters, want 11 or 12", len(n))
	}
	for i := range len(n) {
		if n[i] < '0' || n[i] > '9' {
			return errors.New("is not all digits")
		}
	}
	return nil
}
