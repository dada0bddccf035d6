//! The issuer's public keys (its JWKS), fetched from a URL or read from a
//! file, kept in memory, and read again when a token names a key not
//! known yet (the issuer rotated its keys) or the keys are an hour old.
//! Reading again is limited to once per `min_refresh`, so that tokens with
//! made-up key ids cannot make the service fetch on every request.
//! Only asymmetric keys are kept: an HMAC (`oct`) key never verifies.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;

/// Where the keys come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwksSource {
    /// `MELDEPLIKT_MASKINPORTEN_JWKS_URL`, such as
    /// `https://maskinporten.no/jwk`.
    Url(String),
    /// `MELDEPLIKT_MASKINPORTEN_JWKS_FILE`: a JWKS kept beside the service.
    File(PathBuf),
}

/// Keys older than this are read again before use (when allowed).
const MAX_AGE: Duration = Duration::from_secs(3600);
/// Longest a fetch of the JWKS may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest JWKS read; the issuer's holds a few keys.
const MAX_BYTES: usize = 256 * 1024;

/// One verification key and the algorithms it may verify.
#[derive(Clone)]
pub struct Key {
    pub decoding: DecodingKey,
    pub algorithms: Vec<Algorithm>,
}

/// Why no key was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyError {
    /// The keys are known, and none has this id.
    Unknown,
    /// No keys could be read at all (the issuer cannot be reached).
    Unavailable,
}

struct Loaded {
    keys: Vec<(String, Key)>,
    at: Instant,
}

/// The cache.
pub struct Jwks {
    source: JwksSource,
    http: reqwest::Client,
    min_refresh: Duration,
    loaded: RwLock<Option<Arc<Loaded>>>,
    /// When keys were last read (or tried); held while reading, so that
    /// one request reads and the others wait for its result.
    last_attempt: tokio::sync::Mutex<Option<Instant>>,
}

impl Jwks {
    pub fn new(source: JwksSource, min_refresh: Duration) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            source,
            http,
            min_refresh,
            loaded: RwLock::new(None),
            last_attempt: tokio::sync::Mutex::new(None),
        })
    }

    /// The key `kid`, reading the keys again when it is not known (at most
    /// once per `min_refresh`).
    pub async fn key(&self, kid: &str) -> Result<Key, KeyError> {
        let current = self.current();
        if let Some(loaded) = &current
            && loaded.at.elapsed() < MAX_AGE
            && let Some(key) = find(loaded, kid)
        {
            return Ok(key);
        }
        let mut last_attempt = self.last_attempt.lock().await;
        // Another request may have read them while this one waited.
        let seen = self.current();
        let renewed = match (&seen, &current) {
            (Some(s), Some(c)) => !Arc::ptr_eq(s, c),
            (Some(_), None) => true,
            _ => false,
        };
        let may_read = last_attempt.is_none_or(|at| at.elapsed() >= self.min_refresh);
        if !renewed && may_read {
            *last_attempt = Some(Instant::now());
            match self.read().await {
                Ok(keys) => {
                    tracing::info!(event = "maskinporten.jwks_read", keys = keys.len());
                    let loaded = Arc::new(Loaded {
                        keys,
                        at: Instant::now(),
                    });
                    *self.loaded.write().expect("not poisoned") = Some(loaded);
                }
                Err(err) => {
                    tracing::warn!(event = "maskinporten.jwks_failed", error = %err, "the Maskinporten keys could not be read");
                }
            }
        }
        drop(last_attempt);
        match self.current() {
            Some(loaded) => find(&loaded, kid).ok_or(KeyError::Unknown),
            None => Err(KeyError::Unavailable),
        }
    }

    fn current(&self) -> Option<Arc<Loaded>> {
        self.loaded.read().expect("not poisoned").clone()
    }

    async fn read(&self) -> anyhow::Result<Vec<(String, Key)>> {
        let bytes = match &self.source {
            JwksSource::File(path) => tokio::fs::read(path).await?,
            JwksSource::Url(url) => {
                let response = self.http.get(url).send().await?.error_for_status()?;
                crate::outbound::read_at_most(response, MAX_BYTES).await?
            }
        };
        if bytes.len() > MAX_BYTES {
            anyhow::bail!("the JWKS is larger than {MAX_BYTES} bytes");
        }
        let keys = parse(&bytes)?;
        if keys.is_empty() {
            anyhow::bail!("the JWKS holds no usable signing key");
        }
        Ok(keys)
    }
}

fn find(loaded: &Loaded, kid: &str) -> Option<Key> {
    loaded
        .keys
        .iter()
        .find(|(id, _)| id == kid)
        .map(|(_, key)| key.clone())
}

#[derive(Deserialize)]
struct Set {
    keys: Vec<serde_json::Value>,
}

