-- A portal's install state: installed; needs_reinstall when HubSpot refused
-- its refresh token (the app was uninstalled or access revoked in
-- HubSpot); uninstalled when the admin uninstalled it through this app.
-- The latter two have no tokens.

ALTER TABLE portals ADD COLUMN state TEXT NOT NULL DEFAULT 'installed';
