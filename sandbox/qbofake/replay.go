package qbofake

import (
	"bytes"
	"net/http"
	"sync"
)

// maxRequestID is QBO's limit on requestid (reference §1.1, §4; batch items
// allow 36, which the fake does not distinguish).
const maxRequestID = 50

// maxReplays bounds the remembered answers; the oldest are forgotten first.
const maxReplays = 10000

// replayStore implements requestid idempotency (reference §1.1, L5): a
// POST that repeats a requestid for the same realm and path gets the first
// answer again, byte for byte, without running a second time. A repeat that
// arrives while the first is still running waits for it. Only requests that
// reached the handler are remembered: one refused by auth, a limit or an
// injected fault did not happen, so retrying it runs it.
type replayStore struct {
	mu      sync.Mutex
	entries map[string]*replayEntry
	order   []string
}

type replayEntry struct {
	done   chan struct{}
	ok     bool // the first run completed and was recorded
	status int
	ctype  string
	body   []byte
}

func newReplayStore() *replayStore {
	return &replayStore{entries: map[string]*replayEntry{}}
}

// do runs the handler once per key and replays its answer afterwards.
func (rs *replayStore) do(key string, w http.ResponseWriter, run func(http.ResponseWriter)) {
	rs.mu.Lock()
	if e, ok := rs.entries[key]; ok {
		rs.mu.Unlock()
		<-e.done
		if e.ok {
			w.Header().Set("Content-Type", e.ctype)
			w.WriteHeader(e.status)
			_, _ = w.Write(e.body)
			return
		}
		run(w)
		return
	}
	e := &replayEntry{done: make(chan struct{})}
	rs.entries[key] = e
	rs.order = append(rs.order, key)
	if len(rs.order) > maxReplays {
		delete(rs.entries, rs.order[0])
		rs.order = rs.order[1:]
	}
	rs.mu.Unlock()

	defer func() {
		if !e.ok {
			rs.mu.Lock()
			delete(rs.entries, key)
			rs.mu.Unlock()
		}
		close(e.done)
	}()
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	run(rec)
	e.status, e.ctype, e.body, e.ok = rec.status, rec.Header().Get("Content-Type"), rec.buf.Bytes(), true
}

// recorder passes an answer through while keeping a copy.
type recorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(p []byte) (int, error) {
	r.buf.Write(p)
	return r.ResponseWriter.Write(p)
}
