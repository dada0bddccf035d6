//! Which addresses a webhook may never reach: the blocks of IANA's IPv4
//! and IPv6 special-purpose address registries that are not globally
//! reachable, multicast, and cloud metadata services; and the IPv4 address
//! inside every IPv6 form that carries one (mapped, compatible, SIIT,
//! NAT64, 6to4, Teredo, ISATAP), judged as that IPv4 address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is refused, and whether the operator may allow it
/// (`MELDEPLIKT_WEBHOOK_ALLOW_PRIVATE`): loopback, private, shared and
/// unique-local addresses are "private"; the rest never are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub why: &'static str,
    pub private: bool,
}

const fn never(why: &'static str) -> Refused {
    Refused {
        why,
        private: false,
    }
}

const fn private(why: &'static str) -> Refused {
    Refused { why, private: true }
}

/// The addresses of cloud providers' instance metadata services.
const METADATA: [IpAddr; 6] = [
    IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254)),
    IpAddr::V4(Ipv4Addr::new(169, 254, 170, 2)),
    IpAddr::V4(Ipv4Addr::new(169, 254, 170, 23)),
    IpAddr::V4(Ipv4Addr::new(100, 100, 100, 200)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23)),
];

/// IPv4 blocks not globally reachable (IANA IPv4 special-purpose address
/// registry, plus multicast and the limited broadcast address); the first
/// match decides.
const V4: [([u8; 4], u8, Refused); 19] = [
    ([192, 0, 0, 9], 32, Refused::REACHABLE),
    ([192, 0, 0, 10], 32, Refused::REACHABLE),
    ([0, 0, 0, 0], 8, never("unspecified")),
    ([10, 0, 0, 0], 8, private("private")),
    ([100, 64, 0, 0], 10, private("shared address space")),
    ([127, 0, 0, 0], 8, private("loopback")),
    ([169, 254, 0, 0], 16, never("link-local")),
    ([172, 16, 0, 0], 12, private("private")),
    ([192, 0, 0, 0], 24, never("protocol assignments")),
    ([192, 0, 2, 0], 24, never("documentation")),
    ([192, 88, 99, 0], 24, never("6to4 relay anycast")),
    ([192, 168, 0, 0], 16, private("private")),
    ([198, 18, 0, 0], 15, never("benchmarking")),
    ([198, 51, 100, 0], 24, never("documentation")),
    ([203, 0, 113, 0], 24, never("documentation")),
    ([224, 0, 0, 0], 4, never("multicast")),
    ([255, 255, 255, 255], 32, never("reserved")),
    ([240, 0, 0, 0], 4, never("reserved")),
    ([0, 0, 0, 0], 0, Refused::REACHABLE),
];

