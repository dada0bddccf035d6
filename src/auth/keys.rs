//! Ed25519 signing keys for access tokens and receipts, and the JWKS that
//! publishes their public halves.
//!
//! Keys come from PEM files (PKCS#8) named in `MELDEPLIKT_SIGNING_KEYS`: the
//! first signs, all verify, so a key can be rotated in before it signs and
//! kept after it stops. Without them a development key is made once and kept
//! under the data folder.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use jsonwebtoken::{DecodingKey, EncodingKey};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// One key pair.
pub struct SigningKey {
    /// RFC 7638 thumbprint of the public key.
    pub kid: String,
    /// The public key, base64url.
    pub x: String,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
}

/// The service's keys; the first signs.
pub struct Keys {
    keys: Vec<SigningKey>,
}

impl Keys {
    /// Loads the configured files, or the development key under `data_dir`.
    pub fn load(files: &[std::path::PathBuf], data_dir: &Path) -> anyhow::Result<Self> {
        if files.is_empty() {
            return Self::development(data_dir);
        }
        let mut keys = Vec::new();
        for file in files {
            let pem = std::fs::read_to_string(file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            keys.push(key_from_pem(&pem).map_err(|e| {
                anyhow::anyhow!("{} is not an Ed25519 PKCS#8 key: {e}", file.display())
            })?);
        }
        Ok(Self { keys })
    }

    fn development(data_dir: &Path) -> anyhow::Result<Self> {
        let path = data_dir.join("keys").join("dev-signing-key.pem");
        if !path.is_file() {
            std::fs::create_dir_all(path.parent().expect("has a parent"))?;
            let pem = generate_pem()?;
            write_private(&path, &pem)?;
        }
        tracing::warn!(
            file = %path.display(),
            "no MELDEPLIKT_SIGNING_KEYS: signing with a development key; configure real keys in production"
        );
        let pem = std::fs::read_to_string(&path)?;
        Ok(Self {
            keys: vec![key_from_pem(&pem)?],
        })
    }

    /// Keys from PEM texts, the first signing.
    pub fn from_pems(pems: &[&str]) -> anyhow::Result<Self> {
        Ok(Self {
            keys: pems
                .iter()
                .map(|p| key_from_pem(p))
                .collect::<Result<_, _>>()?,
        })
    }

    pub fn signer(&self) -> &SigningKey {
        &self.keys[0]
    }

    pub fn by_kid(&self, kid: &str) -> Option<&SigningKey> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    /// The public keys as a JWK Set.
    pub fn jwks(&self) -> Jwks {
        Jwks {
            keys: self
                .keys
                .iter()
                .map(|k| Jwk {
                    kty: "OKP",
                    crv: "Ed25519",
                    x: k.x.clone(),
                    kid: k.kid.clone(),
                    key_use: "sig",
                    alg: "EdDSA",
                })
                .collect(),
        }
    }
}

/// A new Ed25519 key as PKCS#8 PEM.
pub fn generate_pem() -> anyhow::Result<String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("random source: {e}"))?;
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    Ok(key
        .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .map_err(|e| anyhow::anyhow!("encoding the key: {e}"))?
        .to_string())
}

fn write_private(path: &Path, pem: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(pem.as_bytes())?;
    Ok(())
}

fn key_from_pem(pem: &str) -> anyhow::Result<SigningKey> {
    let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem)
        .map_err(|e| anyhow::anyhow!("not an Ed25519 PKCS#8 key: {e}"))?;
    let x = URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes());
    let thumbprint_input = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint_input.as_bytes()));
    Ok(SigningKey {
        kid,
        encoding: EncodingKey::from_ed_pem(pem.as_bytes())?,
        decoding: DecodingKey::from_ed_components(&x)?,
        x,
    })
}

/// A JSON Web Key Set (RFC 7517).
#[derive(Debug, Serialize, ToSchema)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// A public Ed25519 key (RFC 8037).
#[derive(Debug, Serialize, ToSchema)]
pub struct Jwk {
    #[schema(example = "OKP")]
    pub kty: &'static str,
    #[schema(example = "Ed25519")]
    pub crv: &'static str,
    /// The public key, base64url.
    pub x: String,
    /// Key id: the RFC 7638 thumbprint.
    pub kid: String,
    #[serde(rename = "use")]
    #[schema(example = "sig")]
    pub key_use: &'static str,
    #[schema(example = "EdDSA")]
    pub alg: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_development_key_is_made_once_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        let first = Keys::load(&[], dir.path()).unwrap();
        let again = Keys::load(&[], dir.path()).unwrap();
        assert_eq!(first.signer().kid, again.signer().kid);
        let path = dir.path().join("keys/dev-signing-key.pem");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn the_jwks_lists_every_key_with_its_thumbprint() {
        let (a, b) = (generate_pem().unwrap(), generate_pem().unwrap());
        let keys = Keys::from_pems(&[&a, &b]).unwrap();
        let jwks = serde_json::to_value(keys.jwks()).unwrap();
        assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
        assert_eq!(jwks["keys"][0]["kty"], "OKP");
        assert_eq!(jwks["keys"][0]["use"], "sig");
        assert_eq!(jwks["keys"][0]["kid"], keys.signer().kid);
        assert!(keys.by_kid(&keys.jwks().keys[1].kid).is_some());
        assert!(jwks.to_string().find("\"d\"").is_none(), "no private part");
    }

    #[test]
    fn rfc_8037_thumbprint() {
        // RFC 8037 appendix A.1 key and its A.3 thumbprint.
        let pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";
        let keys = Keys::from_pems(&[pem]).unwrap();
        assert_eq!(
            keys.signer().x,
            "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
        );
        assert_eq!(
            keys.signer().kid,
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
    }
}
