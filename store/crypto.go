package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// KeySize is the length of Config.EncryptionKey: AES-256.
const KeySize = 32

// sealer encrypts tokens with AES-256-GCM. A sealed value is the random
// 12-byte nonce followed by the ciphertext and tag. The additional data
// names the row and the column ("connection:<id>:refresh"), so a value
// copied to another row or column fails to open.
type sealer struct {
	aead cipher.AEAD
}

func newSealer(key []byte) (*sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("ENCRYPTION_KEY must be %d bytes (AES-256), got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("ENCRYPTION_KEY: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("ENCRYPTION_KEY: %w", err)
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(plaintext, aad string) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	rand.Read(nonce) // never fails; crashes the program if the system has no randomness
	return s.aead.Seal(nonce, nonce, []byte(plaintext), []byte(aad))
}

// errUnsealable is the only error open returns: it says nothing of the value.
var errUnsealable = errors.New("encrypted value does not open with this key for this row")

func (s *sealer) open(sealed []byte, aad string) (string, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return "", errUnsealable
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(aad))
	if err != nil {
		return "", errUnsealable
	}
	return string(plain), nil
}

// sealedTokens is the at-rest form of the secret half of app.Tokens.
type sealedTokens struct {
	access, refresh []byte
}

// sealTokens encrypts t's tokens for the row named owner, e.g.
// "connection:<id>" or "portal:<id>".
func (s *sealer) sealTokens(owner string, t app.Tokens) sealedTokens {
	return sealedTokens{
		access:  s.seal(t.Access, owner+":access"),
		refresh: s.seal(t.Refresh, owner+":refresh"),
	}
}

// openTokens decrypts the tokens of the row named owner into t.
func (s *sealer) openTokens(owner string, st sealedTokens, t *app.Tokens) error {
	var err error
	if t.Access, err = s.open(st.access, owner+":access"); err != nil {
		return fmt.Errorf("decrypt %s access token: %w", owner, err)
	}
	if t.Refresh, err = s.open(st.refresh, owner+":refresh"); err != nil {
		return fmt.Errorf("decrypt %s refresh token: %w", owner, err)
	}
	return nil
}
