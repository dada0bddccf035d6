//! Regulator accounts, made from the command line.

use diesel_async::AsyncConnection;
use secrecy::SecretString;
use uuid::Uuid;

use super::store::{self};
use crate::audit::{self, Actor, Entry};
use crate::auth::Role;
use crate::db::Pool;
use crate::domain::organisation::{NewUserInput, validate_new_user};
use crate::error::ApiError;

/// Creates a regulator account (the command line's `create-regulator`).
pub async fn create_regulator(
    pool: &Pool,
    email: &str,
    password: SecretString,
) -> Result<Uuid, Vec<String>> {
    let user = validate_new_user(&NewUserInput {
        email: Some(email.to_owned()),
        password: Some(password),
    })
    .map_err(|errors| {
        errors
            .iter()
            .map(|e| {
                format!(
                    "{}: {}",
                    e.pointer.trim_start_matches('/'),
                    e.message(crate::domain::i18n::Lang::En)
                )
            })
            .collect::<Vec<_>>()
    })?;
    let hash = crate::auth::password::hash_now(&user.password);
    let failed = |e: ApiError| vec![format!("{e:?}")];
    let mut conn = pool.get().await.map_err(|e| failed(e.into()))?;
    let row = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let row = store::insert_user(conn, None, &user.email, &hash, Role::Regulator)
                .await
                .map_err(store::conflict)?;
            audit::record(
                conn,
                Entry {
                    actor: Actor::system(),
                    organisation_id: None,
                    action: "regulator.created",
                    subject: Some(format!("user:{}", row.id)),
                    request_id: None,
                    details: serde_json::json!({ "via": "command line" }),
                },
            )
            .await?;
            Ok(row)
        })
        .await
        .map_err(failed)?;
    Ok(row.id)
}
