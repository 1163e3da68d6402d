// Package tokenflight keeps OAuth tokens fresh for the QuickBooks and HubSpot
// adapters, one mechanism for both. Per credential (a connection, a portal)
// and in this process:
//
//   - the newest tokens are kept in memory; a caller holding tokens this
//     process already replaced gets the newest instead, and tokens never seen
//     here (a reconnect or reinstall, another replica's refresh) replace them;
//   - one refresh runs at a time, and concurrent callers share its result;
//   - refreshed tokens are saved before anyone uses them; if saving fails the
//     call fails, and the next refresh retries the save of the same tokens
//     instead of spending the refresh token again;
//   - a refresh token the provider refused is not offered again.
//
// Across processes, a Keeper given Lock refreshes only while holding the
// credential's lock in the shared store, and first reads the stored tokens
// under it: when another process already refreshed, its tokens are used
// and the provider is not asked again.
//
// A refresh runs detached from its caller's cancellation (bounded by
// Timeout), so a caller that gives up cannot leave the provider rotated and
// the new tokens unsaved; Close waits for refreshes in flight.
package tokenflight

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/pause"
)

// Keeper refreshes the tokens of many credentials of one provider.
type Keeper struct {
	// Name prefixes logs and errors ("quickbooks", "hubspot").
	Name string
	// Generation names one generation of tokens: QBO rotates refresh tokens
	// (use Tokens.Refresh), HubSpot rotates access tokens (Tokens.Access).
	Generation func(app.Tokens) string
	// Expired reports whether tokens must be refreshed before use.
	Expired func(app.Tokens) bool
	// Exchange spends refresh at the provider's token endpoint. It answers
	// app.NotConnected when the provider refuses the refresh token.
	Exchange func(ctx context.Context, id, refresh string) (app.Tokens, error)
	// Save stores refreshed tokens; nil means they cannot be saved, so an
	// expired token is never refreshed.
	Save func(ctx context.Context, id string, t app.Tokens) error
	// Lock, when set, runs refresh holding credential id's lock, which every
	// process sharing the store respects, handing it the stored tokens.
	// What refresh returns is stored before the lock is released: tokens
	// that differ from the stored ones are saved; an app.NotConnected error
	// (the provider refused the refresh token) marks the credential as
	// needing the user again and erases its tokens. Lock returns refresh's
	// tokens, or its error, or the store's. Save is still used to retry
	// saving tokens whose first save failed.
	Lock func(ctx context.Context, id string, refresh func(ctx context.Context, stored app.Tokens) (app.Tokens, error)) (app.Tokens, error)
	// Refused is the error for a credential without a usable refresh token.
	Refused error
	// Timeout bounds one exchange at the provider; default 30 s. A flight,
	// lock wait and storing included, takes at most twice as long.
	Timeout time.Duration
	// SaveRetries are the waits before storing again tokens the provider
	// issued and the store refused; default 200 ms, 1 s, 3 s.
	SaveRetries []time.Duration
	Logger      *slog.Logger

	mu     sync.Mutex
	states map[string]*state
	flying inFlight
}

type fingerprint [sha256.Size]byte

func fingerprintOf(token string) fingerprint { return sha256.Sum256([]byte(token)) }

// maxRetired bounds the fingerprints of replaced generations kept.
const maxRetired = 16

// state is one credential's tokens.
type state struct {
	mu      sync.Mutex
	cur     app.Tokens
	known   bool
	retired []fingerprint // generations this process replaced, oldest first
	refused *fingerprint  // the refresh token the provider last refused
	pending *pending
	flight  *flight
}

// pending are tokens the provider issued whose saving failed.
type pending struct {
	from   fingerprint // the generation they replace
	tokens app.Tokens
}

// flight is one refresh in progress; done is closed once tokens and err are set.
type flight struct {
	done   chan struct{}
	tokens app.Tokens
	err    error
}

func (k *Keeper) state(id string) *state {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.states == nil {
		k.states = map[string]*state{}
	}
	s := k.states[id]
	if s == nil {
		s = &state{}
		k.states[id] = s
	}
	return s
}

// adopt merges the tokens a caller holds into the state (s.mu held).
func (k *Keeper) adopt(s *state, t app.Tokens) {
	gen := k.Generation(t)
	switch {
	case !s.known:
		s.cur, s.known = t, true
	case gen == k.Generation(s.cur):
		if t.Access != "" && t.AccessExpiresAt.After(s.cur.AccessExpiresAt) {
			s.cur = t
		}
	case gen == "" || s.isRetired(gen):
		// The caller's tokens are older than ours.
	default:
		// Tokens this process never saw: a reconnect or another replica.
		s.cur, s.pending = t, nil
	}
}

func (s *state) isRetired(gen string) bool {
	fp := fingerprintOf(gen)
	for _, r := range s.retired {
		if r == fp {
			return true
		}
	}
	return false
}