/// The usable keys of a JWKS: each with a `kid`, for signing, asymmetric;
/// the others are skipped (one odd key does not lose the rest).
pub fn parse(bytes: &[u8]) -> anyhow::Result<Vec<(String, Key)>> {
    let set: Set = serde_json::from_slice(bytes)?;
    Ok(set
        .keys
        .into_iter()
        .filter_map(|value| serde_json::from_value::<Jwk>(value).ok())
        .filter_map(|jwk| {
            let kid = jwk.common.key_id.clone()?;
            let for_signing = jwk
                .common
                .public_key_use
                .as_ref()
                .is_none_or(|u| *u == jsonwebtoken::jwk::PublicKeyUse::Signature);
            let algorithms = algorithms(&jwk);
            if !for_signing || algorithms.is_empty() {
                return None;
            }
            let decoding = DecodingKey::from_jwk(&jwk).ok()?;
            Some((
                kid,
                Key {
                    decoding,
                    algorithms,
                },
            ))
        })
        .collect())
}

/// The algorithms a key may verify: those of its type, narrowed to its
/// `alg` when it names one. Never HMAC.
fn algorithms(jwk: &Jwk) -> Vec<Algorithm> {
    use Algorithm::*;
    let of_type: &[Algorithm] = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => &[RS256, RS384, RS512, PS256, PS384, PS512],
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => &[ES256],
            EllipticCurve::P384 => &[ES384],
            _ => &[],
        },
        AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => &[EdDSA],
        _ => &[],
    };
    match jwk.common.key_algorithm {
        None => of_type.to_vec(),
        Some(named) => of_type
            .iter()
            .copied()
            .filter(|alg| key_algorithm(*alg) == Some(named))
            .collect(),
    }
}

fn key_algorithm(alg: Algorithm) -> Option<KeyAlgorithm> {
    use Algorithm as A;
    Some(match alg {
        A::RS256 => KeyAlgorithm::RS256,
        A::RS384 => KeyAlgorithm::RS384,
        A::RS512 => KeyAlgorithm::RS512,
        A::PS256 => KeyAlgorithm::PS256,
        A::PS384 => KeyAlgorithm::PS384,
        A::PS512 => KeyAlgorithm::PS512,
        A::ES256 => KeyAlgorithm::ES256,
        A::ES384 => KeyAlgorithm::ES384,
        A::EdDSA => KeyAlgorithm::EdDSA,
        A::HS256 | A::HS384 | A::HS512 => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::keys::{Keys, generate_pem};

    /// A JWKS of fresh Ed25519 keys, and their ids.
    fn jwks(count: usize) -> (String, Vec<String>) {
        let pems: Vec<String> = (0..count).map(|_| generate_pem().unwrap()).collect();
        let keys = Keys::from_pems(&pems.iter().map(String::as_str).collect::<Vec<_>>()).unwrap();
        let set = keys.jwks();
        let kids = set.keys.iter().map(|k| k.kid.clone()).collect();
        (serde_json::to_string(&set).unwrap(), kids)
    }

    #[test]
    fn hmac_keys_and_keys_without_an_id_are_never_kept() {
        let (set, kids) = jwks(1);
        let mut value: serde_json::Value = serde_json::from_str(&set).unwrap();
        let keys = value["keys"].as_array_mut().unwrap();
        keys.push(
            serde_json::json!({ "kty": "oct", "k": "c2VjcmV0", "kid": "hmac", "alg": "HS256" }),
        );
        keys.push(serde_json::json!({ "kty": "weird", "kid": "odd" }));
        let mut no_kid = keys[0].clone();
        no_kid.as_object_mut().unwrap().remove("kid");
        keys.push(no_kid);
        let parsed = parse(value.to_string().as_bytes()).unwrap();
        let ids: Vec<&str> = parsed.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, [kids[0].as_str()]);
        assert_eq!(parsed[0].1.algorithms, [Algorithm::EdDSA]);
    }

    #[tokio::test]
    async fn an_unknown_key_reads_the_set_again_but_not_more_often_than_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("jwks.json");
        let (first, first_kids) = jwks(1);
        std::fs::write(&file, &first).unwrap();
        let (rotated, rotated_kids) = jwks(1);

        let limited = Jwks::new(JwksSource::File(file.clone()), Duration::from_secs(3600)).unwrap();
        assert!(limited.key(&first_kids[0]).await.is_ok());
        std::fs::write(&file, &rotated).unwrap();
        assert_eq!(
            limited.key(&rotated_kids[0]).await.err(),
            Some(KeyError::Unknown),
            "read again within the limit"
        );

        std::fs::write(&file, &first).unwrap();
        let eager = Jwks::new(JwksSource::File(file.clone()), Duration::ZERO).unwrap();
        assert!(eager.key(&first_kids[0]).await.is_ok());
        std::fs::write(&file, &rotated).unwrap();
        assert!(eager.key(&rotated_kids[0]).await.is_ok(), "rotated in");
        assert_eq!(
            eager.key(&first_kids[0]).await.err(),
            Some(KeyError::Unknown),
            "rotated out"
        );
    }

    #[tokio::test]
    async fn no_keys_at_all_is_unavailable_not_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let jwks = Jwks::new(
            JwksSource::File(dir.path().join("missing.json")),
            Duration::ZERO,
        )
        .unwrap();
        assert_eq!(jwks.key("x").await.err(), Some(KeyError::Unavailable));
    }
}
