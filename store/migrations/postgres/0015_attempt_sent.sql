-- What a create sent QuickBooks (app.CreateInvoice): the invoice, as JSON,
-- stored before QuickBooks is asked to create it under the attempt's
-- requestid. A retry of the attempt sends exactly that again, so QuickBooks
-- answers its first answer, rather than checking the request anew against
-- what changed since (an item made inactive, a quote expired) and refusing
-- an invoice QuickBooks already made. NULL until then.

ALTER TABLE attempts ADD COLUMN sent BYTEA;
