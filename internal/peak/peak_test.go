package peak

import (
	"runtime"
	"testing"
)

var sink []byte

func TestRSSGrowsWithAllocation(t *testing.T) {
	before := RSS()
	if before <= 0 {
		t.Fatalf("peak RSS %d", before)
	}
	sink = make([]byte, 256<<20)
	for i := 0; i < len(sink); i += 4096 {
		sink[i] = 1
	}
	after := RSS()
	runtime.KeepAlive(sink)
	if after < before+128<<20 {
		t.Errorf("peak RSS %d MiB after touching 256 MiB, %d MiB before", after>>20, before>>20)
	}
	sink = nil
}
