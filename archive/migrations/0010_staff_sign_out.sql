-- Signing out ends a staff user's sessions on the server: a session cookie kept from before (copied,
-- or left in another browser) no longer opens the staff app. NULL: never signed out.
ALTER TABLE staff_users ADD COLUMN signed_out_at TEXT;
