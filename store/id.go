package store

import (
	"crypto/rand"
	"encoding/hex"
)

// newID returns a random 128-bit id in hex.
func newID() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails; crashes the program if the system has no randomness
	return hex.EncodeToString(b)
}