func (s *state) retire(gen string) {
	s.retired = append(s.retired, fingerprintOf(gen))
	if len(s.retired) > maxRetired {
		s.retired = s.retired[len(s.retired)-maxRetired:]
	}
}

// Current returns the tokens to call with for credential id, given the
// tokens the caller holds, refreshing first when they have expired.
func (k *Keeper) Current(ctx context.Context, id string, held app.Tokens) (app.Tokens, error) {
	s := k.state(id)
	s.mu.Lock()
	k.adopt(s, held)
	t := s.cur
	s.mu.Unlock()
	if !k.Expired(t) {
		return t, nil
	}
	return k.Refresh(ctx, id, held, t.Access)
}

// Refresh returns tokens newer than the access token stale (refused by the
// provider or expired): the newest known ones if another caller already
// replaced stale, else those of a refresh shared with every concurrent
// caller. When ctx ends first it returns ctx's error.
func (k *Keeper) Refresh(ctx context.Context, id string, held app.Tokens, stale string) (app.Tokens, error) {
	s := k.state(id)
	s.mu.Lock()
	k.adopt(s, held)
	if s.cur.Access != stale && !k.Expired(s.cur) {
		t := s.cur
		s.mu.Unlock()
		return t, nil
	}
	f := s.flight
	if f == nil {
		f = &flight{done: make(chan struct{})}
		s.flight = f
		k.flying.start()
		go func() {
			defer k.flying.done()
			k.run(context.WithoutCancel(ctx), id, s, f)
		}()
	}
	s.mu.Unlock()
	select {
	case <-f.done:
		return f.tokens, f.err
	case <-ctx.Done():
		return app.Tokens{}, ctx.Err()
	}
}

// run carries out one flight: exchange the refresh token (or reuse tokens
// whose saving failed), save, then publish.
func (k *Keeper) run(ctx context.Context, id string, s *state, f *flight) {
	// Waiting for the lock, the exchange (bounded by Timeout on its own)
	// and the tries to store: twice Timeout in all.
	ctx, cancel := context.WithTimeout(ctx, 2*k.timeout())
	defer cancel()
	log := k.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s.mu.Lock()
	old, pend, refused := s.cur, s.pending, s.refused
	s.mu.Unlock()
	oldGen := fingerprintOf(k.Generation(old))

	var (
		next       app.Tokens
		err        error
		exchanged  bool
		unsaved    *app.Tokens // issued by the provider and not stored yet
		saveFailed bool
	)
	if pend != nil && pend.from == oldGen {
		unsaved = &pend.tokens
	}
	switch {
	case k.Lock != nil && (unsaved != nil || old.Refresh != "" && !k.isRefused(refused, old.Refresh)):
		next, err = k.lockedRefresh(ctx, id, s, old, &unsaved, &exchanged)
		if err != nil && unsaved != nil && app.ErrorCode(err) != app.NotConnected {
			// The provider rotated the tokens but the store did not take
			// them: keep them, and try again before giving up.
			waits := k.SaveRetries
			if waits == nil {
				waits = defaultSaveRetries
			}
			for _, wait := range waits {
				if pause.For(ctx, wait) != nil {
					break
				}
				if next, err = k.lockedRefresh(ctx, id, s, old, &unsaved, &exchanged); err == nil {
					break
				}
			}
			if err != nil {
				saveFailed, next = true, *unsaved
				err = fmt.Errorf("%s: save the refreshed tokens of %s: %w", k.Name, id, err)
				log.WarnContext(ctx, k.Name+": saving refreshed tokens failed; keeping them for the next try", "credential", id, "err", err)
			}
		}
	case unsaved != nil:
		next = *unsaved
		err = k.save(ctx, id, next)
		saveFailed = err != nil
	case old.Refresh == "" || k.isRefused(refused, old.Refresh):
		err = k.Refused
	default:
		next, err = k.exchange(ctx, id, old.Refresh)
		exchanged = err == nil
		if err == nil {
			err = k.save(ctx, id, next)
			saveFailed = err != nil
		}
	}
	if saveFailed && k.Lock == nil {
		log.WarnContext(ctx, k.Name+": saving refreshed tokens failed; keeping them for the next try", "credential", id, "err", err)
	}

	s.mu.Lock()
	switch {
	case err == nil:
		if k.Generation(next) != k.Generation(old) {
			s.retire(k.Generation(old))
		}
		if k.Generation(s.cur) == k.Generation(old) { // no reconnect meanwhile
			s.cur = next
		}
		s.pending = nil
		f.tokens = next
		log.InfoContext(ctx, k.Name+": tokens refreshed", "credential", id, "exchanged", exchanged)
	case saveFailed:
		s.pending = &pending{from: oldGen, tokens: next}
	case app.ErrorCode(err) == app.NotConnected && old.Refresh != "":
		fp := fingerprintOf(old.Refresh)
		s.refused = &fp
	}
	f.err = err
	s.flight = nil
	s.mu.Unlock()
	close(f.done)
}

