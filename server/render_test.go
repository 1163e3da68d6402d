package server

import (
	"testing"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

func TestRenderCacheEncodesEachCardOnceAndStaysBounded(t *testing.T) {
	var r renderCache
	renders := 0
	render := func() ([]byte, error) { renders++; return []byte("{}"), nil }
	a := &app.RecordCard{}
	r.get(a, render)
	r.get(a, render)
	if renders != 1 {
		t.Fatalf("the same card was encoded %d times", renders)
	}
	for range 3 * renderGeneration {
		r.get(&app.RecordCard{}, render)
	}
	if n := len(r.cur) + len(r.prev); n > 2*renderGeneration {
		t.Fatalf("render cache holds %d cards, bound is %d", n, 2*renderGeneration)
	}
	renders = 0
	r.get(a, render)
	if renders != 1 {
		t.Fatal("a card rotated out must be encoded again")
	}
}
