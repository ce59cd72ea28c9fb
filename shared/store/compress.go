package store

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"sync"
)

// Payloads are gzipped so that most deliveries fit one item. A flate compressor carries about
// 1 MB of tables; allocating one per delivery was 92% of a webhook's allocations and kept a
// Lambda instance's garbage collector busy, so writers (and readers) are pooled and Reset.
var (
	gzipWriters = sync.Pool{New: func() any {
		zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
		return zw
	}}
	gzipReaders sync.Pool // *gzip.Reader; empty until the first one is returned
)

// gzipBytes returns b compressed; the result does not alias any pooled buffer.
func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(b)/4 + 64)
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func gunzipBytes(b []byte) ([]byte, error) {
	zr, _ := gzipReaders.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(bytes.NewReader(b))
	} else {
		err = zr.Reset(bytes.NewReader(b))
	}
	if err != nil {
		return nil, fmt.Errorf("decompress payload: %w", err)
	}
	defer gzipReaders.Put(zr)
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("decompress payload: %w", err)
	}
	return out, nil
}
