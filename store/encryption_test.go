package store_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

func TestTokensEncryptedAtRest(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		c := mustSaveConnection(t, s, 1, "111")
		portal := app.Portal{ID: 1, Tokens: tokens("portal")}
		if err := s.SavePortal(ctx, portal); err != nil {
			t.Fatalf("SavePortal: %v", err)
		}

		for _, tc := range []struct {
			table, id string
			tokens    app.Tokens
		}{
			{"connections", "'" + c.ID + "'", c.Tokens},
			{"portals", "1", portal.Tokens},
		} {
			var access, refresh []byte
			if err := store.DB(s).QueryRowContext(ctx,
				"SELECT access_token, refresh_token FROM "+tc.table+" WHERE id = "+tc.id).Scan(&access, &refresh); err != nil {
				t.Fatalf("read raw %s tokens: %v", tc.table, err)
			}
			for _, v := range []struct {
				raw   []byte
				plain string
			}{{access, tc.tokens.Access}, {refresh, tc.tokens.Refresh}} {
				if bytes.Contains(v.raw, []byte(v.plain)) || bytes.Contains(v.raw, []byte(v.plain[:12])) {
					t.Errorf("%s: the stored column contains the plaintext token", tc.table)
				}
				if want := 12 + len(v.plain) + 16; len(v.raw) != want {
					t.Errorf("%s: stored %d bytes, want nonce+ciphertext+tag = %d", tc.table, len(v.raw), want)
				}
			}
		}

		// The same token saved twice is sealed under a fresh nonce.
		rawAccess := func() []byte {
			t.Helper()
			var raw []byte
			if err := store.DB(s).QueryRowContext(ctx, "SELECT access_token FROM connections WHERE id = $1", c.ID).Scan(&raw); err != nil {
				t.Fatalf("read raw token: %v", err)
			}
			return raw
		}
		before := rawAccess()
		mustSaveConnection(t, s, 1, "111")
		if bytes.Equal(before, rawAccess()) {
			t.Errorf("the same token saved twice has the same ciphertext: nonces are reused")
		}
	})
}

// TestSwappedCiphertext copies ciphertexts between rows and columns: each
// is bound to its row and column, so none decrypts, and the error names
// neither token.
func TestSwappedCiphertext(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		a := mustSaveConnection(t, s, 1, "111")
		b := mustSaveConnection(t, s, 1, "222")
		p := app.Portal{ID: 1, Tokens: tokens("portal")}
		if err := s.SavePortal(ctx, p); err != nil {
			t.Fatalf("SavePortal: %v", err)
		}
		db := store.DB(s)
		exec := func(query string, args ...any) {
			t.Helper()
			if _, err := db.ExecContext(ctx, query, args...); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		}
		secrets := []string{a.Tokens.Access, a.Tokens.Refresh, b.Tokens.Access, b.Tokens.Refresh, p.Tokens.Access, p.Tokens.Refresh}
		wantUnreadable := func(what string, err error) {
			t.Helper()
			if err == nil {
				t.Fatalf("%s: read succeeded, want a decryption error", what)
			}
			if app.ErrorCode(err) != app.Internal {
				t.Errorf("%s: code %q, want internal", what, app.ErrorCode(err))
			}
			for _, secret := range secrets {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("%s: the error %q contains a token", what, err)
				}
			}
		}

		// a's refresh token into b's row.
		exec("UPDATE connections SET refresh_token = (SELECT refresh_token FROM connections WHERE id = $1) WHERE id = $2", a.ID, b.ID)
		_, err := s.Connection(ctx, 1, b.ID)
		wantUnreadable("another row's refresh token", err)
		_, err = s.Connections(ctx, 1)
		wantUnreadable("Connections with a swapped token", err)

		// a's own access token into its refresh column.
		exec("UPDATE connections SET refresh_token = access_token WHERE id = $1", a.ID)
		_, err = s.Connection(ctx, 1, a.ID)
		wantUnreadable("the access token in the refresh column", err)

		// A connection's token into the portal with the same-looking id.
		exec("UPDATE portals SET access_token = (SELECT access_token FROM connections WHERE id = $1) WHERE id = 1", a.ID)
		_, err = s.Portal(ctx, 1)
		wantUnreadable("a connection's token in a portal", err)

		// Saving fresh tokens repairs a row.
		if err := s.SaveTokens(ctx, b.ID, tokens("new")); err != nil {
			t.Fatalf("SaveTokens: %v", err)
		}
		if got, err := s.Connection(ctx, 1, b.ID); err != nil || got.Tokens.Refresh != tokens("new").Refresh {
			t.Errorf("after SaveTokens: %v", err)
		}
	})
}

func TestWrongKey(t *testing.T) {
	t.Parallel()
	forEachConfig(t, func(t *testing.T, cfg store.Config) {
		s, err := store.Open(t.Context(), cfg)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		mustSaveConnection(t, s, 1, "111")
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}

		wrong := cfg
		wrong.EncryptionKey = newKey(t)
		s, err = store.Open(t.Context(), wrong)
		if err == nil {
			s.Close()
			t.Fatal("Open with another key succeeded")
		}
		if !errors.Is(err, store.ErrKeyMismatch) {
			t.Errorf("Open with another key: %v, want ErrKeyMismatch", err)
		}
		const msg = "ENCRYPTION_KEY does not match the key this database was encrypted with"
		if !strings.Contains(err.Error(), msg) {
			t.Errorf("Open with another key: %q, want it to say %q", err, msg)
		}

		// The right key still opens it, and the data is intact.
		s = mustOpen(t, cfg)
		if cs, err := s.Connections(t.Context(), 1); err != nil || len(cs) != 1 {
			t.Errorf("Connections after reopening = %v, %v", cs, err)
		}
	})
}

func TestKeyLength(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 16, 31, 33, 64} {
		_, err := store.Open(t.Context(), store.Config{
			SQLitePath:    t.TempDir() + "/never.db",
			EncryptionKey: make([]byte, n),
		})
		if err == nil || !strings.Contains(err.Error(), "ENCRYPTION_KEY must be 32 bytes") {
			t.Errorf("Open with a %d-byte key: %v, want a 32-byte key error", n, err)
		}
	}
}
