//! Where a webhook may go. A URL is checked when an endpoint is registered
//! or changed, and the addresses its host resolves to are checked again at
//! every delivery, by the resolver the delivery client uses
//! ([`GuardedResolver`]): only the addresses that pass are connected to, so
//! a name that resolves to a private address later (DNS rebinding) reaches
//! nothing. What is refused is decided in [`special`]: loopback, private,
//! shared (CGNAT) and unique-local addresses unless the operator allows
//! private ones; every other block that is not globally reachable, and
//! cloud metadata addresses, always.

use std::net::{IpAddr, SocketAddr};

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::special;

/// The longest URL an endpoint may have.
pub const URL_MAX: usize = 2000;
/// The longest a name may take to resolve.
const RESOLVE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The addresses of `host`; none when it does not resolve in time.
async fn lookup(host: &str, port: u16) -> Vec<SocketAddr> {
    match tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host, port))).await {
        Ok(Ok(found)) => found.collect(),
        _ => Vec::new(),
    }
}

/// Why an address is refused, in a word ([`special::judge`]); private ones
/// pass when the operator allows them, metadata and the rest never.
pub fn refusal(ip: IpAddr, allow_private: bool) -> Option<&'static str> {
    let refused = special::judge(ip)?;
    (!(allow_private && refused.private)).then_some(refused.why)
}

/// What is wrong with a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlProblem {
    /// Not an absolute https URL (http only where private ones are
    /// allowed), or with credentials or a fragment.
    Invalid,
    /// The host is, or resolves to, an address that is refused.
    Refused { address: IpAddr, why: &'static str },
    /// The host name has no address.
    Unresolved { host: String },
}

/// The URL's form: absolute, `https` (or `http` when private addresses are
/// allowed), a host, no user name or password, no fragment.
pub fn parse(text: &str, allow_private: bool) -> Result<Url, UrlProblem> {
    if text.len() > URL_MAX {
        return Err(UrlProblem::Invalid);
    }
    let url = Url::parse(text).map_err(|_| UrlProblem::Invalid)?;
    let scheme_ok = url.scheme() == "https" || (allow_private && url.scheme() == "http");
    if !scheme_ok
        || url.host().is_none()
        || !url.username().is_empty()
        || url.password().is_some()
        || url.fragment().is_some()
    {
        return Err(UrlProblem::Invalid);
    }
    if let Some(ip) = literal(&url)
        && let Some(why) = refusal(ip, allow_private)
    {
        return Err(UrlProblem::Refused { address: ip, why });
    }
    Ok(url)
}

/// The address a URL names directly, when its host is one.
pub fn literal(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        url::Host::Domain(_) => None,
    }
}

/// Checks a URL as an endpoint is registered: its form, and every address
/// its host resolves to now.
pub async fn check(text: &str, allow_private: bool) -> Result<Url, UrlProblem> {
    let url = parse(text, allow_private)?;
    if literal(&url).is_some() {
        return Ok(url);
    }
    let host = url.host_str().unwrap_or_default().to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses = lookup(&host, port).await;
    if addresses.is_empty() {
        return Err(UrlProblem::Unresolved { host });
    }
    for address in addresses {
        if let Some(why) = refusal(address.ip(), allow_private) {
            return Err(UrlProblem::Refused {
                address: address.ip(),
                why,
            });
        }
    }
    Ok(url)
}

/// The delivery client's resolver: the host's addresses that are allowed,
/// an error when none is.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| refusal(a.ip(), allow_private).is_none())
                .collect();
            if allowed.is_empty() {
                let why = found
                    .first()
                    .map(|a| format!("{host} resolves to a refused address ({})", a.ip()))
                    .unwrap_or_else(|| format!("{host} has no address"));
                return Err(why.into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn private_and_special_addresses_are_refused_and_public_ones_pass() {
        for (address, kind) in [
            ("127.0.0.1", "loopback"),
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("192.168.1.1", "private"),
            ("100.64.0.1", "shared address space"),
            ("169.254.1.1", "link-local"),
            ("224.0.0.1", "multicast"),
            ("255.255.255.255", "reserved"),
            ("0.0.0.0", "unspecified"),
            ("::1", "loopback"),
            ("fd12::1", "unique local"),
            ("fe80::1", "link-local"),
            ("ff02::1", "multicast"),
            ("::", "unspecified"),
            ("::ffff:10.0.0.1", "private"),
            ("64:ff9b::7f00:1", "loopback"),
            ("169.254.169.254", "cloud metadata"),
            ("fd00:ec2::254", "cloud metadata"),
        ] {
            assert_eq!(refusal(ip(address), false), Some(kind), "{address}");
        }
        for public in [
            "93.184.216.34",
            "2606:2800:220:1:248:1893:25c8:1946",
            "8.8.8.8",
        ] {
            assert_eq!(refusal(ip(public), false), None, "{public}");
        }
    }

    #[test]
    fn allowing_private_addresses_never_allows_metadata_or_link_local() {
        assert_eq!(refusal(ip("127.0.0.1"), true), None);
        assert_eq!(refusal(ip("10.0.0.1"), true), None);
        assert_eq!(refusal(ip("fd12::1"), true), None);
        assert_eq!(refusal(ip("169.254.169.254"), true), Some("cloud metadata"));
        assert_eq!(refusal(ip("100.100.100.200"), true), Some("cloud metadata"));
        assert_eq!(refusal(ip("169.254.1.1"), true), Some("link-local"));
    }

    #[test]
    fn only_absolute_https_urls_without_credentials_pass() {
        assert!(parse("https://hooks.example.no/meldeplikt", false).is_ok());
        for bad in [
            "http://hooks.example.no/",
            "ftp://hooks.example.no/",
            "hooks.example.no/x",
            "https://user:pw@hooks.example.no/",
            "https://hooks.example.no/#frag",
            "",
        ] {
            assert_eq!(parse(bad, false), Err(UrlProblem::Invalid), "{bad}");
        }
        assert!(parse("http://127.0.0.1:9/", true).is_ok());
        assert!(matches!(
            parse("https://10.0.0.1/", false),
            Err(UrlProblem::Refused { why: "private", .. })
        ));
        assert!(matches!(
            parse("https://[::ffff:169.254.169.254]/", true),
            Err(UrlProblem::Refused {
                why: "cloud metadata",
                ..
            })
        ));
        assert_eq!(
            parse(&format!("https://a.no/{}", "x".repeat(URL_MAX)), false),
            Err(UrlProblem::Invalid)
        );
    }
}
