package fakekit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Transport is an http.RoundTripper that serves requests for a fixed set of
// hosts from an http.Handler in the same process, with no socket. Requests
// for any other host fail: a client wired to a fake can never reach the
// network by mistake.
type Transport struct {
	handler http.Handler
	hosts   map[string]bool
}

// NewTransport routes requests whose URL host (port ignored, case-insensitive)
// is one of hosts to h.
func NewTransport(h http.Handler, hosts ...string) *Transport {
	t := &Transport{handler: h, hosts: make(map[string]bool, len(hosts))}
	for _, host := range hosts {
		t.hosts[strings.ToLower(host)] = true
	}
	return t
}

// ErrNotServed is returned for a request to a host the fake does not serve.
var ErrNotServed = errors.New("host is not served by this sandbox fake; refusing to reach the network")

// RoundTrip runs the handler in its own goroutine and returns as soon as the
// handler has written its status line, streaming the body after it. A handler
// that panics (a dropped-connection fault panics with http.ErrAbortHandler)
// yields a transport error, or a body that ends with io.ErrUnexpectedEOF when
// the status was already sent.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL == nil {
		return nil, errors.New("fakekit: request has no URL")
	}
	host := strings.ToLower(req.URL.Hostname())
	if !t.hosts[host] {
		closeBody(req)
		return nil, fmt.Errorf("fakekit: %s %s: %q: %w", req.Method, req.URL.Redacted(), host, ErrNotServed)
	}
	ctx := req.Context()
	sreq := req.Clone(ctx)
	sreq.RequestURI = req.URL.RequestURI()
	sreq.RemoteAddr = "127.0.0.1:49152"
	sreq.Host = req.URL.Host
	sreq.Proto, sreq.ProtoMajor, sreq.ProtoMinor = "HTTP/1.1", 1, 1
	if req.Body == nil {
		sreq.Body = http.NoBody
	}
	if req.Host != "" {
		sreq.Host = req.Host
	}

	w := &pipeWriter{header: make(http.Header), ready: make(chan struct{}), body: newBufPipe()}
	go func() {
		defer closeBody(req)
		defer func() {
			if p := recover(); p != nil {
				w.abort(fmt.Errorf("fakekit: handler aborted the connection: %v", p))
				return
			}
			w.commit(http.StatusOK)
			w.body.closeWrite(nil)
		}()
		t.handler.ServeHTTP(w, sreq)
	}()

	select {
	case <-w.ready:
	case <-ctx.Done():
		w.body.closeRead()
		return nil, ctx.Err()
	}
	if w.err != nil {
		return nil, w.err
	}
	resp := &http.Response{
		Status:        strconv.Itoa(w.status) + " " + http.StatusText(w.status),
		StatusCode:    w.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        w.sent,
		Body:          &responseBody{p: w.body, ctxDone: ctx.Done()},
		ContentLength: -1,
		Request:       req,
	}
	if n, err := strconv.ParseInt(w.sent.Get("Content-Length"), 10, 64); err == nil {
		resp.ContentLength = n
	}
	if req.Method == http.MethodHead {
		resp.Body = http.NoBody
	}
	return resp, nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// pipeWriter is the handler's http.ResponseWriter.
type pipeWriter struct {
	header http.Header
	sent   http.Header
	status int
	err    error // set when the handler aborted before the status line
	once   sync.Once
	ready  chan struct{}
	body   *bufPipe
}

func (w *pipeWriter) Header() http.Header { return w.header }

func (w *pipeWriter) commit(status int) {
	w.once.Do(func() {
		w.status = status
		w.sent = w.header.Clone()
		close(w.ready)
	})
}

func (w *pipeWriter) WriteHeader(status int) {
	if status < 100 || status > 999 {
		panic(fmt.Sprintf("fakekit: invalid WriteHeader code %v", status))
	}
	if status >= 100 && status < 200 {
		return // informational answers are not passed on
	}
	w.commit(status)
}

func (w *pipeWriter) Write(p []byte) (int, error) {
	w.commit(http.StatusOK)
	return w.body.write(p)
}

// Flush is a no-op: the reader sees every write at once.
func (w *pipeWriter) Flush() {}

func (w *pipeWriter) abort(err error) {
	committed := true
	w.once.Do(func() {
		committed = false
		w.err = err
		close(w.ready)
	})
	if committed {
		w.body.closeWrite(io.ErrUnexpectedEOF)
	} else {
		w.body.closeWrite(err)
	}
}

// bufPipe is an unbounded in-memory pipe: writes never block, so a handler
// finishes even when its client reads slowly or not at all.
type bufPipe struct {
	mu     sync.Mutex
	cond   *sync.Cond
	buf    bytes.Buffer
	werr   error // io.EOF or the abort error once the writer is done
	closed bool  // reader closed

	finished     chan struct{} // closed once the reader is done: closed, or drained to the end
	finishedOnce sync.Once
}

func newBufPipe() *bufPipe {
	p := &bufPipe{finished: make(chan struct{})}
	p.cond = sync.NewCond(&p.mu)
	return p
}

func (p *bufPipe) finish() { p.finishedOnce.Do(func() { close(p.finished) }) }

func (p *bufPipe) write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, io.ErrClosedPipe
	}
	if p.werr != nil {
		return 0, errors.New("fakekit: write after handler returned")
	}
	p.buf.Write(b)
	p.cond.Broadcast()
	return len(b), nil
}

func (p *bufPipe) closeWrite(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.werr == nil {
		if err == nil {
			err = io.EOF
		}
		p.werr = err
	}
	p.cond.Broadcast()
}

func (p *bufPipe) closeRead() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	p.buf.Reset()
	p.cond.Broadcast()
	p.finish()
}

func (p *bufPipe) read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.buf.Len() == 0 && p.werr == nil && !p.closed {
		p.cond.Wait()
	}
	if p.closed {
		return 0, io.ErrClosedPipe
	}
	if p.buf.Len() > 0 {
		return p.buf.Read(b)
	}
	p.finish()
	return 0, p.werr
}

// responseBody is the client's view of the pipe. It stops waiting when the
// request's context ends, as a real connection would.
type responseBody struct {
	p       *bufPipe
	ctxDone <-chan struct{}
	watch   sync.Once
}

func (r *responseBody) Read(b []byte) (int, error) {
	r.watch.Do(func() {
		if r.ctxDone == nil {
			return
		}
		go func() {
			select {
			case <-r.ctxDone:
				r.p.closeRead()
			case <-r.p.finished:
			}
		}()
	})
	return r.p.read(b)
}

func (r *responseBody) Close() error {
	r.p.closeRead()
	return nil
}
