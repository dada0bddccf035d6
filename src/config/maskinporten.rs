//! The settings of Maskinporten: off without an issuer.

use std::path::PathBuf;
use std::time::Duration;

use super::BadSetting;
use crate::auth::maskinporten::{JwksSource, MaskinportenSettings};

/// The scope a Maskinporten token needs unless configured otherwise.
pub const DEFAULT_MASKINPORTEN_SCOPE: &str = "datatilsynet:meldeplikt";

/// The Maskinporten settings: off without an issuer; with one, exactly
/// one source of keys, a scope of printable characters, and an issuer
/// that is not the service itself.
pub(super) fn read(
    get: &impl Fn(&str) -> Option<String>,
    bad: &mut Vec<BadSetting>,
    public_url: &str,
) -> Option<MaskinportenSettings> {
    const ISSUER: &str = "MELDEPLIKT_MASKINPORTEN_ISSUER";
    const URL: &str = "MELDEPLIKT_MASKINPORTEN_JWKS_URL";
    const FILE: &str = "MELDEPLIKT_MASKINPORTEN_JWKS_FILE";
    const SCOPE: &str = "MELDEPLIKT_MASKINPORTEN_SCOPE";
    const AUDIENCE: &str = "MELDEPLIKT_MASKINPORTEN_AUDIENCE";
    let mut problem = |variable, problem: &str| {
        bad.push(BadSetting {
            variable,
            problem: problem.to_owned(),
        })
    };
    let Some(issuer) = get(ISSUER).map(|v| v.trim().to_owned()) else {
        for variable in [URL, FILE, SCOPE, AUDIENCE] {
            if get(variable).is_some() {
                problem(
                    variable,
                    "is set, but MELDEPLIKT_MASKINPORTEN_ISSUER is not",
                );
            }
        }
        return None;
    };
    if !issuer.starts_with("https://") && !is_loopback_url(&issuer) {
        problem(ISSUER, "must be an https:// URL");
    }
    if issuer.trim_end_matches('/') == public_url {
        problem(
            ISSUER,
            "must not be the service's own issuer (MELDEPLIKT_PUBLIC_URL)",
        );
    }
    let jwks = match (get(URL), get(FILE)) {
        (Some(url), None) => {
            let url = url.trim().to_owned();
            if !url.starts_with("https://") && !is_loopback_url(&url) {
                problem(
                    URL,
                    "must be an https:// URL (http:// only to this machine)",
                );
            }
            Some(JwksSource::Url(url))
        }
        (None, Some(file)) => {
            let file = PathBuf::from(file.trim());
            if !file.is_file() {
                problem(FILE, &format!("{} is not a readable file", file.display()));
            }
            Some(JwksSource::File(file))
        }
        (Some(_), Some(_)) => {
            problem(
                URL,
                "and MELDEPLIKT_MASKINPORTEN_JWKS_FILE are both set; set one",
            );
            None
        }
        (None, None) => {
            problem(
                URL,
                "or MELDEPLIKT_MASKINPORTEN_JWKS_FILE must be set with the issuer",
            );
            None
        }
    };
    let scope = get(SCOPE)
        .map(|v| v.trim().to_owned())
        .unwrap_or_else(|| DEFAULT_MASKINPORTEN_SCOPE.to_owned());
    if !scope
        .chars()
        .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\')
    {
        problem(
            SCOPE,
            "must be one scope: printable characters, no spaces or quotes",
        );
    }
    Some(MaskinportenSettings {
        issuer,
        jwks: jwks?,
        scope,
        audience: get(AUDIENCE).map(|v| v.trim().to_owned()),
        jwks_min_refresh: Duration::from_secs(30),
    })
}

/// `http://` to this machine, for tests and development.
fn is_loopback_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(
        vars: &[(&str, &str)],
    ) -> Result<super::super::Settings, super::super::ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        super::super::Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn maskinporten_is_off_unless_an_issuer_is_set_and_checked_when_it_is() {
        assert!(settings(&[]).unwrap().maskinporten.is_none());
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("jwks.json");
        std::fs::write(&file, "{}").unwrap();
        let file = file.to_str().unwrap();
        let on = settings(&[
            ("MELDEPLIKT_MASKINPORTEN_ISSUER", "https://maskinporten.no/"),
            ("MELDEPLIKT_MASKINPORTEN_JWKS_FILE", file),
        ])
        .unwrap()
        .maskinporten
        .unwrap();
        assert_eq!(on.scope, "datatilsynet:meldeplikt");
        assert_eq!(on.audience, None);
        assert_eq!(on.jwks, JwksSource::File(file.into()));

        let cases: &[(&[(&str, &str)], &str)] = &[
            (
                &[(
                    "MELDEPLIKT_MASKINPORTEN_JWKS_URL",
                    "https://maskinporten.no/jwk",
                )],
                "MELDEPLIKT_MASKINPORTEN_JWKS_URL",
            ),
            (
                &[("MELDEPLIKT_MASKINPORTEN_ISSUER", "https://maskinporten.no/")],
                "MELDEPLIKT_MASKINPORTEN_JWKS_URL",
            ),
            (
                &[
                    ("MELDEPLIKT_MASKINPORTEN_ISSUER", "https://maskinporten.no/"),
                    (
                        "MELDEPLIKT_MASKINPORTEN_JWKS_URL",
                        "http://maskinporten.no/jwk",
                    ),
                ],
                "MELDEPLIKT_MASKINPORTEN_JWKS_URL",
            ),
            (
                &[
                    ("MELDEPLIKT_MASKINPORTEN_ISSUER", "https://maskinporten.no/"),
                    (
                        "MELDEPLIKT_MASKINPORTEN_JWKS_FILE",
                        "/nonexistent/jwks.json",
                    ),
                ],
                "MELDEPLIKT_MASKINPORTEN_JWKS_FILE",
            ),
            (
                &[
                    ("MELDEPLIKT_MASKINPORTEN_ISSUER", "http://127.0.0.1:8080"),
                    ("MELDEPLIKT_MASKINPORTEN_JWKS_URL", "http://127.0.0.1:9/jwk"),
                ],
                "MELDEPLIKT_MASKINPORTEN_ISSUER",
            ),
            (
                &[
                    ("MELDEPLIKT_MASKINPORTEN_ISSUER", "https://maskinporten.no/"),
                    (
                        "MELDEPLIKT_MASKINPORTEN_JWKS_URL",
                        "https://maskinporten.no/jwk",
                    ),
                    ("MELDEPLIKT_MASKINPORTEN_SCOPE", "a b"),
                ],
                "MELDEPLIKT_MASKINPORTEN_SCOPE",
            ),
        ];
        for (vars, variable) in cases {
            let err = settings(vars).unwrap_err();
            let names: Vec<_> = err.0.iter().map(|b| b.variable).collect();
            assert_eq!(names, [*variable], "{vars:?}");
        }
    }
}
