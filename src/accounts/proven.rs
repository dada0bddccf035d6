//! Organisations that prove their organisation number with a Maskinporten
//! token: found by that number, registered on its first request when the
//! service does not know it yet, and marked verified; each change audited
//! with the vendor acting for it. Given to `auth::maskinporten` at
//! start-up as its [`Register`](crate::auth::maskinporten::Register).

use actix_web::{HttpRequest, web};
use diesel_async::AsyncConnection;
use futures_util::future::LocalBoxFuture;
use uuid::Uuid;

use super::store::{self, Proven};
use crate::api::request_id;
use crate::audit::{self, Actor, ActorKind, Entry};
use crate::auth::maskinporten::Proof;
use crate::clock::Clock;
use crate::db::Pool;
use crate::error::ApiError;

/// The organisation `proof` names, found, registered or verified now.
pub fn register(req: &HttpRequest, proof: Proof) -> LocalBoxFuture<'_, Result<Uuid, ApiError>> {
    Box::pin(async move {
        let (Some(pool), Some(clock)) = (
            req.app_data::<web::Data<Pool>>(),
            req.app_data::<web::Data<Clock>>(),
        ) else {
            return Err(ApiError::internal(anyhow::anyhow!(
                "no database pool or clock configured"
            )));
        };
        let orgnr = proof.organisation.as_string();
        let mut conn = pool.get().await?;
        // Every request after the first: one read by an indexed key.
        if let Some(id) = store::verified_by_orgnr(&mut conn, &orgnr).await? {
            return Ok(id);
        }
        let now = clock.now();
        let request_id = request_id(req);
        conn.transaction::<_, ApiError, _>(async move |conn| {
            let (id, proven) = store::prove_orgnr(conn, &orgnr, now).await?;
            let action = match proven {
                Proven::Known => return Ok(id),
                Proven::Registered => "organisation.registered",
                Proven::Verified => "organisation.verified",
            };
            tracing::info!(event = "accounts.organisation_proven", organisation = %id, action);
            let actor = Actor {
                kind: ActorKind::Maskinporten,
                id: Some(id),
                organisation_id: Some(id),
                supplier: proof.supplier,
            };
            audit::record(
                conn,
                Entry {
                    actor,
                    organisation_id: Some(id),
                    action,
                    subject: Some(format!("organisation:{id}")),
                    request_id,
                    details: serde_json::json!({ "proven_by": "maskinporten", "organisation_number": orgnr }),
                },
            )
            .await?;
            Ok(id)
        })
        .await
    })
}
