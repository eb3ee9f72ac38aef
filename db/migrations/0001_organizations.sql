-- A slug is shaped like a DNS label (lowercase, 1-63 characters, no hyphen at either end) so it
-- can go into URLs and host names without escaping.
CREATE TABLE organizations (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug         text        NOT NULL UNIQUE
                             CONSTRAINT organizations_slug_format
                             CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
    display_name text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
