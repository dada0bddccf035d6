//! SQL of receipts, scoped to the organisation that owns the notification.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::domain::lifecycle::Status;
use crate::schema::{notifications, receipts};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = receipts)]
pub struct ReceiptRow {
    pub id: Uuid,
    pub notification_id: Uuid,
    pub number: String,
    pub version: i32,
    pub kind: String,
    pub content: serde_json::Value,
    pub jws: String,
    pub created_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &ReceiptRow) -> QueryResult<()> {
    diesel::insert_into(receipts::table)
        .values((
            receipts::id.eq(row.id),
            receipts::notification_id.eq(row.notification_id),
            receipts::number.eq(&row.number),
            receipts::version.eq(row.version),
            receipts::kind.eq(&row.kind),
            receipts::content.eq(&row.content),
            receipts::jws.eq(&row.jws),
            receipts::created_at.eq(row.created_at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// A receipt of a notification of `organisation_id`.
pub async fn of_organisation(
    conn: &mut AsyncPgConnection,
    organisation_id: Uuid,
    id: Uuid,
) -> QueryResult<ReceiptRow> {
    receipts::table
        .inner_join(notifications::table)
        .filter(receipts::id.eq(id))
        .filter(notifications::organisation_id.eq(organisation_id))
        .select(ReceiptRow::as_select())
        .first(conn)
        .await
}

pub async fn of_notification(
    conn: &mut AsyncPgConnection,
    notification_id: Uuid,
) -> QueryResult<Vec<ReceiptRow>> {
    receipts::table
        .filter(receipts::notification_id.eq(notification_id))
        .order(receipts::seq)
        .select(ReceiptRow::as_select())
        .load(conn)
        .await
}

/// A receipt by its id, whoever owns it: for the holder of the link that
/// issued it.
pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<ReceiptRow> {
    receipts::table
        .find(id)
        .select(ReceiptRow::as_select())
        .first(conn)
        .await
}

/// The state of the notification a receipt belongs to, and its
/// registered version, to tell whether the receipt still stands.
pub async fn notification_state(
    conn: &mut AsyncPgConnection,
    notification_id: Uuid,
) -> QueryResult<(Status, Option<i32>)> {
    notifications::table
        .find(notification_id)
        .select((notifications::status, notifications::registered_version))
        .first(conn)
        .await
}
