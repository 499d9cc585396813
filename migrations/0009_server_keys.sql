-- Secrets of this installation, created on first start. `form_tokens` signs the CSRF
-- tokens of the sign-in and set-up forms, which are shown before there is a session (so
-- a visit to the sign-in page writes nothing); kept here so that a restart does not
-- invalidate forms that are open in browsers.
CREATE TABLE server_keys (
    name   TEXT PRIMARY KEY,
    secret TEXT NOT NULL
) WITHOUT ROWID;
