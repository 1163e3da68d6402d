package redis

import (
	"bytes"
	"container/list"
	"context"
	"sync"
	"time"
)

// NewInProcess returns a Cache held in this process: an LRU of at most
// maxEntries values (at least 1), each expiring after its ttl by opt.Now.
// It never fails, so Ping, Delete and Close return nil.
func NewInProcess(maxEntries int, opt Options) *Cache {
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	return newCache(&inprocess{
		max:   max(maxEntries, 1),
		now:   now,
		order: list.New(),
		items: make(map[string]*list.Element),
	}, opt)
}

// inprocess is an LRU with a TTL per entry. An expired entry is dropped when
// read, or evicted like any other once it is the least recently used.
type inprocess struct {
	max int
	now func() time.Time

	mu    sync.Mutex
	order *list.List // of *entry, most recently used first
	items map[string]*list.Element
}

type entry struct {
	key     string
	val     []byte
	expires time.Time
}

func (p *inprocess) get(_ context.Context, key string) ([]byte, bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	el, ok := p.items[key]
	if !ok {
		return nil, false, nil
	}
	e := el.Value.(*entry)
	if !p.now().Before(e.expires) {
		p.remove(el)
		return nil, false, nil
	}
	p.order.MoveToFront(el)
	return bytes.Clone(e.val), true, nil
}

func (p *inprocess) set(_ context.Context, key string, val []byte, ttl time.Duration) error {
	e := &entry{key: key, val: bytes.Clone(val), expires: p.now().Add(ttl)}
	p.mu.Lock()
	defer p.mu.Unlock()
	if el, ok := p.items[key]; ok {
		el.Value = e
		p.order.MoveToFront(el)
		return nil
	}
	p.items[key] = p.order.PushFront(e)
	for p.order.Len() > p.max {
		p.remove(p.order.Back())
	}
	return nil
}

func (p *inprocess) del(_ context.Context, keys ...string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range keys {
		if el, ok := p.items[k]; ok {
			p.remove(el)
		}
	}
	return nil
}

func (p *inprocess) remove(el *list.Element) {
	p.order.Remove(el)
	delete(p.items, el.Value.(*entry).key)
}

func (p *inprocess) ping(context.Context) error { return nil }

func (p *inprocess) close() error { return nil }
