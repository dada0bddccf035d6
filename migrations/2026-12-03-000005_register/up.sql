-- The public register (fortegnelse): a projection that holds only what the
-- register may show, written by the same transaction as the confirmation,
-- withdrawal, renewal or expiry that changes it, and a feed of its changes
-- for mirrors.

CREATE TABLE register_entries (
    number                         TEXT PRIMARY KEY,
    -- The confirmed version shown.
    version                        INTEGER NOT NULL CHECK (version >= 1),
    controller_name                TEXT NOT NULL,
    controller_identifier_scheme   TEXT NOT NULL,
    controller_identifier_value    TEXT NOT NULL,
    controller_identifier_country  TEXT,
    representative_name            TEXT,
    representative_identifier_scheme  TEXT,
    representative_identifier_value   TEXT,
    representative_identifier_country TEXT,
    law                            TEXT NOT NULL,
    legal_ground                   TEXT NOT NULL,
    sector                         TEXT NOT NULL,
    purpose                        TEXT NOT NULL,
    research_area                  TEXT,
    start_date                     DATE NOT NULL,
    first_registered_at            TIMESTAMPTZ NOT NULL,
    last_confirmed_at              TIMESTAMPTZ NOT NULL,
    expires_on                     DATE NOT NULL,
    -- [{"name": …, "country": …}]: the names and countries, nothing else.
    processors                     JSONB NOT NULL DEFAULT '[]',
    transfer_countries             TEXT[] NOT NULL DEFAULT '{}',
    transfers_abroad               BOOLEAN NOT NULL GENERATED ALWAYS AS (cardinality(transfer_countries) > 0) STORED,
    -- The identifiers a search by identifier matches.
    identifiers                    TEXT[] NOT NULL GENERATED ALWAYS AS (
        array_remove(ARRAY[controller_identifier_value, representative_identifier_value], NULL)
    ) STORED,
    -- Words of the names, Norwegian stemming: controller A, representative
    -- B, processors C.
    search                         TSVECTOR NOT NULL
);

CREATE INDEX register_entries_search_idx ON register_entries USING GIN (search);
CREATE INDEX register_entries_identifiers_idx ON register_entries USING GIN (identifiers);
CREATE INDEX register_entries_registered_idx ON register_entries (first_registered_at DESC, number DESC);

-- What changed in the register, in the order it was committed: the writer
-- holds a transaction-level lock from its sequence number to its commit.
CREATE TABLE register_changes (
    sequence   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number     TEXT NOT NULL,
    change     TEXT NOT NULL CHECK (change IN ('added', 'changed', 'removed')),
    -- The version the register shows after the change; none once removed.
    version    INTEGER CHECK ((change = 'removed') = (version IS NULL)),
    at         TIMESTAMPTZ NOT NULL
);

CREATE TRIGGER register_changes_append_only
    BEFORE UPDATE OR DELETE ON register_changes
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- What is registered now enters the register.
WITH current AS (
    SELECT n.number, n.registered_version AS version, n.registered_at, n.expires_on,
           v.content AS c, v.confirmed_at
    FROM notifications n
    JOIN notification_versions v
      ON v.notification_id = n.id AND v.version = n.registered_version
    WHERE n.status IN ('registered', 'amendment_awaiting_confirmation',
                       'withdrawal_awaiting_confirmation')
)
INSERT INTO register_entries (
    number, version, controller_name, controller_identifier_scheme,
    controller_identifier_value, controller_identifier_country,
    representative_name, representative_identifier_scheme,
    representative_identifier_value, representative_identifier_country,
    law, legal_ground, sector, purpose, research_area, start_date,
    first_registered_at, last_confirmed_at, expires_on, processors,
    transfer_countries, search)
SELECT number, version,
       c #>> '{controller,name}', c #>> '{controller,identifier,scheme}',
       c #>> '{controller,identifier,value}', c #>> '{controller,identifier,country}',
       c #>> '{representative,name}', c #>> '{representative,identifier,scheme}',
       c #>> '{representative,identifier,value}', c #>> '{representative,identifier,country}',
       c ->> 'law', c ->> 'legal_ground', c ->> 'sector', c ->> 'purpose',
       c ->> 'research_area', (c ->> 'start_date')::date,
       registered_at, confirmed_at, expires_on,
       COALESCE((SELECT jsonb_agg(jsonb_build_object('name', p ->> 'name', 'country', p ->> 'country'))
                 FROM jsonb_array_elements(c -> 'processors') p), '[]'),
       ARRAY(SELECT DISTINCT t ->> 'country' FROM jsonb_array_elements(c -> 'transfers_abroad') t
             ORDER BY 1),
       setweight(to_tsvector('norwegian', c #>> '{controller,name}'), 'A')
       || setweight(to_tsvector('norwegian', COALESCE(c #>> '{representative,name}', '')), 'B')
       || setweight(to_tsvector('norwegian', COALESCE(
              (SELECT string_agg(p ->> 'name', ' ') FROM jsonb_array_elements(c -> 'processors') p),
              '')), 'C')
FROM current;

INSERT INTO register_changes (number, change, version, at)
SELECT number, 'added', version, last_confirmed_at
FROM register_entries
ORDER BY last_confirmed_at, number;
