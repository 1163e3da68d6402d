-- A create holds its attempt while it calls QuickBooks: claimed_until is
-- when the hold lapses ("" when never held), so a second request with the
-- same key waits for the first answer instead of calling QBO too, and a
-- crashed holder's attempt can be taken over once the hold lapses.
ALTER TABLE attempts ADD COLUMN claimed_until TEXT NOT NULL DEFAULT '';
