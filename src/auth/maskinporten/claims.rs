//! What a Maskinporten access token says, read without I/O: which
//! organisation it proves, which vendor acts for it, and whether it holds
//! the scope. The signature and the times are checked before this
//! (`mod.rs`); these are the claims Maskinporten documents.

use serde::Deserialize;

use crate::domain::identifiers::OrgNumber;

/// The ISO 6523 prefix of a Norwegian organisation number in `ID`.
const ORGNR_PREFIX: &str = "0192:";
/// The `type` of an Altinn system user's authorisation detail.
const SYSTEM_USER: &str = "urn:altinn:systemuser";

/// The claims read here; others (`client_id`, `jti`, `token_type`, ...)
/// are ignored.
#[derive(Debug, Deserialize)]
pub struct Claims {
    /// Space-separated scopes.
    #[serde(default)]
    pub scope: Option<String>,
    /// The organisation the token was issued to.
    pub consumer: Option<Party>,
    /// The vendor that asked for the token on the consumer's behalf
    /// (delegation in Altinn), if any.
    #[serde(default)]
    pub supplier: Option<Party>,
    #[serde(default)]
    pub authorization_details: Vec<AuthorizationDetail>,
}

/// An organisation as Maskinporten names it: `{"authority":
/// "iso6523-actorid-upis", "ID": "0192:974761467"}`.
#[derive(Debug, Deserialize)]
pub struct Party {
    #[serde(rename = "ID")]
    pub id: String,
}

/// One entry of `authorization_details` (RFC 9396); only an Altinn
/// system user's is read.
#[derive(Debug, Deserialize)]
pub struct AuthorizationDetail {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub systemuser_org: Option<Party>,
}

/// What a valid token proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proof {
    /// The organisation that calls: the consumer, or the customer whose
    /// system user the consumer's system acts as.
    pub organisation: OrgNumber,
    /// The vendor acting for it, where one does: the supplier, or the
    /// consumer in the system-user case.
    pub supplier: Option<OrgNumber>,
}

/// Why the claims prove nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ClaimError {
    #[error("the token lacks the required scope")]
    Scope,
    #[error("the token names no organisation by a valid Norwegian organisation number")]
    Organisation,
}

impl Claims {
    /// What the claims prove, given the scope the service requires.
    pub fn prove(&self, required_scope: &str) -> Result<Proof, ClaimError> {
        let scoped = self
            .scope
            .as_deref()
            .is_some_and(|s| s.split(' ').any(|scope| scope == required_scope));
        if !scoped {
            return Err(ClaimError::Scope);
        }
        let consumer = orgnr(self.consumer.as_ref())?;
        let system_users: Vec<&AuthorizationDetail> = self
            .authorization_details
            .iter()
            .filter(|d| d.kind == SYSTEM_USER)
            .collect();
        match system_users.as_slice() {
            [] => Ok(Proof {
                organisation: consumer,
                supplier: match &self.supplier {
                    Some(supplier) => Some(orgnr(Some(supplier))?),
                    None => None,
                },
            }),
            [system_user] => {
                let customer = orgnr(system_user.systemuser_org.as_ref())?;
                Ok(Proof {
                    organisation: customer,
                    supplier: (customer != consumer).then_some(consumer),
                })
            }
            // Two customers in one token: which one calls is not clear.
            _ => Err(ClaimError::Organisation),
        }
    }
}

