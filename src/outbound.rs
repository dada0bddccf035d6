//! Reading what another system answers. Every response body the service
//! reads from outside (the Maskinporten JWKS, a webhook receiver's answer,
//! and the archive, inbox and authorisation answers as they come) is read
//! through here, chunk by chunk, and reading stops at a limit: a body that
//! announces no length, or lies about it, never costs more memory than the
//! limit.

/// A body larger than its limit.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the answer is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error(transparent)]
    Http(#[from] reqwest::Error),
}

/// The whole body, or [`ReadError::TooLarge`] as soon as it passes `limit`
/// bytes (before reading any of it, when its announced length does).
pub async fn read_at_most(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, ReadError> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(ReadError::TooLarge { limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Err(ReadError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The first `limit` bytes of the body (all of it when shorter); the rest
/// is never read.
pub async fn read_prefix(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, reqwest::Error> {
    let mut prefix = Vec::new();
    while prefix.len() < limit
        && let Some(chunk) = response.chunk().await?
    {
        let room = limit - prefix.len();
        prefix.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Ok(prefix)
}
