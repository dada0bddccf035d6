-- Synthetic notifications for the back office benchmark (bench/admin.sh):
-- a throw-away database only. :orgs organisations (default 2,000) and
-- :count notifications (default 100,000) spread over them, each with its
-- version, in every status, over three years of submissions; some cases
-- in review. Written straight into the tables, as no real data would be.
\set ON_ERROR_STOP on
\if :{?count}
\else
\set count 100000
\endif
\if :{?orgs}
\else
\set orgs 2000
\endif

CREATE FUNCTION pg_temp.h(i int, salt int) RETURNS int
LANGUAGE sql IMMUTABLE AS $$ SELECT abs(hashtext(i::text || ':' || salt::text)) $$;

INSERT INTO organisations (id, name, identifier_scheme, identifier_value, address, created_at)
SELECT md5('org' || i)::uuid,
       (ARRAY['Fjordvik','Bergen','Nordlys','Vestkyst','Solsiden','Fjellheim','Havbris','Bakkeby'])[1 + i % 8]
           || ' ' || (ARRAY['kommune','AS','Helse','Regnskap AS','Barnehage SA','Eiendom AS'])[1 + (i / 8) % 6]
           || ' ' || i,
       'no_orgnr', (900000000 + i)::text,
       '{"street": "Gate 1", "postal_code": "5001", "town": "Bergen", "country": "NO"}',
       timestamptz '2023-01-01 09:00+01'
FROM generate_series(1, :orgs) AS i;

CREATE TEMP TABLE seed AS
SELECT i,
       md5('n' || i)::uuid AS id,
       md5('org' || (1 + pg_temp.h(i, 1) % :orgs))::uuid AS organisation_id,
       timestamptz '2023-12-01 08:00+01' + (i::float / :count) * interval '1095 days' AS created_at,
       (ARRAY['registered','registered','registered','registered','awaiting_confirmation',
              'amendment_awaiting_confirmation','withdrawn','lapsed','expired','renewed'])
           [1 + pg_temp.h(i, 2) % 10] AS status,
       CASE WHEN pg_temp.h(i, 3) % 10 = 0 THEN 'helseregisterloven' ELSE 'personopplysningsloven' END AS law,
       (ARRAY['county_or_municipal','central_government','private','private'])[1 + pg_temp.h(i, 4) % 4] AS sector,
       (ARRAY['client_administration','personnel_administration','cctv','access_control','marketing',
              'research','health_services','financial_services','insurance','debt_collection'])
           [1 + pg_temp.h(i, 5) % 10] AS purpose
FROM generate_series(1, :count) AS i;

INSERT INTO notifications (id, number, organisation_id, status, registered_version, latest_version,
    journal, revision, law, legal_ground, sector, purpose, controller_name, description, start_date,
    created_at, updated_at, registered_at, expires_on)
SELECT id,
       to_char(created_at, 'YYYY') || '-' || lpad(i::text, 6, '0'),
       organisation_id, status,
       CASE WHEN status IN ('awaiting_confirmation', 'lapsed') THEN NULL ELSE 1 END,
       CASE WHEN status = 'amendment_awaiting_confirmation' THEN 2 ELSE 1 END,
       false, 1, law,
       CASE WHEN law = 'helseregisterloven' THEN 'health_register_local_regional' ELSE 'notification_duty' END,
       sector, purpose,
       (ARRAY['Fjordvik','Bergen','Nordlys','Vestkyst'])[1 + i % 4] || ' ' ||
           (ARRAY['Tannlege','Regnskap','Barnehage','Eiendom','Transport'])[1 + (i / 4) % 5] || ' AS',
       CASE WHEN i % 3 = 0 THEN 'Behandling av kundeopplysninger nr. ' || i END,
       (created_at + interval '60 days')::date,
       created_at, created_at,
       CASE WHEN status IN ('awaiting_confirmation', 'lapsed') THEN NULL ELSE created_at + interval '1 day' END,
       CASE WHEN status IN ('awaiting_confirmation', 'lapsed') THEN NULL
            ELSE (created_at + interval '1 day' + interval '3 years')::date END
FROM seed;

INSERT INTO notification_versions (notification_id, version, kind, content, content_digest,
    submitted_at, submitted_by_kind, submitted_by, state, confirmed_at)
SELECT id, 1, 'registration', jsonb_build_object('law', law, 'purpose', purpose, 'sector', sector),
       md5(id::text) || md5(id::text), created_at, 'user', organisation_id,
       CASE WHEN status IN ('awaiting_confirmation') THEN 'pending'
            WHEN status = 'lapsed' THEN 'lapsed' ELSE 'confirmed' END,
       CASE WHEN status IN ('awaiting_confirmation', 'lapsed') THEN NULL ELSE created_at + interval '1 day' END
FROM seed;

ANALYZE organisations;
ANALYZE notifications;
ANALYZE notification_versions;
SELECT count(*) AS notifications FROM notifications;
