//! The client's address behind reverse proxies. The socket peer is the client unless it is one
//! of `web.trusted_proxies`; then the forwarding headers are read from the right (the hop the
//! proxy itself appended) and the first address that is not a trusted proxy is the client.
//! Anything further left was written by the client and cannot be believed.

use axum::http::HeaderMap;
use axum::http::header::FORWARDED;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops = forwarded_hops(headers);
    let mut client = peer;
    for hop in hops.iter().rev() {
        // An unknown or obfuscated hop ends the chain: the last trusted proxy is all we know.
        let Some(ip) = hop else { return client };
        client = *ip;
        if !is_trusted(ip) {
            return client;
        }
    }
    client
}

/// True when the request says it was forwarded (by whoever sent it).
pub fn claims_forwarding(headers: &HeaderMap) -> bool {
    headers.contains_key(FORWARDED) || headers.contains_key("x-forwarded-for")
}

/// The `for=` hops of `Forwarded` (RFC 7239) or, without it, of `X-Forwarded-For`, left to
/// right; `None` for a hop that is not an address.
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let forwarded = values(FORWARDED.as_str());
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(key, _)| key.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, value)| parse_node(value))
            })
            .collect();
    }
    values("x-forwarded-for")
        .iter()
        .map(|hop| parse_node(hop))
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`, `[2001:db8::1]:4711`, optionally quoted.
fn parse_node(raw: &str) -> Option<IpAddr> {
    let node = raw.trim().trim_matches('"');
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(socket) = node.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    node.strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .and_then(|(ip, _)| ip.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn headers_count_only_from_trusted_peers() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let spoofed = headers(&[("x-forwarded-for", "1.2.3.4")]);
        assert_eq!(
            resolve(ip("203.0.113.9"), &spoofed, &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(resolve(ip("10.0.0.2"), &spoofed, &trusted), ip("1.2.3.4"));
        assert_eq!(resolve(ip("10.0.0.2"), &spoofed, &[]), ip("10.0.0.2"));
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // The client wrote 6.6.6.6 itself; the proxies appended 198.51.100.7 and 10.0.0.5.
        let chain = headers(&[
            ("x-forwarded-for", "6.6.6.6, 198.51.100.7"),
            ("x-forwarded-for", "10.0.0.5"),
        ]);
        assert_eq!(
            resolve(ip("10.0.0.2"), &chain, &trusted),
            ip("198.51.100.7")
        );
        let all_trusted = headers(&[("x-forwarded-for", "10.1.1.1, 10.0.0.5")]);
        assert_eq!(
            resolve(ip("10.0.0.2"), &all_trusted, &trusted),
            ip("10.1.1.1")
        );
        let garbage = headers(&[("x-forwarded-for", "6.6.6.6, bukan-alamat, 10.0.0.5")]);
        assert_eq!(resolve(ip("10.0.0.2"), &garbage, &trusted), ip("10.0.0.5"));
    }

    #[test]
    fn forwarded_header_takes_precedence() {
        let trusted: Vec<IpNet> = vec!["127.0.0.1/32".parse().unwrap()];
        let forwarded = headers(&[
            (
                "forwarded",
                "for=6.6.6.6, for=\"[2001:db8::1]:4711\";proto=https",
            ),
            ("x-forwarded-for", "9.9.9.9"),
        ]);
        assert_eq!(
            resolve(ip("127.0.0.1"), &forwarded, &trusted),
            ip("2001:db8::1")
        );
        let with_port = headers(&[("forwarded", "For=198.51.100.7:8080;by=127.0.0.1")]);
        assert_eq!(
            resolve(ip("127.0.0.1"), &with_port, &trusted),
            ip("198.51.100.7")
        );
        let obfuscated = headers(&[("forwarded", "for=_hidden")]);
        assert_eq!(
            resolve(ip("127.0.0.1"), &obfuscated, &trusted),
            ip("127.0.0.1")
        );
    }
}
