//! Who is on the other end: the client's address, for throttles and rate
//! limits. This module is the one place that decides it.
//!
//! The address is the connection's peer, unless the peer is one of the
//! proxies in `MELDEPLIKT_TRUSTED_PROXIES`. Then the proxies' record is read
//! (`Forwarded`, RFC 7239, or `X-Forwarded-For`) from the right, skipping
//! trusted proxies, and the first address that is not one is the client.
//! Anything left of it was written by the client and is never believed. A
//! peer that is not a trusted proxy has its headers ignored entirely, so a
//! client cannot choose its own address.

use std::net::{IpAddr, SocketAddr};

use actix_web::http::header::HeaderMap;
use actix_web::{HttpRequest, web};

/// The client's address (see the module documentation).
pub fn address(req: &HttpRequest) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip().to_canonical())?;
    Some(match req.app_data::<web::Data<TrustedProxies>>() {
        Some(proxies) => proxies.client(peer, req.headers()),
        None => peer,
    })
}

/// The address as a key part (`unknown` without one).
/// An IPv6 client is keyed by its /64, the block one subscriber holds, so
/// that fresh addresses from it do not escape a count.
pub fn address_key(req: &HttpRequest) -> String {
    address(req).map_or_else(|| "unknown".to_owned(), key_of)
}

fn key_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// `MELDEPLIKT_TRUSTED_PROXIES`: the proxies whose record of the client's
/// address is believed. Empty (the default): none; the peer is the client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    /// Parses a comma-separated list of addresses and CIDR blocks.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(Cidr::parse)
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }

    /// The client behind `peer`, given the request's headers.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let values = |name: &str| -> Option<Vec<String>> {
            let all: Vec<String> = headers
                .get_all(name)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect();
            (!all.is_empty()).then_some(all)
        };
        self.client_from(
            peer,
            values("forwarded").as_deref(),
            values("x-forwarded-for").as_deref(),
        )
    }

    /// [`Self::client`] on the header values (each a header line).
    pub fn client_from(
        &self,
        peer: IpAddr,
        forwarded: Option<&[String]>,
        x_forwarded_for: Option<&[String]>,
    ) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let from_forwarded = forwarded.map(|lines| self.walk(peer, &forwarded_hops(lines)));
        let from_xff = x_forwarded_for.map(|lines| self.walk(peer, &xff_hops(lines)));
        match (from_forwarded, from_xff) {
            (Some(a), Some(b)) if a == b => a,
            // Both, saying different things: one of them came from the
            // client, and which cannot be told. The proxy is all we know.
            (Some(_), Some(_)) => peer,
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => peer,
        }
    }

    /// Walks `hops` (as written, the client first) from the right, behind
    /// `peer`: the first hop that is not a trusted proxy is the client. An
    /// unreadable hop ends the walk at the last address known.
    fn walk(&self, peer: IpAddr, hops: &[Option<IpAddr>]) -> IpAddr {
        let mut known = peer;
        for hop in hops.iter().rev() {
            match hop {
                Some(ip) if self.trusts(*ip) => known = *ip,
                Some(ip) => return *ip,
                None => return known,
            }
        }
        known
    }
}

/// An address block: an address and how many leading bits count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    bits: u8,
}

impl Cidr {
    fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("{text:?} is not an address or a CIDR block such as 10.0.0.0/8");
        let (ip, bits) = match text.split_once('/') {
            Some((ip, bits)) => (ip, Some(bits)),
            None => (text, None),
        };
        let net = ip
            .trim()
            .parse::<IpAddr>()
            .map_err(|_| bad())?
            .to_canonical();
        let max = if net.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            Some(b) => b.trim().parse::<u8>().ok().filter(|b| *b <= max),
            None => Some(max),
        }
        .ok_or_else(bad)?;
        Ok(Self { net, bits })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.bits)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.bits))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The `for=` of every element of `Forwarded` lines, the client first;
/// `None` for an element without one, `unknown`, obfuscated or unreadable.
fn forwarded_hops(lines: &[String]) -> Vec<Option<IpAddr>> {
    lines
        .iter()
        // A line whose quotes do not close is unreadable as a whole: an
        // open quote from the client must not swallow what a proxy
        // appended to the same line.
        .flat_map(|line| split_outside_quotes(line, ',').unwrap_or_else(|| vec![String::new()]))
        .map(|element| {
            split_outside_quotes(&element, ';')
                .unwrap_or_default()
                .into_iter()
                .filter_map(|pair| {
                    let (name, value) = pair.split_once('=')?;
                    name.trim()
                        .eq_ignore_ascii_case("for")
                        .then(|| unquote(value.trim()))
                })
                .next()
                .and_then(|node| node_address(&node))
        })
        .collect()
}

