//! Login throttling that cannot be turned against the rightful user (RELIABILITY T16, T40;
//! OWASP Authentication and Credential Stuffing cheat sheets: device cookies, backoff).
//!
//! - An attempt that presents a valid device cookie for the account it logs in to is judged by
//!   that device's own failures only: trusted until [`DEVICE_TRUSTED_FAILURES`] in a row,
//!   whatever other clients did to the account or the address.
//! - Every other attempt meets exponential backoff per account ([`ACCOUNT_RULE`]) and per
//!   client address ([`ADDRESS_RULE`]): a few seconds to at most five minutes, never a lock of
//!   everyone behind an address. A success resets the account and the device, not the address.
//! - Unknown user names get counters like real ones, so throttling reveals no accounts.
//!
//! The counters live in SQLite (`store::throttle`), not in memory: `xeroctl admin unlock-user`
//! runs in another process and must take effect on the server's next attempt, and the table
//! costs one indexed read per attempt and one write per failure, small beside the argon2
//! verification each attempt pays. Judging and recording are separate steps, so attempts
//! already past the check while others fail are not refused; the password pool bounds how many
//! can be in flight (a few per core).

use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::auth::device::{DeviceCookie, DeviceKey};
use crate::ops::{OpsError, Services};
use crate::store::{self, Store, StoreError, throttle::FailureCount};

/// How one kind of key backs off: free failures, then `first_backoff` (1 s), twice that, four
/// times … up to `cap` after each further failure; failures are forgotten `window` after the
/// first one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffRule {
    pub free_failures: u32,
    pub first_backoff: Duration,
    pub cap: Duration,
    pub window: Duration,
}

/// Per account: five free failures, then 1 s, 2 s, 4 s … up to five minutes.
pub const ACCOUNT_RULE: BackoffRule = BackoffRule {
    free_failures: 5,
    first_backoff: Duration::from_secs(1),
    cap: Duration::from_secs(5 * 60),
    window: Duration::from_secs(24 * 60 * 60),
};

/// Per client address (IPv6 by /64): higher, since many users may share one (NAT, proxies).
pub const ADDRESS_RULE: BackoffRule = BackoffRule {
    free_failures: 50,
    first_backoff: Duration::from_secs(1),
    cap: Duration::from_secs(5 * 60),
    window: Duration::from_secs(15 * 60),
};

/// A device cookie stops counting as trusted after this many failures in a row.
pub const DEVICE_TRUSTED_FAILURES: u32 = 5;

/// The rules a server throttles logins by: the constants above, unless tests change them
/// (a test cannot afford fifty argon2 verifications to reach the address limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub account: BackoffRule,
    pub address: BackoffRule,
    pub device_trusted_failures: u32,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            account: ACCOUNT_RULE,
            address: ADDRESS_RULE,
            device_trusted_failures: DEVICE_TRUSTED_FAILURES,
        }
    }
}
/// A device's failures are kept as long as its cookie lives, so only a success resets them.
const DEVICE_WINDOW: Duration =
    Duration::from_secs(crate::auth::device::DEVICE_COOKIE_DAYS as u64 * 24 * 60 * 60);
const DEVICE_SECRET: &str = "device_cookie";

impl BackoffRule {
    /// How long after the last failure the next attempt must wait, given the failures so far.
    pub fn backoff(&self, failures: u32) -> Duration {
        let Some(doublings) = failures.checked_sub(self.free_failures) else {
            return Duration::ZERO;
        };
        match 1u32.checked_shl(doublings) {
            Some(factor) => self.first_backoff.saturating_mul(factor).min(self.cap),
            None => self.cap,
        }
    }

    /// How long an attempt at `now` (Unix ms) must still wait, in whole seconds rounded up
    /// (what `Retry-After` can say); `None` when it may go ahead.
    fn wait(&self, count: Option<FailureCount>, now: i64) -> Option<Duration> {
        let count = count?;
        let backoff = i64::try_from(self.backoff(count.failures).as_millis()).unwrap_or(i64::MAX);
        let remaining = count
            .last_failure_at
            .saturating_add(backoff)
            .saturating_sub(now);
        let remaining = u64::try_from(remaining).ok().filter(|ms| *ms > 0)?;
        Some(Duration::from_secs(remaining.div_ceil(1000)))
    }
}

