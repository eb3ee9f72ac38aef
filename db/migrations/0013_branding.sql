-- What the end-user pages show of an organisation besides its display name: an optional logo (an https URL; the
-- pages' CSP allows its origin as the only image source) and an accent colour for buttons and links (#rrggbb; the
-- admin API refuses colours white text is unreadable on). And a client's home page (RFC 7591 client_uri), which the
-- signed-out page links back to.
ALTER TABLE organizations
    ADD COLUMN logo_uri text,
    ADD COLUMN accent_color text,
    ADD CONSTRAINT organizations_logo_uri_length CHECK (length(logo_uri) <= 2000),
    ADD CONSTRAINT organizations_accent_color_format CHECK (accent_color ~ '^#[0-9a-f]{6}$');

ALTER TABLE clients
    ADD COLUMN client_uri text,
    ADD CONSTRAINT clients_client_uri_length CHECK (length(client_uri) <= 2000);
