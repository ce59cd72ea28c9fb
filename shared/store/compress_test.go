package store

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
)

// Pooled writers and readers must never leak one payload's bytes into another's, however many
// goroutines share them.
func TestPooledGzipRoundTripsConcurrently(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				want := bytes.Repeat([]byte(fmt.Sprintf(`{"goroutine":%d,"i":%d}`, g, i)), 1+(g*i)%200)
				zipped, err := gzipBytes(want)
				if err != nil {
					errs <- err
					return
				}
				got, err := gunzipBytes(zipped)
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(got, want) {
					errs <- fmt.Errorf("goroutine %d payload %d came back different", g, i)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestGunzipRejectsWhatIsNotGzip(t *testing.T) {
	t.Parallel()
	if _, err := gunzipBytes([]byte("plain text")); err == nil {
		t.Fatal("plain bytes decompressed without an error")
	}
	// The pool stays usable after a failure.
	zipped, _ := gzipBytes([]byte("ok"))
	if got, err := gunzipBytes(zipped); err != nil || string(got) != "ok" {
		t.Fatalf("after a failure: %q, %v", got, err)
	}
}