/// The throttle keys of one login attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptKeys {
    account: String,
    account_key: String,
    address_key: Option<String>,
    /// Present only for a valid device cookie naming this attempt's account.
    device_key: Option<String>,
}

impl AttemptKeys {
    /// Keys for a login as `username` from `client`, with the device cookie the browser sent.
    pub fn new(
        key: &DeviceKey,
        username: &str,
        client: Option<IpAddr>,
        device_cookie: Option<&str>,
    ) -> Self {
        let account = account_name(username);
        let device_key = device_cookie
            .and_then(|value| DeviceCookie::verify(key, value))
            .filter(|cookie| cookie.account() == account)
            .map(|cookie| format!("device:{account}:{}", cookie.nonce()));
        Self {
            account_key: format!("account:{account}"),
            address_key: client.map(|ip| format!("address:{}", address_bucket(ip))),
            device_key,
            account,
        }
    }

    /// Whether the attempt carries a valid device cookie for its account.
    pub fn has_device(&self) -> bool {
        self.device_key.is_some()
    }
}

/// What the throttle says about an attempt before its password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A trusted device: only its own failures count.
    TrustedDevice,
    /// No backoff in force.
    Allowed,
    /// Refused; try again after this long.
    Wait(Duration),
}

/// The name the throttle and the device cookie know an account by.
pub fn account_name(username: &str) -> String {
    username.trim().to_lowercase()
}

