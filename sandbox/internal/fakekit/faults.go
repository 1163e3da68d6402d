package fakekit

import (
	"net/http"
	"sync"
	"time"
)

// Fault is a failure injected into one route of a fake.
//
// A fault with Status 0 and Drop false only adds Latency and then lets the
// request through to the real handler.
type Fault struct {
	// Tenant limits the fault to one realm or portal; empty means all.
	Tenant string
	// Status is the HTTP status to answer with instead of the handler's.
	Status int
	// Body is written verbatim after Status.
	Body []byte
	// Header is added to the answer (Content-Type, Retry-After, ...).
	Header http.Header
	// Latency delays the answer, or the pass-through, by this long. The
	// wait ends early if the request's context is cancelled.
	Latency time.Duration
	// Drop closes the connection without an answer: the client sees a
	// transport error, never a response. Over real TCP, net/http's client
	// silently retries an idempotent request once when a reused keep-alive
	// connection breaks, so a Drop with Times 1 can pass unnoticed there;
	// use Times 2 or a client without keep-alives when that matters.
	Drop bool
	// Times is how many matching requests the fault affects; 0 means every
	// request until the fault is cleared.
	Times int
}

// Faults is a set of injected faults keyed by route name. The zero value is
// ready to use and safe for concurrent use.
type Faults struct {
	mu     sync.Mutex
	byName map[string][]*armed
}

type armed struct {
	Fault
	left int // remaining uses when Times > 0
}

// AnyRoute arms a fault for every route of a fake, after the faults armed
// for the route itself (say, 100 ms of latency on every upstream call).
const AnyRoute = "*"

// Inject arms fault for route, or for every route with AnyRoute. Several
// faults on one route are used in the order they were injected.
func (f *Faults) Inject(route string, fault Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.byName == nil {
		f.byName = make(map[string][]*armed)
	}
	f.byName[route] = append(f.byName[route], &armed{Fault: fault, left: fault.Times})
}

// Clear disarms every fault on route, or on all routes when route is "".
func (f *Faults) Clear(route string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if route == "" {
		f.byName = nil
		return
	}
	delete(f.byName, route)
}

// Armed reports how many faults are still armed on route (a fault with
// Times 0 counts once), so a test can wait until a fake's own goroutine
// has used one up.
func (f *Faults) Armed(route string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.byName[route])
}

// Take returns the first fault armed for route and tenant and uses it up,
// for callers that are not HTTP handlers (a fake's outbound deliveries).
func (f *Faults) Take(route, tenant string) (Fault, bool) {
	return f.takeFirst(tenant, route)
}

// takeFirst uses up the first fault armed for one of routes, in order, or
// else for AnyRoute.
func (f *Faults) takeFirst(tenant string, routes ...string) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, route := range append(routes, AnyRoute) {
		if fault, ok := f.takeLocked(route, tenant); ok {
			return fault, true
		}
	}
	return Fault{}, false
}

func (f *Faults) takeLocked(route, tenant string) (Fault, bool) {
	list := f.byName[route]
	for i, a := range list {
		if a.Tenant != "" && a.Tenant != tenant {
			continue
		}
		if a.Times > 0 {
			a.left--
			if a.left <= 0 {
				f.byName[route] = append(list[:i:i], list[i+1:]...)
			}
		}
		return a.Fault, true
	}
	return Fault{}, false
}

// Apply carries out the fault armed for route and tenant, if any. It reports
// whether the request has been answered; when it returns true the caller
// must write nothing more. A dropped connection panics with
// http.ErrAbortHandler, which net/http and Transport both turn into a broken
// connection for the client.
func (f *Faults) Apply(route, tenant string, w http.ResponseWriter, r *http.Request) bool {
	return f.ApplyFirst(tenant, w, r, route)
}

// ApplyFirst is Apply for the first of several routes with a fault armed
// (a specific route before a general one), so at most one fault applies.
func (f *Faults) ApplyFirst(tenant string, w http.ResponseWriter, r *http.Request, routes ...string) bool {
	fault, ok := f.takeFirst(tenant, routes...)
	if !ok {
		return false
	}
	if fault.Latency > 0 {
		t := time.NewTimer(fault.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			panic(http.ErrAbortHandler)
		}
	}
	if fault.Drop {
		panic(http.ErrAbortHandler)
	}
	if fault.Status == 0 {
		return false
	}
	for k, vs := range fault.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(fault.Status)
	_, _ = w.Write(fault.Body)
	return true
}
