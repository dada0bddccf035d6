\set i random(1, 281474976710655)
SELECT "users"."organisation_id", "users"."role" FROM "users" WHERE ("users"."id" = '0a9af407-dd43-4031-b57d-c3a52a78d3d8') LIMIT '1';
BEGIN;
SELECT "notifications"."number" FROM "notifications" WHERE ((("notifications"."organisation_id" = '52666e7a-0632-4f86-ac61-8c29a2af340d') AND ("notifications"."journal" = 't')) AND ("notifications"."status" = ANY('{awaiting_confirmation,registered,amendment_awaiting_confirmation,withdrawal_awaiting_confirmation}'))) LIMIT '1';
SELECT nextval('notification_number_seq') AS n
\gset
INSERT INTO "notifications" ("id", "created_at", "updated_at", "number", "organisation_id", "status", "latest_version", "journal", "previous_number", "law", "legal_ground", "sector", "purpose", "controller_name", "description", "start_date") VALUES (('00000000-0000-4000-8000-' || lpad(to_hex(:i::bigint), 12, '0'))::uuid, E'2026-12-03 17\07243\07202.9729+00', E'2026-12-03 17\07243\07202.9729+00', ('2026-' || lpad(:n::text, 6, '0')), '52666e7a-0632-4f86-ac61-8c29a2af340d', 'awaiting_confirmation', '1', 'f', NULL, 'personopplysningsloven', 'notification_duty', 'county_or_municipal', 'research', 'Fjordvik kommune', 'Kvalitetsstudie av hjemmetjenester.', '2027-02-01') RETURNING "notifications"."id", "notifications"."number", "notifications"."organisation_id", "notifications"."status", "notifications"."registered_version", "notifications"."latest_version", "notifications"."journal", "notifications"."key_hash", "notifications"."revision", "notifications"."law", "notifications"."legal_ground", "notifications"."sector", "notifications"."purpose", "notifications"."controller_name", "notifications"."description", "notifications"."start_date", "notifications"."previous_number", "notifications"."created_at", "notifications"."updated_at", "notifications"."registered_at", "notifications"."expires_on";
INSERT INTO notification_versions (notification_id, version, kind, content_digest, content,
    submitted_at, submitted_by_kind, submitted_by, state,
    controller_is_submitter, controller_verified)
SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(:i::bigint), 12, '0'))::uuid, '1', 'registration', '83df0dc31a19eb75fa9df3fdf8dacb3ca6a9458bde7f6e93630f87e567267d05', '{"law": "personopplysningsloven", "sector": "county_or_municipal", "purpose": "research", "language": "nb", "research": {"consent": "yes", "project_title": "Hjemmetjenester 2030", "project_end_date": "2033-12-31"}, "controller": {"name": "Fjordvik kommune", "phone": "+47 55 00 00 00", "address": {"town": "Bergen", "street": "Postboks 1", "country": "NO", "postal_code": "5001"}, "identifier": {"value": "974761467", "scheme": "no_orgnr"}, "responsible_title": "Kommunedirektør"}, "processors": [{"name": "Drift AS", "role": "data_processor", "country": "NO", "identifier": {"value": "983887457", "scheme": "no_orgnr"}}], "start_date": "2027-02-01", "description": "Kvalitetsstudie av hjemmetjenester.", "legal_ground": "notification_duty", "research_area": "health_services", "representative": null, "transfers_abroad": [{"country": "US", "legal_basis": "standard_contractual_clauses"}], "registration_kind": "first_registration", "confirmation_email": "personvern@fjordvik.kommune.no", "manual_register_only": false, "sensitive_categories": ["health"]}', E'2026-12-03 17\07243\07202.9729+00', 'user', '0a9af407-dd43-4031-b57d-c3a52a78d3d8', 'pending',
    COALESCE(o.identifier_scheme = '{"law": "personopplysningsloven", "sector": "county_or_municipal", "purpose": "research", "language": "nb", "research": {"consent": "yes", "project_title": "Hjemmetjenester 2030", "project_end_date": "2033-12-31"}, "controller": {"name": "Fjordvik kommune", "phone": "+47 55 00 00 00", "address": {"town": "Bergen", "street": "Postboks 1", "country": "NO", "postal_code": "5001"}, "identifier": {"value": "974761467", "scheme": "no_orgnr"}, "responsible_title": "Kommunedirektør"}, "processors": [{"name": "Drift AS", "role": "data_processor", "country": "NO", "identifier": {"value": "983887457", "scheme": "no_orgnr"}}], "start_date": "2027-02-01", "description": "Kvalitetsstudie av hjemmetjenester.", "legal_ground": "notification_duty", "research_area": "health_services", "representative": null, "transfers_abroad": [{"country": "US", "legal_basis": "standard_contractual_clauses"}], "registration_kind": "first_registration", "confirmation_email": "personvern@fjordvik.kommune.no", "manual_register_only": false, "sensitive_categories": ["health"]}'::jsonb #>> '{controller,identifier,scheme}'
        AND o.identifier_value = '{"law": "personopplysningsloven", "sector": "county_or_municipal", "purpose": "research", "language": "nb", "research": {"consent": "yes", "project_title": "Hjemmetjenester 2030", "project_end_date": "2033-12-31"}, "controller": {"name": "Fjordvik kommune", "phone": "+47 55 00 00 00", "address": {"town": "Bergen", "street": "Postboks 1", "country": "NO", "postal_code": "5001"}, "identifier": {"value": "974761467", "scheme": "no_orgnr"}, "responsible_title": "Kommunedirektør"}, "processors": [{"name": "Drift AS", "role": "data_processor", "country": "NO", "identifier": {"value": "983887457", "scheme": "no_orgnr"}}], "start_date": "2027-02-01", "description": "Kvalitetsstudie av hjemmetjenester.", "legal_ground": "notification_duty", "research_area": "health_services", "representative": null, "transfers_abroad": [{"country": "US", "legal_basis": "standard_contractual_clauses"}], "registration_kind": "first_registration", "confirmation_email": "personvern@fjordvik.kommune.no", "manual_register_only": false, "sensitive_categories": ["health"]}'::jsonb #>> '{controller,identifier,value}', false),
    COALESCE(o.identifier_scheme = '{"law": "personopplysningsloven", "sector": "county_or_municipal", "purpose": "research", "language": "nb", "research": {"consent": "yes", "project_title": "Hjemmetjenester 2030", "project_end_date": "2033-12-31"}, "controller": {"name": "Fjordvik kommune", "phone": "+47 55 00 00 00", "address": {"town": "Bergen", "street": "Postboks 1", "country": "NO", "postal_code": "5001"}, "identifier": {"value": "974761467", "scheme": "no_orgnr"}, "responsible_title": "Kommunedirektør"}, "processors": [{"name": "Drift AS", "role": "data_processor", "country": "NO", "identifier": {"value": "983887457", "scheme": "no_orgnr"}}], "start_date": "2027-02-01", "description": "Kvalitetsstudie av hjemmetjenester.", "legal_ground": "notification_duty", "research_area": "health_services", "representative": null, "transfers_abroad": [{"country": "US", "legal_basis": "standard_contractual_clauses"}], "registration_kind": "first_registration", "confirmation_email": "personvern@fjordvik.kommune.no", "manual_register_only": false, "sensitive_categories": ["health"]}'::jsonb #>> '{controller,identifier,scheme}'
        AND o.identifier_value = '{"law": "personopplysningsloven", "sector": "county_or_municipal", "purpose": "research", "language": "nb", "research": {"consent": "yes", "project_title": "Hjemmetjenester 2030", "project_end_date": "2033-12-31"}, "controller": {"name": "Fjordvik kommune", "phone": "+47 55 00 00 00", "address": {"town": "Bergen", "street": "Postboks 1", "country": "NO", "postal_code": "5001"}, "identifier": {"value": "974761467", "scheme": "no_orgnr"}, "responsible_title": "Kommunedirektør"}, "processors": [{"name": "Drift AS", "role": "data_processor", "country": "NO", "identifier": {"value": "983887457", "scheme": "no_orgnr"}}], "start_date": "2027-02-01", "description": "Kvalitetsstudie av hjemmetjenester.", "legal_ground": "notification_duty", "research_area": "health_services", "representative": null, "transfers_abroad": [{"country": "US", "legal_basis": "standard_contractual_clauses"}], "registration_kind": "first_registration", "confirmation_email": "personvern@fjordvik.kommune.no", "manual_register_only": false, "sensitive_categories": ["health"]}'::jsonb #>> '{controller,identifier,value}'
        AND o.verified_at IS NOT NULL
        AND 'user'::text = 'maskinporten', false)
FROM organisations o WHERE o.id = '52666e7a-0632-4f86-ac61-8c29a2af340d';
WITH counter AS (
             INSERT INTO event_counters (organisation_id, last) VALUES ('52666e7a-0632-4f86-ac61-8c29a2af340d', 1)
             ON CONFLICT (organisation_id) DO UPDATE SET last = event_counters.last + 1
             RETURNING last),
         event AS (
             INSERT INTO events (id, organisation_id, sequence, type, occurred_at, number, data)
             SELECT ('00000001-0000-4000-8000-' || lpad(to_hex(:i::bigint), 12, '0'))::uuid, '52666e7a-0632-4f86-ac61-8c29a2af340d', counter.last, 'notification.submitted', E'2026-12-03 17\07243\07202.9729+00', ('2026-' || lpad(:n::text, 6, '0')), '{"kind": "registration", "number": "2026-000017", "status": "awaiting_confirmation", "version": 1, "receipt_id": null}' FROM counter
             RETURNING id),
         deliveries AS (
    INSERT INTO webhook_deliveries
        (id, endpoint_id, event_id, message_id, event_type, state, next_attempt_at, created_at)
    SELECT gen_random_uuid(), w.id, event.id, event.id, 'notification.submitted', 'pending', E'2026-12-03 17\07243\07202.9729+00', E'2026-12-03 17\07243\07202.9729+00'
    FROM webhook_endpoints w, event
    WHERE w.organisation_id = '52666e7a-0632-4f86-ac61-8c29a2af340d' AND w.enabled
      AND (w.event_types IS NULL OR 'notification.submitted' = ANY (w.event_types)))
         SELECT counter.last, pg_notify('meldeplikt_events', '')::text AS woken FROM counter;
INSERT INTO rate_limits (key, window_start, used) VALUES (E'organisation-mail\07252666e7a-0632-4f86-ac61-8c29a2af340d', E'2026-12-03 17\07243\07202.9729+00', 1)
         ON CONFLICT (key) DO UPDATE SET
             used = CASE WHEN rate_limits.window_start <= E'2026-12-03 16\07243\07202.9729+00' THEN 1
                         ELSE rate_limits.used + 1 END,
             window_start = CASE WHEN rate_limits.window_start <= E'2026-12-03 16\07243\07202.9729+00' THEN E'2026-12-03 17\07243\07202.9729+00'
                                 ELSE rate_limits.window_start END
         RETURNING window_start, used;
INSERT INTO "confirmation_tokens" ("id", "notification_id", "token_hash", "action", "version", "created_at", "expires_at") VALUES (('00000002-0000-4000-8000-' || lpad(to_hex(:i::bigint), 12, '0'))::uuid, ('00000000-0000-4000-8000-' || lpad(to_hex(:i::bigint), 12, '0'))::uuid, sha256(('3-' || :i::text)::bytea), 'registration', '1', E'2026-12-03 17\07243\07202.9729+00', E'2026-12-17 17\07243\07202.9729+00');
INSERT INTO "outbox" ("id", "kind", "recipient", "subject", "body", "html_body", "attachment_name", "attachment", "about", "created_at", "next_attempt_at") VALUES (('00000004-0000-4000-8000-' || lpad(to_hex(:i::bigint), 12, '0'))::uuid, 'confirmation', 'personvern@fjordvik.kommune.no', 'Bekreft meldingen 2026-000017', E'Hei,

Fjordvik kommune har sendt meldingen 2026-000017 til Datatilsynet og oppgitt denne e-postadressen.
Meldingen er ikke gyldig før den er bekreftet herfra.

Se hva som er sendt inn, og bekreft\072
http\072//127.0.0.1\0728080/confirm/4fTRf2O0wYuiIsnwH5bccjYRXHQpK-p0wuuLbfoYi8s

Lenken kan brukes én gang og gjelder til og med 17. desember 2026.
Har du ikke sendt dette, kan du se bort fra e-posten.

Med vennlig hilsen
Datatilsynet
', E'<!doctype html>
<html lang="nb">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bekreft meldingen 2026-000017</title>
</head>
<body style="font-family\072system-ui,Arial,sans-serif;font-size\07216px;line-height\0721.5;color\072#1a1a1a;background\072#ffffff;max-width\07240rem;margin\0720 auto;padding\0721rem">
<p>Hei,</p>
<p>Fjordvik kommune har sendt meldingen 2026-000017 til Datatilsynet og oppgitt denne e-postadressen.<br>
Meldingen er ikke gyldig før den er bekreftet herfra.</p>
<p>Se hva som er sendt inn, og bekreft\072<br>
<a href="http\072//127.0.0.1\0728080/confirm/4fTRf2O0wYuiIsnwH5bccjYRXHQpK-p0wuuLbfoYi8s" style="color\072#1f4e79">http\072//127.0.0.1\0728080/confirm/4fTRf2O0wYuiIsnwH5bccjYRXHQpK-p0wuuLbfoYi8s</a></p>
<p>Lenken kan brukes én gang og gjelder til og med 17. desember 2026.<br>
Har du ikke sendt dette, kan du se bort fra e-posten.</p>
<p>Med vennlig hilsen<br>
Datatilsynet</p>
</body>
</html>', NULL, NULL, ('2026-' || lpad(:n::text, 6, '0')), E'2026-12-03 17\07243\07202.9729+00', E'2026-12-03 17\07243\07202.9729+00');
WITH head AS (
    SELECT last_id + 1 AS id, last_hash FROM audit_head FOR UPDATE
), entry AS (
    INSERT INTO audit_log (id, occurred_at, request_id, actor_kind, actor_id,
                           organisation_id, action, subject, details, prev_hash, hash)
    SELECT head.id, now(), ('00000005-0000-4000-8000-' || lpad(to_hex(:i::bigint), 12, '0'))::uuid, 'user', '0a9af407-dd43-4031-b57d-c3a52a78d3d8', '52666e7a-0632-4f86-ac61-8c29a2af340d', 'notification.submitted', E'notification\0722026-000017', '{"kind": "registration", "version": 1}', head.last_hash,
           audit_entry_hash(head.id, now(), ('00000005-0000-4000-8000-' || lpad(to_hex(:i::bigint), 12, '0'))::uuid::text, 'user'::text, '0a9af407-dd43-4031-b57d-c3a52a78d3d8'::uuid, '52666e7a-0632-4f86-ac61-8c29a2af340d'::uuid, 'notification.submitted'::text,
                            E'notification\0722026-000017'::text, '{"kind": "registration", "version": 1}'::jsonb, head.last_hash)
    FROM head
    RETURNING id, hash
)
UPDATE audit_head SET last_id = entry.id, last_hash = entry.hash FROM entry;
COMMIT;
