package quickbooks

import (
	"testing"
)

func TestBackoff(t *testing.T) {
	for n := range 12 {
		ceil := min(DefaultRetryBase<<n, maxBackoff)
		for range 50 {
			if d := backoff(DefaultRetryBase, n); d < 0 || d > ceil {
				t.Fatalf("backoff(%d) = %v, want within [0, %v]", n, d, ceil)
			}
		}
	}
}