/// The entries of `X-Forwarded-For` lines, the client first.
fn xff_hops(lines: &[String]) -> Vec<Option<IpAddr>> {
    lines
        .iter()
        .flat_map(|line| line.split(','))
        .map(|entry| node_address(entry.trim()))
        .collect()
}

/// Splits at `separator` where it is not inside a quoted string; `None`
/// when a quoted string does not close.
fn split_outside_quotes(text: &str, separator: char) -> Option<Vec<String>> {
    let mut parts = vec![String::new()];
    let (mut quoted, mut escaped) = (false, false);
    for c in text.chars() {
        if escaped {
            escaped = false;
        } else if quoted && c == '\\' {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if c == separator && !quoted {
            parts.push(String::new());
            continue;
        }
        parts.last_mut().expect("never empty").push(c);
    }
    (!quoted).then_some(parts)
}

/// A quoted string's content (RFC 7230 §3.2.6), or the token as it is.
fn unquote(value: &str) -> String {
    match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::new();
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                out.push(if c == '\\' {
                    chars.next().unwrap_or(c)
                } else {
                    c
                });
            }
            out
        }
        None => value.to_owned(),
    }
}

/// A node (RFC 7239 §6): `192.0.2.1`, `192.0.2.1:80`, `[2001:db8::1]`,
/// `[2001:db8::1]:4711`; a bare IPv6 address is read too.
fn node_address(node: &str) -> Option<IpAddr> {
    let node = node.trim();
    let ip = node
        .parse::<IpAddr>()
        .ok()
        .or_else(|| node.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            node.strip_prefix('[')
                .and_then(|n| n.strip_suffix(']'))
                .and_then(|n| n.parse::<IpAddr>().ok())
        })?;
    Some(ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(list: &str) -> TrustedProxies {
        TrustedProxies::parse(list).unwrap()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn lines(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| v.to_string()).collect()
    }

    fn via_xff(trusted: &str, peer: &str, xff: &[&str]) -> IpAddr {
        proxies(trusted).client_from(ip(peer), None, Some(&lines(xff)))
    }

    fn via_forwarded(trusted: &str, peer: &str, forwarded: &[&str]) -> IpAddr {
        proxies(trusted).client_from(ip(peer), Some(&lines(forwarded)), None)
    }

    #[test]
    fn without_trusted_proxies_the_headers_are_ignored() {
        let none = TrustedProxies::default();
        let xff = lines(&["198.51.100.7"]);
        let fwd = lines(&["for=198.51.100.7"]);
        assert_eq!(
            none.client_from(ip("203.0.113.9"), Some(&fwd), Some(&xff)),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn a_peer_that_is_not_a_trusted_proxy_cannot_choose_its_address() {
        assert_eq!(
            via_xff("10.0.0.1", "203.0.113.9", &["198.51.100.7"]),
            ip("203.0.113.9")
        );
        assert_eq!(
            via_forwarded("10.0.0.0/8", "203.0.113.9", &["for=10.0.0.1"]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client_not_what_it_prepended() {
        // The client sent "X-Forwarded-For: 1.1.1.1"; the proxy appended the
        // address it saw.
        assert_eq!(
            via_xff("10.0.0.1", "10.0.0.1", &["1.1.1.1, 198.51.100.7"]),
            ip("198.51.100.7")
        );
        // The same over two header lines.
        assert_eq!(
            via_xff("10.0.0.1", "10.0.0.1", &["1.1.1.1", "198.51.100.7"]),
            ip("198.51.100.7")
        );
        assert_eq!(
            via_forwarded(
                "10.0.0.1",
                "10.0.0.1",
                &["for=1.1.1.1", "for=198.51.100.7;proto=https"]
            ),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn several_trusted_hops_are_skipped() {
        assert_eq!(
            via_xff(
                "10.0.0.0/8, 192.168.1.1",
                "192.168.1.1",
                &["1.1.1.1, 198.51.100.7, 10.2.3.4, 10.0.0.9"]
            ),
            ip("198.51.100.7")
        );
        // Every hop trusted: the earliest one known.
        assert_eq!(
            via_xff("10.0.0.0/8", "10.0.0.1", &["10.0.0.3, 10.0.0.2"]),
            ip("10.0.0.3")
        );
    }

    #[test]
    fn an_open_quote_does_not_swallow_what_the_proxy_appended() {
        // The client sent `Forwarded: for=9.9.9.9;x="`; the proxy appended
        // `, for=198.51.100.7` to the same line.
        assert_eq!(
            via_forwarded(
                "10.0.0.1",
                "10.0.0.1",
                &["for=9.9.9.9;x=\", for=198.51.100.7"]
            ),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64() {
        assert_eq!(key_of(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(
            key_of(ip("2001:db8:1:2:bbbb::9")),
            key_of(ip("2001:db8:1:2::5"))
        );
        assert_ne!(key_of(ip("2001:db8:1:3::1")), key_of(ip("2001:db8:1:2::1")));
        assert_eq!(key_of(ip("::ffff:192.0.2.1")), "192.0.2.1");
        assert_eq!(key_of(ip("192.0.2.1")), "192.0.2.1");
    }

    #[test]
    fn ipv6_in_every_form() {
        assert_eq!(
            via_forwarded("::1", "::1", &["for=\"[2001:db8:cafe::17]:4711\""]),
            ip("2001:db8:cafe::17")
        );
        assert_eq!(
            via_forwarded("::1", "::1", &["For=\"[2001:db8::1]\";proto=http"]),
            ip("2001:db8::1")
        );
        assert_eq!(
            via_xff("2001:db8:ff::/48", "2001:db8:ff::2", &["2001:db8::1"]),
            ip("2001:db8::1")
        );
        assert_eq!(
            via_xff("127.0.0.1", "::ffff:127.0.0.1", &["[2001:db8::1]:80"]),
            ip("2001:db8::1"),
            "an IPv4-mapped peer is its IPv4 address"
        );
        assert_eq!(
            via_xff("127.0.0.1", "127.0.0.1", &["::ffff:198.51.100.7"]),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn the_rfc_7239_examples() {
        assert_eq!(
            via_forwarded(
                "203.0.113.43",
                "203.0.113.43",
                &["for=192.0.2.43, for=198.51.100.17"]
            ),
            ip("198.51.100.17")
        );
        assert_eq!(
            via_forwarded(
                "198.51.100.17",
                "198.51.100.17",
                &["for=192.0.2.60;proto=http;by=203.0.113.43, for=198.51.100.17"]
            ),
            ip("192.0.2.60")
        );
        assert_eq!(
            via_forwarded("10.0.0.1", "10.0.0.1", &["for=192.0.2.60:8080"]),
            ip("192.0.2.60")
        );
        // A quoted comma or semicolon does not split.
        assert_eq!(
            via_forwarded(
                "10.0.0.1",
                "10.0.0.1",
                &["for=192.0.2.1;ext=\"a,b;c\", for=192.0.2.2"]
            ),
            ip("192.0.2.2")
        );
    }

    #[test]
    fn garbage_ends_the_walk_at_the_last_address_known() {
        for xff in [
            "not-an-address",
            "",
            "unknown",
            "198.51.100.7, ",
            "198.51.100.7, 999.1.1.1",
        ] {
            assert_eq!(
                via_xff("10.0.0.1", "10.0.0.1", &[xff]),
                ip("10.0.0.1"),
                "{xff:?}"
            );
        }
        assert_eq!(
            via_xff("10.0.0.0/8", "10.0.0.1", &["198.51.100.7, junk, 10.0.0.5"]),
            ip("10.0.0.5")
        );
        for fwd in [
            "for=unknown",
            "for=_hidden",
            "by=10.0.0.1",
            "for=\"[2001:db8::1\"",
            "for",
            ";;,,",
        ] {
            assert_eq!(
                via_forwarded("10.0.0.1", "10.0.0.1", &[fwd]),
                ip("10.0.0.1"),
                "{fwd:?}"
            );
        }
    }

    #[test]
    fn two_headers_that_disagree_mean_the_proxy() {
        let trusted = proxies("10.0.0.1");
        let fwd = lines(&["for=1.1.1.1"]);
        let xff = lines(&["198.51.100.7"]);
        assert_eq!(
            trusted.client_from(ip("10.0.0.1"), Some(&fwd), Some(&xff)),
            ip("10.0.0.1")
        );
        let same = lines(&["for=198.51.100.7"]);
        assert_eq!(
            trusted.client_from(ip("10.0.0.1"), Some(&same), Some(&xff)),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn proxy_lists_are_parsed_or_refused() {
        let list = proxies(" 10.0.0.0/8, 192.168.1.1 ,2001:db8::/32,");
        assert!(list.trusts(ip("10.255.0.1")));
        assert!(!list.trusts(ip("11.0.0.1")));
        assert!(list.trusts(ip("192.168.1.1")));
        assert!(!list.trusts(ip("192.168.1.2")));
        assert!(list.trusts(ip("2001:db8:1::5")));
        assert!(!list.trusts(ip("2001:db9::5")));
        assert!(proxies("0.0.0.0/0").trusts(ip("8.8.8.8")));
        assert!(proxies("").is_empty());
        for bad in ["10.0.0.0/33", "example.org", "10.0.0.0/", "::/129", "1.2.3"] {
            assert!(TrustedProxies::parse(bad).is_err(), "{bad}");
        }
    }
}