/// IPv6 blocks not globally reachable (IANA IPv6 special-purpose address
/// registry, the deprecated site-local block, multicast); the first match
/// decides. The blocks that carry an IPv4 address are judged by it first.
const V6: [([u16; 8], u8, Refused); 22] = [
    ([0, 0, 0, 0, 0, 0, 0, 1], 128, private("loopback")),
    ([0, 0, 0, 0, 0, 0, 0, 0], 128, never("unspecified")),
    (
        [0x64, 0xff9b, 1, 0, 0, 0, 0, 0],
        48,
        never("local-use translation"),
    ),
    ([0x100, 0, 0, 0, 0, 0, 0, 0], 64, never("discard-only")),
    ([0x100, 0, 0, 1, 0, 0, 0, 0], 64, never("dummy prefix")),
    ([0x2001, 1, 0, 0, 0, 0, 0, 1], 128, Refused::REACHABLE),
    ([0x2001, 1, 0, 0, 0, 0, 0, 2], 128, Refused::REACHABLE),
    ([0x2001, 1, 0, 0, 0, 0, 0, 3], 128, Refused::REACHABLE),
    ([0x2001, 3, 0, 0, 0, 0, 0, 0], 32, Refused::REACHABLE),
    ([0x2001, 4, 0x112, 0, 0, 0, 0, 0], 48, Refused::REACHABLE),
    ([0x2001, 0x20, 0, 0, 0, 0, 0, 0], 28, Refused::REACHABLE),
    ([0x2001, 0x30, 0, 0, 0, 0, 0, 0], 28, Refused::REACHABLE),
    (
        [0x2001, 0xdb8, 0, 0, 0, 0, 0, 0],
        32,
        never("documentation"),
    ),
    (
        [0x2001, 0, 0, 0, 0, 0, 0, 0],
        23,
        never("protocol assignments"),
    ),
    ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, never("documentation")),
    ([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16, never("segment routing")),
    ([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, private("unique local")),
    ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, never("link-local")),
    ([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, never("site-local")),
    ([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, never("multicast")),
    ([0, 0, 0, 0, 0, 0, 0, 0], 8, never("reserved")),
    ([0, 0, 0, 0, 0, 0, 0, 0], 0, Refused::REACHABLE),
];

impl Refused {
    /// Marks a block that is reachable (an exception inside a refused one).
    const REACHABLE: Refused = Refused {
        why: "",
        private: false,
    };
}

/// Why `ip` may not be reached, if it may not; `None` for a globally
/// reachable address.
pub fn judge(ip: IpAddr) -> Option<Refused> {
    match ip {
        IpAddr::V4(v4) => judge_v4(v4),
        IpAddr::V6(v6) => judge_v6(v6),
    }
}

fn judge_v4(ip: Ipv4Addr) -> Option<Refused> {
    if METADATA.contains(&IpAddr::V4(ip)) {
        return Some(never("cloud metadata"));
    }
    let bits = u32::from(ip);
    let found = V4
        .iter()
        .find(|(block, len, _)| within32(bits, u32::from_be_bytes(*block), *len));
    found
        .map(|(_, _, refused)| *refused)
        .filter(|r| !r.why.is_empty())
}

fn judge_v6(ip: Ipv6Addr) -> Option<Refused> {
    if METADATA.contains(&IpAddr::V6(ip)) {
        return Some(never("cloud metadata"));
    }
    let embedded = embedded_v4(ip);
    // Every IPv4 address inside is judged; the first refused one decides.
    if let Some(refused) = embedded.iter().flatten().find_map(|v4| judge_v4(*v4)) {
        return Some(refused);
    }
    let bits = u128::from(ip);
    let found = V6
        .iter()
        .find(|(block, len, _)| within128(bits, u128::from(Ipv6Addr::from(*block)), *len));
    let refused = found
        .map(|(_, _, refused)| *refused)
        .filter(|r| !r.why.is_empty());
    // The blocks that only carry IPv4 (mapped, compatible, SIIT) are what
    // their IPv4 address is; "reserved" ::/8 does not refuse them again.
    if embedded[0].is_some() && refused.is_some_and(|r| r.why == "reserved") {
        return None;
    }
    refused
}

/// The IPv4 addresses an IPv6 address carries: [whole-address forms
/// (mapped, compatible, SIIT, NAT64), 6to4, Teredo server, Teredo client,
/// ISATAP interface identifier].
fn embedded_v4(ip: Ipv6Addr) -> [Option<Ipv4Addr>; 5] {
    let s = ip.segments();
    let low = Ipv4Addr::from(u128::from(ip) as u32);
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    let whole = match s[..6] {
        // ::a.b.c.d (compatible; not :: and ::1), ::ffff:a.b.c.d (mapped),
        // ::ffff:0:a.b.c.d (SIIT), 64:ff9b::a.b.c.d (NAT64).
        [0, 0, 0, 0, 0, 0] if u32::from(low) > 1 => Some(low),
        [0, 0, 0, 0, 0, 0xffff] | [0, 0, 0, 0, 0xffff, 0] | [0x64, 0xff9b, 0, 0, 0, 0] => Some(low),
        // 64:ff9b:1::/48 carries one wherever its operator put it: the
        // low 32 bits are judged (the block itself is refused anyway).
        [0x64, 0xff9b, 1, ..] => Some(low),
        _ => None,
    };
    let six_to_four = (s[0] == 0x2002).then(|| v4(s[1], s[2]));
    let teredo = s[0] == 0x2001 && s[1] == 0;
    let teredo_server = teredo.then(|| v4(s[2], s[3]));
    let teredo_client = teredo.then(|| v4(!s[6], !s[7]));
    let isatap = (matches!(s[4], 0 | 0x200) && s[5] == 0x5efe).then_some(low);
    [whole, six_to_four, teredo_server, teredo_client, isatap]
}

fn within32(bits: u32, block: u32, len: u8) -> bool {
    len == 0 || (bits ^ block) >> (32 - u32::from(len)) == 0
}

fn within128(bits: u128, block: u128, len: u8) -> bool {
    len == 0 || (bits ^ block) >> (128 - u32::from(len)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(text: &str) -> Option<&'static str> {
        judge(text.parse().unwrap()).map(|r| r.why)
    }

    #[test]
    fn ipv6_forms_that_carry_ipv4_are_judged_by_the_ipv4_address() {
        for (address, kind) in [
            ("::127.0.0.1", "loopback"),
            ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:0:127.0.0.1", "loopback"),
            ("64:ff9b::7f00:1", "loopback"),
            ("64:ff9b:1::7f00:1", "loopback"),
            ("2002:7f00:1::", "loopback"),
            ("2002:a00:1::1", "private"),
            ("2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback"),
            ("2001:db8::5efe:10.0.0.1", "private"),
            ("::a9fe:a9fe", "cloud metadata"),
            ("::ffff:a9fe:a9fe", "cloud metadata"),
            ("::ffff:0:a9fe:a9fe", "cloud metadata"),
            ("64:ff9b::a9fe:a9fe", "cloud metadata"),
            ("2002:a9fe:a9fe::", "cloud metadata"),
        ] {
            assert_eq!(why(address), Some(kind), "{address}");
        }
        for public in ["::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"] {
            assert_eq!(why(public), None, "{public}");
        }
    }

    #[test]
    fn special_purpose_blocks_that_are_not_globally_reachable_are_refused() {
        for (address, kind) in [
            ("192.0.0.192", "protocol assignments"),
            ("198.18.0.1", "benchmarking"),
            ("198.19.255.255", "benchmarking"),
            ("192.0.2.2", "documentation"),
            ("198.51.100.7", "documentation"),
            ("203.0.113.9", "documentation"),
            ("192.88.99.1", "6to4 relay anycast"),
            ("240.0.0.1", "reserved"),
            ("0.1.2.3", "unspecified"),
            ("fec0::1", "site-local"),
            ("100::1", "discard-only"),
            ("2001:db8::1", "documentation"),
            ("2001:2::1", "protocol assignments"),
            ("3fff::1", "documentation"),
            ("5f00::1", "segment routing"),
            ("ff0e::1", "multicast"),
        ] {
            assert_eq!(why(address), Some(kind), "{address}");
        }
        for reachable in [
            "192.0.0.9",
            "192.0.0.10",
            "198.20.0.1",
            "2001:4:112::1",
            "2001:20::1",
            "2a00:1450:400f::200e",
            "1.1.1.1",
        ] {
            assert_eq!(why(reachable), None, "{reachable}");
        }
    }

    #[test]
    fn only_loopback_private_shared_and_unique_local_count_as_private() {
        let private = |text: &str| judge(text.parse().unwrap()).map(|r| r.private);
        for yes in [
            "127.0.0.1",
            "10.0.0.1",
            "172.31.0.1",
            "192.168.0.1",
            "100.64.0.1",
        ] {
            assert_eq!(private(yes), Some(true), "{yes}");
        }
        for no in [
            "169.254.169.254",
            "::a9fe:a9fe",
            "198.18.0.1",
            "fe80::1",
            "fec0::1",
        ] {
            assert_eq!(private(no), Some(false), "{no}");
        }
        assert_eq!(private("::1"), Some(true));
        assert_eq!(private("fd12::1"), Some(true));
    }
}