// defaultSaveRetries are the waits before trying again to store tokens the
// provider issued: while they are not stored, this process alone has them.
var defaultSaveRetries = []time.Duration{200 * time.Millisecond, time.Second, 3 * time.Second}

func (k *Keeper) isRefused(refused *fingerprint, refresh string) bool {
	return refused != nil && *refused == fingerprintOf(refresh)
}

// save stores tokens through Save.
func (k *Keeper) save(ctx context.Context, id string, t app.Tokens) error {
	if k.Save == nil {
		return fmt.Errorf("%s: no token saver was given", k.Name)
	}
	if err := k.Save(ctx, id, t); err != nil {
		return fmt.Errorf("%s: save the refreshed tokens of %s: %w", k.Name, id, err)
	}
	return nil
}

// exchange spends refresh at the provider within Timeout of its own, so a
// long wait for the lock never cuts an exchange short.
func (k *Keeper) exchange(ctx context.Context, id, refresh string) (app.Tokens, error) {
	ctx, cancel := context.WithTimeout(ctx, k.timeout())
	defer cancel()
	return k.Exchange(ctx, id, refresh)
}

func (k *Keeper) timeout() time.Duration {
	if k.Timeout <= 0 {
		return 30 * time.Second
	}
	return k.Timeout
}

// lockedRefresh runs one refresh under Lock. Tokens the provider issued
// and no store took yet (*unsaved) are stored only while the store still
// holds the generation they replace: if it holds another (a reconnect, or
// tokens put back), that one wins.
func (k *Keeper) lockedRefresh(ctx context.Context, id string, s *state, old app.Tokens, unsaved **app.Tokens, exchanged *bool) (app.Tokens, error) {
	return k.Lock(ctx, id, func(ctx context.Context, stored app.Tokens) (app.Tokens, error) {
		if *unsaved != nil {
			switch gen := k.Generation(stored); {
			case gen == k.Generation(old):
				return **unsaved, nil
			case gen == k.Generation(**unsaved):
				return stored, nil // stored by an earlier try after all
			case gen != "" && !k.Expired(stored):
				return stored, nil
			default:
				return app.Tokens{}, k.Refused
			}
		}
		t, exch, err := k.refreshStored(ctx, id, s, old, stored)
		if exch {
			*exchanged, *unsaved = true, &t
		}
		return t, err
	})
}

// refreshStored is the refresh run under Lock, given the stored tokens.
// When another process replaced old, the stored tokens are used while they
// last and refreshed when they do not, so processes sharing a store spend
// each refresh token once. exchanged reports whether the provider was asked.
func (k *Keeper) refreshStored(ctx context.Context, id string, s *state, old, stored app.Tokens) (t app.Tokens, exchanged bool, err error) {
	from := old
	if stored.Refresh != "" && stored.Access != old.Access && !k.Expired(stored) {
		// Another process refreshed; the provider may have kept the
		// refresh token (Intuit does for a day), so the generation alone
		// would not tell.
		return stored, false, nil
	}
	if gen := k.Generation(stored); gen != k.Generation(old) {
		s.mu.Lock()
		behind := gen != "" && s.isRetired(gen)
		s.mu.Unlock()
		switch {
		case gen == "":
			// The store holds none: disconnected, or refused elsewhere.
			return app.Tokens{}, false, k.Refused
		case behind:
			// The store has tokens this process already replaced.
		case !k.Expired(stored):
			return stored, false, nil
		default:
			from = stored
		}
	}
	if from.Refresh == "" {
		return app.Tokens{}, false, k.Refused
	}
	if k.Generation(stored) == k.Generation(from) && stored.Refresh != "" {
		// The stored refresh token is the truth for this generation, not
		// whatever the caller held.
		from.Refresh = stored.Refresh
	}
	t, err = k.exchange(ctx, id, from.Refresh)
	return t, err == nil, err
}

// Close waits, until ctx ends, for refreshes in flight: the provider has
// rotated the tokens of a refresh in flight, so the process must not close
// the store before the new ones are saved.
func (k *Keeper) Close(ctx context.Context) error {
	if err := k.flying.wait(ctx); err != nil {
		return fmt.Errorf("%s: token refreshes still running at shutdown: %w", k.Name, err)
	}
	return nil
}

// inFlight counts running work; wait returns once none runs. Unlike a
// WaitGroup it may be waited on while new work starts.
type inFlight struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed while n == 0
}

func (f *inFlight) start() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == 0 {
		f.idle = make(chan struct{})
	}
	f.n++
}

func (f *inFlight) done() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n--; f.n == 0 {
		close(f.idle)
	}
}

func (f *inFlight) wait(ctx context.Context) error {
	f.mu.Lock()
	idle := f.idle
	f.mu.Unlock()
	if idle == nil {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