/// Addresses are throttled one by one, except IPv6 by /64: one host often holds a whole /64.
fn address_bucket(ip: IpAddr) -> String {
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

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Judges an attempt from the stored counters.
pub async fn judge(services: &Services, keys: &AttemptKeys) -> Result<Verdict, OpsError> {
    let keys = keys.clone();
    let policy = services.throttle;
    let now = now_millis();
    Ok(services
        .store
        .call(move |conn| {
            if let Some(device) = &keys.device_key {
                let failures =
                    store::throttle::find_failures(conn, device, now)?.map_or(0, |c| c.failures);
                if failures < policy.device_trusted_failures {
                    return Ok(Verdict::TrustedDevice);
                }
            }
            let account = store::throttle::find_failures(conn, &keys.account_key, now)?;
            let mut wait = policy.account.wait(account, now);
            if let Some(address) = &keys.address_key {
                let count = store::throttle::find_failures(conn, address, now)?;
                wait = wait.max(policy.address.wait(count, now));
            }
            Ok(wait.map_or(Verdict::Allowed, Verdict::Wait))
        })
        .await?)
}

/// Counts a failed attempt: on the device alone when it was trusted, else on the account, the
/// address and (if any) the device.
pub async fn record_failure(
    services: &Services,
    keys: &AttemptKeys,
    verdict: Verdict,
) -> Result<(), OpsError> {
    let keys = keys.clone();
    let policy = services.throttle;
    let now = now_millis();
    Ok(services
        .store
        .write(move |tx| {
            let account = Some(keys.account.as_str());
            if let Some(device) = &keys.device_key {
                store::throttle::record_failure(tx, device, account, now, millis(DEVICE_WINDOW))?;
            }
            if verdict == Verdict::TrustedDevice {
                return Ok(());
            }
            let window = millis(policy.account.window);
            store::throttle::record_failure(tx, &keys.account_key, account, now, window)?;
            if let Some(address) = &keys.address_key {
                let window = millis(policy.address.window);
                store::throttle::record_failure(tx, address, None, now, window)?;
            }
            Ok(())
        })
        .await?)
}

/// A success resets the account and the device, never the address (an attacker's own
/// account must not buy more guesses from the address).
pub async fn record_success(services: &Services, keys: &AttemptKeys) -> Result<(), OpsError> {
    let mut cleared = vec![keys.account_key.clone()];
    cleared.extend(keys.device_key.clone());
    Ok(services
        .store
        .write(move |tx| store::throttle::clear_failures(tx, &cleared))
        .await?)
}

/// Issues the device cookie a successful login sets.
pub fn issue_device_cookie(key: &DeviceKey, username: &str) -> String {
    DeviceCookie::issue(key, &account_name(username)).1
}

/// Reads the data directory's device cookie key, creating it on first use.
pub fn load_device_key(store: &Store) -> Result<DeviceKey, StoreError> {
    let candidate = DeviceKey::generate();
    let bytes = store.write_blocking(|tx| {
        store::throttle::ensure_secret(tx, DEVICE_SECRET, candidate.as_bytes(), &store::now())
    })?;
    DeviceKey::from_bytes(&bytes).ok_or_else(|| {
        StoreError::Conflict(format!("stored secret `{DEVICE_SECRET}` is not 32 bytes"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_back_off_exponentially_after_five_failures_up_to_five_minutes() {
        let schedule: Vec<u64> = (0..=16)
            .map(|failures| ACCOUNT_RULE.backoff(failures).as_secs())
            .collect();
        assert_eq!(
            schedule,
            [
                0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300
            ]
        );
        assert_eq!(ACCOUNT_RULE.backoff(u32::MAX), Duration::from_secs(300));
        let slow = BackoffRule {
            first_backoff: Duration::from_secs(60),
            ..ACCOUNT_RULE
        };
        assert_eq!(slow.backoff(5), Duration::from_secs(60));
        assert_eq!(slow.backoff(7), Duration::from_secs(240));
        assert_eq!(slow.backoff(8), Duration::from_secs(300), "capped");
    }

    #[test]
    fn addresses_get_fifty_free_failures_then_the_same_backoff() {
        assert_eq!(ADDRESS_RULE.backoff(49), Duration::ZERO);
        assert_eq!(ADDRESS_RULE.backoff(50), Duration::from_secs(1));
        assert_eq!(ADDRESS_RULE.backoff(53), Duration::from_secs(8));
        assert_eq!(ADDRESS_RULE.backoff(1_000), Duration::from_secs(300));
    }

    #[test]
    fn the_wait_counts_from_the_last_failure_and_rounds_up_to_seconds() {
        let count = |failures| {
            Some(FailureCount {
                failures,
                last_failure_at: 10_000,
            })
        };
        for (description, counted, now, expected) in [
            ("no failures", None, 10_000, None),
            ("free failures", count(4), 10_000, None),
            ("1 s backoff, at once", count(5), 10_000, Some(1)),
            ("1 s backoff, 1 ms left", count(5), 10_999, Some(1)),
            ("1 s backoff, over", count(5), 11_000, None),
            ("4 s backoff, 2.5 s left", count(7), 11_500, Some(3)),
        ] {
            assert_eq!(
                ACCOUNT_RULE.wait(counted, now),
                expected.map(Duration::from_secs),
                "{description}"
            );
        }
    }

    #[test]
    fn a_device_cookie_counts_only_for_its_own_account() {
        let key = DeviceKey::generate();
        let value = issue_device_cookie(&key, " Alice ");
        assert!(AttemptKeys::new(&key, "alice", None, Some(&value)).has_device());
        assert!(AttemptKeys::new(&key, "ALICE", None, Some(&value)).has_device());
        assert!(!AttemptKeys::new(&key, "bob", None, Some(&value)).has_device());
        assert!(
            !AttemptKeys::new(&DeviceKey::generate(), "alice", None, Some(&value)).has_device()
        );
        assert!(!AttemptKeys::new(&key, "alice", None, None).has_device());
    }

    #[test]
    fn ipv6_addresses_share_a_bucket_per_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_bucket(a), address_bucket(b));
        assert_ne!(address_bucket(a), address_bucket(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(address_bucket(mapped), "192.0.2.7");
    }
}
