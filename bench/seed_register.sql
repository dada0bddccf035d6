-- Synthetic entries for the register benchmark (bench/register.sh): a
-- throw-away database only, never a real one. Writes the projection the
-- way src/register/projection.rs does (the same columns and the same
-- search vector), with varied Norwegian names: a place, a trade and a form
-- ("Bergen Tannlegesenter AS", "Stiftelsen Fjordbarnehagen"), processors
-- from a list of suppliers, and the codes spread as in a real register.
-- psql variable: count (default 100000).
\set ON_ERROR_STOP on
\if :{?count}
\else
\set count 100000
\endif

CREATE FUNCTION pg_temp.h(i int, salt int) RETURNS int
LANGUAGE sql IMMUTABLE AS $$ SELECT abs(hashtext(i::text || ':' || salt::text)) $$;

CREATE TEMP TABLE words AS SELECT
  ARRAY['Oslo','Bergen','Trondheim','Stavanger','Tromsø','Bodø','Ålesund','Drammen','Fredrikstad',
        'Kristiansand','Sandnes','Sarpsborg','Skien','Haugesund','Tønsberg','Moss','Porsgrunn',
        'Arendal','Hamar','Lillehammer','Gjøvik','Molde','Harstad','Alta','Narvik','Kongsberg',
        'Halden','Larvik','Steinkjer','Levanger','Namsos','Mo','Mosjøen','Førde','Florø','Voss',
        'Odda','Stord','Leirvik','Egersund','Flekkefjord','Mandal','Grimstad','Risør','Kragerø',
        'Notodden','Rjukan','Elverum','Kongsvinger','Jessheim','Lillestrøm','Ski','Asker','Bærum',
        'Sandvika','Hønefoss','Jevnaker','Fjordvik','Nordlys','Solsiden','Fjellheim','Havbris',
        'Vestkyst','Østlandet','Midtnorsk','Sørlandet','Nordvest','Vikfjord','Bakkeby','Lysheim'] AS places,
  ARRAY['Barnehage','Tannlegesenter','Legekontor','Regnskap','Revisjon','Eiendom','Bygg','Rørlegger',
        'Elektro','Transport','Bilverksted','Frisør','Treningssenter','Apotek','Advokatfirma',
        'Forsikring','Inkasso','Sparebank','Boligbyggelag','Hotell','Restaurant','Bakeri','Fiskeri',
        'Skole','Fysioterapi','Psykologsenter','Veterinær','Optiker','Sikkerhet','Vakt','Rekruttering',
        'Bemanning','Kommunikasjon','Reklame','Data','IT-drift','Konsult','Arkitekter','Ingeniører',
        'Helsesenter','Sykehjem','Hjemmetjeneste','Omsorg','Idrettslag','Musikkskole','Kulturhus',
        'Bibliotek','Borettslag','Sameie','Stiftelse'] AS trades,
  ARRAY['AS','AS','AS','AS','ASA','SA','DA','ANS','kommune','stiftelse','forening','IKS','KF'] AS forms,
  ARRAY['Visma Software AS','Tietoevry Norway AS','Microsoft Ireland Operations Ltd','Amazon Web Services EMEA SARL',
        'Google Cloud EMEA Ltd','Evry Drift AS','Atea AS','Crayon AS','Basefarm AS','Sikt','Norsk Helsenett SF',
        'DIPS AS','Helseplattformen AS','Fiken AS','Tripletex AS','PowerOffice AS','Intility AS',
        'Lyse Tele AS','Telenor Norge AS','Telia Norge AS','Dustin Norway AS','Sopra Steria AS',
        'Bouvet Norge AS','Netlife AS'] AS suppliers,
  ARRAY['NO','NO','NO','NO','SE','DK','IE','DE','FI','NL'] AS supplier_countries,
  ARRAY['US','GB','IN','CH','JP','CA'] AS far;

CREATE TEMP TABLE seed AS
SELECT i,
       w.places[1 + (pg_temp.h(i, 1) % cardinality(w.places))] AS place,
       w.trades[1 + (pg_temp.h(i, 2) % cardinality(w.trades))] AS trade,
       w.forms[1 + (pg_temp.h(i, 3) % cardinality(w.forms))] AS form,
       w.suppliers[1 + (pg_temp.h(i, 4) % cardinality(w.suppliers))] AS supplier,
       w.supplier_countries[1 + (pg_temp.h(i, 5) % cardinality(w.supplier_countries))] AS supplier_country,
       CASE WHEN pg_temp.h(i, 6) % 5 = 0 THEN ARRAY[w.far[1 + (pg_temp.h(i, 7) % cardinality(w.far))]]
            ELSE '{}'::text[] END AS transfers,
       pg_temp.h(i, 8) % 100 AS spread
FROM generate_series(1, :count) AS i, words w;

INSERT INTO register_entries (
    number, version, controller_name, controller_identifier_scheme,
    controller_identifier_value, law, legal_ground, sector, purpose, research_area,
    start_date, first_registered_at, last_confirmed_at, expires_on, processors,
    transfer_countries, search)
SELECT number, version, name, 'no_orgnr', orgnr, law, legal_ground, sector, purpose,
       CASE WHEN purpose = 'research' THEN 'health_services' END,
       registered::date + 30, registered, registered + (version - 1) * interval '40 days',
       (registered + (version - 1) * interval '40 days')::date + 1095,
       jsonb_build_array(jsonb_build_object('name', supplier, 'country', supplier_country)),
       transfers,
       setweight(to_tsvector('norwegian', name), 'A')
       || setweight(to_tsvector('norwegian', ''), 'B')
       || setweight(to_tsvector('norwegian', supplier), 'C')
FROM (
    SELECT i, supplier, supplier_country, transfers,
           CASE WHEN form IN ('kommune', 'IKS', 'KF') THEN place || ' ' || trade || ' ' || form
                WHEN form = 'stiftelse' THEN 'Stiftelsen ' || place || ' ' || lower(trade)
                WHEN form = 'forening' THEN place || ' ' || lower(trade) || 'forening'
                ELSE place || ' ' || trade || ' ' || form END AS name,
           (2020 + i % 7)::text || '-' || lpad(i::text, 6, '0') AS number,
           (800000000 + i * 7)::text AS orgnr,
           1 + spread % 3 AS version,
           CASE WHEN spread < 8 THEN 'helseregisterloven' ELSE 'personopplysningsloven' END AS law,
           CASE WHEN spread < 8 THEN 'health_register_local_regional' ELSE 'notification_duty' END AS legal_ground,
           CASE WHEN form IN ('kommune', 'IKS', 'KF') THEN 'county_or_municipal'
                WHEN spread < 8 THEN 'central_government' ELSE 'private' END AS sector,
           (ARRAY['client_administration','personnel_administration','cctv','access_control','marketing',
                  'research','health_services','financial_services','insurance','debt_collection'])
               [1 + pg_temp.h(i, 9) % 10] AS purpose,
           timestamptz '2020-01-01 09:00+01' + (i % 7) * interval '365 days'
               + (pg_temp.h(i, 10) % 360) * interval '1 day' + (i % 86400) * interval '1 second' AS registered
    FROM seed
) s;

INSERT INTO register_changes (number, change, version, at)
SELECT number, 'added', version, last_confirmed_at FROM register_entries ORDER BY last_confirmed_at, number;

ANALYZE register_entries;
SELECT count(*) AS entries FROM register_entries;
