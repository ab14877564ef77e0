package peak

import "testing"

func TestRSSGrowsWithAllocation(t *testing.T) {
	before := RSS()
	if before <= 0 {
		t.Fatalf("peak RSS %d", before)
	}
	b := make([]byte, 64<<20)
	for i := range b {
		b[i] = 1
	}
	if after := RSS(); after < before+32<<20 {
		t.Errorf("peak RSS %d after touching 64 MiB, %d before", after, before)
	}
	_ = b[len(b)-1]
}
