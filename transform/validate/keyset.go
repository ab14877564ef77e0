package validate

import (
	"hash/maphash"
	"strings"

	"integstat/extract/contract"
)

// keySet hashes the primary keys of a Table's rows. A key is kept as
// 128 bits: two 64-bit maphash sums of the key columns under independent
// random seeds. timer.csv at scale 100 has hundreds of millions of rows, and
// 16 bytes a key (about 20–40 bytes with the map's own overhead) keeps that
// set in memory where the key strings would need several times more.
//
// Two different keys collide with probability 2^-128, so among n keys the
// chance of any collision is at most n²/2^129: about 4·10^-22 for n = 5·10^8.
// A collision would quarantine one good row as a duplicate; the seeds are
// drawn per Table, so it would not repeat on a rerun.
type keySet struct {
	cols   []int // indices of the key columns
	s1, s2 maphash.Seed
	detail string // the Detail of a duplicate, naming the key columns
}

func newKeySet(t *contract.Table) keySet {
	ks := keySet{
		s1:     maphash.MakeSeed(),
		s2:     maphash.MakeSeed(),
		detail: "an earlier row has the same (" + strings.Join(t.Key, ", ") + ")",
	}
	for _, name := range t.Key {
		ks.cols = append(ks.cols, t.Index(name))
	}
	return ks
}

// hash returns the 128-bit hash of the key of values.
func (ks *keySet) hash(values []string) [2]uint64 {
	if len(ks.cols) == 0 {
		return [2]uint64{}
	}
	// The key's bytes, each value preceded by its length so that ("ab", "c")
	// and ("a", "bc") differ, go into a buffer on the stack and are hashed
	// in one call per seed.
	var arr [256]byte
	buf := arr[:0]
	for _, i := range ks.cols {
		n := len(values[i])
		buf = append(buf, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
		buf = append(buf, values[i]...)
	}
	return [2]uint64{maphash.Bytes(ks.s1, buf), maphash.Bytes(ks.s2, buf)}
}
