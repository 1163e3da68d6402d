package server

import (
	"encoding/base64"
	"strconv"
	"testing"
)

func mustMillis(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func encode(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
