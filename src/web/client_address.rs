//! The client address the login throttle counts (RELIABILITY T40): the TCP peer, or — only
//! when the peer is a trusted proxy (`serve --trusted-proxy`) — the right-most
//! `X-Forwarded-For` entry that is not itself a trusted proxy. Entries further left were
//! written by the client and prove nothing; from an untrusted peer the header is ignored.

use std::net::{IpAddr, SocketAddr};

use actix_web::{HttpRequest, web};

/// The proxies whose `X-Forwarded-For` is believed; fixed at start-up.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpAddr>);

impl TrustedProxies {
    pub fn new(proxies: &[IpAddr]) -> Self {
        Self(proxies.iter().map(IpAddr::to_canonical).collect())
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.contains(&ip.to_canonical())
    }
}

/// The address this request's client is counted under, when the peer is known.
pub fn client_address(request: &HttpRequest) -> Option<IpAddr> {
    let peer = request.peer_addr()?.ip();
    let Some(trusted) = request.app_data::<web::Data<TrustedProxies>>() else {
        return Some(peer.to_canonical());
    };
    // A header that is not visible ASCII counts as one unreadable entry, never as absent:
    // skipping it would let an entry further left (the client's own) win.
    let forwarded_for = request
        .headers()
        .get_all("x-forwarded-for")
        .map(|value| value.to_str().unwrap_or("?"));
    Some(resolve(peer, forwarded_for, trusted))
}

/// Walks `X-Forwarded-For` from the right while the hops are trusted proxies. An unreadable
/// entry stops the walk at the last trusted hop: that proxy's own bucket, not a client's.
fn resolve<'a>(
    peer: IpAddr,
    forwarded_for: impl DoubleEndedIterator<Item = &'a str>,
    trusted: &TrustedProxies,
) -> IpAddr {
    let peer = peer.to_canonical();
    if !trusted.contains(peer) {
        return peer;
    }
    let entries: Vec<&str> = forwarded_for.flat_map(|value| value.split(',')).collect();
    let mut client = peer;
    for entry in entries.iter().rev() {
        let Some(hop) = parse_hop(entry) else {
            return client;
        };
        client = hop;
        if !trusted.contains(hop) {
            return hop;
        }
    }
    client
}

/// An entry is an IP, optionally bracketed (IPv6) or with a port.
fn parse_hop(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    let ip = entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            entry
                .strip_prefix('[')?
                .strip_suffix(']')?
                .parse::<IpAddr>()
                .ok()
        })?;
    Some(ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted = TrustedProxies::new(&[ip("10.0.0.1"), ip("10.0.0.2")]);
        let proxy = ip("10.0.0.1");
        let stranger = ip("192.0.2.9");
        for (description, peer, headers, expected) in [
            (
                "untrusted peer: header ignored",
                stranger,
                vec!["203.0.113.5"],
                stranger,
            ),
            (
                "trusted peer, one hop",
                proxy,
                vec!["203.0.113.5"],
                ip("203.0.113.5"),
            ),
            (
                "client-written entries on the left are ignored",
                proxy,
                vec!["198.51.100.1, 203.0.113.5"],
                ip("203.0.113.5"),
            ),
            (
                "trusted hops are skipped",
                proxy,
                vec!["203.0.113.5, 10.0.0.2"],
                ip("203.0.113.5"),
            ),
            (
                "several headers read as one list",
                proxy,
                vec!["198.51.100.1", "203.0.113.5"],
                ip("203.0.113.5"),
            ),
            ("no header: the proxy itself", proxy, vec![], proxy),
            (
                "garbage stops at the last trusted hop",
                proxy,
                vec!["203.0.113.5, not-an-ip, 10.0.0.2"],
                ip("10.0.0.2"),
            ),
            ("only trusted hops", proxy, vec!["10.0.0.2"], ip("10.0.0.2")),
            (
                "ports and brackets",
                proxy,
                vec!["[2001:db8::1]:443"],
                ip("2001:db8::1"),
            ),
            (
                "bare brackets",
                proxy,
                vec!["[2001:db8::1]"],
                ip("2001:db8::1"),
            ),
            (
                "IPv4-mapped peer is the same proxy",
                ip("::ffff:10.0.0.1"),
                vec!["203.0.113.5"],
                ip("203.0.113.5"),
            ),
        ] {
            assert_eq!(
                resolve(peer, headers.into_iter(), &trusted),
                expected,
                "{description}"
            );
        }
    }
}