/// The organisation number of `0192:<nine digits>`.
fn orgnr(party: Option<&Party>) -> Result<OrgNumber, ClaimError> {
    let id = party.map(|p| p.id.as_str()).unwrap_or_default();
    let digits = id
        .strip_prefix(ORGNR_PREFIX)
        .ok_or(ClaimError::Organisation)?;
    if digits.len() != 9 {
        return Err(ClaimError::Organisation);
    }
    OrgNumber::parse(digits).map_err(|_| ClaimError::Organisation)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SCOPE: &str = "datatilsynet:meldeplikt";

    fn claims(value: serde_json::Value) -> Claims {
        serde_json::from_value(value).expect("claims")
    }

    fn n(s: &str) -> OrgNumber {
        OrgNumber::parse(s).unwrap()
    }

    #[test]
    fn the_consumer_is_the_caller() {
        let c = claims(json!({
            "scope": "other:scope datatilsynet:meldeplikt",
            "consumer": { "authority": "iso6523-actorid-upis", "ID": "0192:974761467" },
            "client_id": "abc"
        }));
        assert_eq!(
            c.prove(SCOPE),
            Ok(Proof {
                organisation: n("974761467"),
                supplier: None
            })
        );
    }

    #[test]
    fn a_supplier_is_kept_as_the_vendor() {
        let c = claims(json!({
            "scope": SCOPE,
            "consumer": { "ID": "0192:974761467" },
            "supplier": { "ID": "0192:889640782" }
        }));
        assert_eq!(
            c.prove(SCOPE),
            Ok(Proof {
                organisation: n("974761467"),
                supplier: Some(n("889640782"))
            })
        );
    }

    #[test]
    fn a_system_user_makes_its_customer_the_caller_and_the_consumer_the_vendor() {
        let c = claims(json!({
            "scope": SCOPE,
            "consumer": { "ID": "0192:889640782" },
            "authorization_details": [
                { "type": "urn:altinn:resource", "resource": "x" },
                {
                    "type": "urn:altinn:systemuser",
                    "systemuser_id": ["a0c1f8e2-5b5c-4b7e-9a3f-2d1f0c9e8b7a"],
                    "systemuser_org": { "authority": "iso6523-actorid-upis", "ID": "0192:974761467" },
                    "system_id": "vendor_system"
                }
            ]
        }));
        assert_eq!(
            c.prove(SCOPE),
            Ok(Proof {
                organisation: n("974761467"),
                supplier: Some(n("889640782"))
            })
        );
    }

    #[test]
    fn the_scope_must_be_there_whole() {
        for scope in [
            None,
            Some(""),
            Some("datatilsynet:meldeplikt.read"),
            Some("datatilsynet:meldepliktx other"),
            Some("DATATILSYNET:MELDEPLIKT"),
        ] {
            let c = claims(json!({ "scope": scope, "consumer": { "ID": "0192:974761467" } }));
            assert_eq!(c.prove(SCOPE), Err(ClaimError::Scope), "{scope:?}");
        }
    }

    #[test]
    fn an_organisation_must_be_a_valid_norwegian_number() {
        let cases = [
            json!({ "scope": SCOPE }),
            json!({ "scope": SCOPE, "consumer": { "ID": "974761467" } }),
            json!({ "scope": SCOPE, "consumer": { "ID": "0192:974761468" } }),
            json!({ "scope": SCOPE, "consumer": { "ID": "0192:974 761 467" } }),
            json!({ "scope": SCOPE, "consumer": { "ID": "0088:974761467" } }),
            json!({ "scope": SCOPE, "consumer": { "ID": "0192:974761467" },
                    "supplier": { "ID": "0192:12345678" } }),
            json!({ "scope": SCOPE, "consumer": { "ID": "0192:974761467" },
                    "authorization_details": [{ "type": "urn:altinn:systemuser" }] }),
            json!({ "scope": SCOPE, "consumer": { "ID": "0192:974761467" },
                    "authorization_details": [
                        { "type": "urn:altinn:systemuser", "systemuser_org": { "ID": "0192:889640782" } },
                        { "type": "urn:altinn:systemuser", "systemuser_org": { "ID": "0192:983887457" } }
                    ] }),
        ];
        for case in cases {
            assert_eq!(
                claims(case.clone()).prove(SCOPE),
                Err(ClaimError::Organisation),
                "{case}"
            );
        }
    }
}
