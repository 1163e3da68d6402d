package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/config"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

// rotateKeyUsage is printed for rotate-key -h and for arguments.
const rotateKeyUsage = `usage: hubspot-quickbooks rotate-key

Re-encrypts every stored token from ENCRYPTION_KEY to NEW_ENCRYPTION_KEY in
one transaction. Stop every replica first; afterwards start them with
ENCRYPTION_KEY set to the new key (the old one no longer opens the database).

  ENCRYPTION_KEY       the current key, as serve reads it
  NEW_ENCRYPTION_KEY   the key to rotate to: 32 random bytes, standard base64 (openssl rand -base64 32)
  DATABASE_URL         as serve reads it; unset for the SQLite file data/hubspot-quickbooks.db
`

// rotateKeyPlaceholders stand in for serve's required variables that
// rotate-key does not use, so config.Load (and its reading of
// ENCRYPTION_KEY and DATABASE_URL, exactly as serve reads them) accepts
// either serve's whole environment or just the variables above. A variable
// that is set is still read and checked, as serve would.
var rotateKeyPlaceholders = map[string]string{
	"PUBLIC_BASE_URL":            "https://rotate-key.invalid",
	"HUBSPOT_APP_ID":             "1",
	"HUBSPOT_CLIENT_ID":          "unused-by-rotate-key",
	"HUBSPOT_CLIENT_SECRET":      "unused-by-rotate-key",
	"QBO_CLIENT_ID":              "unused-by-rotate-key",
	"QBO_CLIENT_SECRET":          "unused-by-rotate-key",
	"QBO_WEBHOOK_VERIFIER_TOKEN": "unused-by-rotate-key",
}

// runRotateKey re-seals the database's tokens under NEW_ENCRYPTION_KEY. It
// prints counts, never a key or a token.
func runRotateKey(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
			fmt.Fprint(stdout, rotateKeyUsage)
			return nil
		}
		// Keys are never taken as arguments: they would show in ps and in
		// shell history.
		fmt.Fprintf(stderr, "rotate-key takes no arguments; it is configured by the environment\n%s", rotateKeyUsage)
		return errUsage
	}
	cfg, err := config.Load(config.WithDefaults(getenv, rotateKeyPlaceholders))
	if err != nil {
		return err
	}
	newKey, err := newEncryptionKey(getenv)
	if err != nil {
		return err
	}

	where := "the SQLite file " + cfg.SQLitePath
	if cfg.DatabaseURL.Value() != "" {
		where = "the PostgreSQL database of DATABASE_URL" // the URL may hold a password
	}
	report, err := store.RotateKey(ctx, store.Config{
		DatabaseURL:   cfg.DatabaseURL.Value(),
		SQLitePath:    cfg.SQLitePath,
		EncryptionKey: cfg.EncryptionKeyBytes(),
	}, newKey)
	if errors.Is(err, store.ErrKeyMismatch) {
		return fmt.Errorf("rotate the key of %s: neither ENCRYPTION_KEY nor NEW_ENCRYPTION_KEY opens it; nothing was changed: %w", where, err)
	}
	if err != nil {
		return fmt.Errorf("rotate the key of %s: %w", where, err)
	}
	if report.AlreadyRotated {
		fmt.Fprintf(stdout, "Nothing to re-seal: %s is already encrypted with NEW_ENCRYPTION_KEY.\n", where)
		fmt.Fprintln(stdout, "Start the replicas with ENCRYPTION_KEY set to the value of NEW_ENCRYPTION_KEY.")
		return nil
	}
	fmt.Fprintf(stdout, "Re-encrypted %s with NEW_ENCRYPTION_KEY, in one transaction:\n", where)
	for _, t := range report.Tables {
		fmt.Fprintf(stdout, "  %-12s %d re-sealed (%d tokens)\n", t.Table+":", t.Rows, t.Values)
	}
	fmt.Fprintln(stdout, "  key check:   re-sealed")
	fmt.Fprintln(stdout, "ENCRYPTION_KEY no longer opens this database: start the replicas with ENCRYPTION_KEY set to the value of NEW_ENCRYPTION_KEY.")
	return nil
}

// newEncryptionKey reads NEW_ENCRYPTION_KEY the way config reads
// ENCRYPTION_KEY: trimmed, standard base64, 32 bytes. Errors never quote it.
func newEncryptionKey(getenv env) ([]byte, error) {
	const want = "32 random bytes in standard base64 (openssl rand -base64 32)"
	v, _ := getenv("NEW_ENCRYPTION_KEY")
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, fmt.Errorf("configuration: NEW_ENCRYPTION_KEY is required: the key to rotate to, %s", want)
	}
	key, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(key) != store.KeySize {
		return nil, fmt.Errorf("configuration: NEW_ENCRYPTION_KEY must be %s", want)
	}
	return key, nil
}
