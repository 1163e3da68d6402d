-- The company's multicurrency setting (Preferences.CurrencyPrefs.
-- MultiCurrencyEnabled), read at connect and again on a Preferences change
-- like the other company fields of 0001, so that a draft or create in a
-- currency other than the home one says so before QuickBooks refuses it.
--
-- Rows from before are taken as off until the company is connected again
-- or its preferences change; QuickBooks still decides at create.

ALTER TABLE connections ADD COLUMN multi_currency BOOLEAN NOT NULL DEFAULT FALSE;
