// The one place that names the backend. It must also be listed in
// src/app/app-hsmeta.json → config.permittedUrls.fetch.
export const BACKEND_URL = 'https://invoices.example.com';

// hubspot.fetch's own limit is 15 s (older docs: `timeout` can only lower it).
export const FETCH_TIMEOUT_MS = 15000;
