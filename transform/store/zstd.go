package store

import (
	"runtime"
	"sync"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// arrow-go compresses each page with a zstd encoder from a sync.Pool,
// which every garbage collection empties: a busy writer then builds a new
// encoder, with its tables and history, for most pages (some 400 MB of
// allocation per scale-1 NIR delivery). zstdCodec is arrow-go's codec
// with one long-lived encoder per level instead; EncodeAll may be called
// from many goroutines at once. Decoding is arrow-go's.
type zstdCodec struct {
	compress.Codec // arrow-go's, for everything but encoding
	mu             sync.Mutex
	encoders       map[zstd.EncoderLevel]*zstd.Encoder
}

func init() {
	base, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		panic(err)
	}
	compress.RegisterCodec(compress.Codecs.Zstd, &zstdCodec{Codec: base, encoders: map[zstd.EncoderLevel]*zstd.Encoder{}})
}

// encoder returns the encoder of level, made on first use.
func (c *zstdCodec) encoder(level zstd.EncoderLevel) *zstd.Encoder {
	c.mu.Lock()
	defer c.mu.Unlock()
	enc, ok := c.encoders[level]
	if !ok {
		var err error
		enc, err = zstd.NewWriter(nil, zstd.WithZeroFrames(true), zstd.WithEncoderLevel(level),
			zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)))
		if err != nil {
			panic(err) // only invalid options fail
		}
		c.encoders[level] = enc
	}
	return enc
}

// Encode compresses src at the default level.
func (c *zstdCodec) Encode(dst, src []byte) []byte {
	return c.EncodeLevel(dst, src, compress.DefaultCompressionLevel)
}

// EncodeLevel compresses src at level, as arrow-go's codec does.
func (c *zstdCodec) EncodeLevel(dst, src []byte, level int) []byte {
	l := zstd.SpeedDefault
	if level != compress.DefaultCompressionLevel {
		l = zstd.EncoderLevelFromZstd(level)
	}
	return c.encoder(l).EncodeAll(src, dst[:0])
}
