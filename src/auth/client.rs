//! Who is on the other end: the client's address, for throttles and rate
//! limits.

use std::net::IpAddr;

use actix_web::HttpRequest;

/// The client's address: the connection's peer.
pub fn address(req: &HttpRequest) -> Option<IpAddr> {
    req.peer_addr().map(|a| a.ip())
}

/// The address as a key part (`unknown` without one).
pub fn address_key(req: &HttpRequest) -> String {
    address(req).map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}
