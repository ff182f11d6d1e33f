//! Slowing password guessing down without letting anyone lock the owner out (等保 level 3).
//!
//! Failures are counted per account (the phone tried, registered or not, so the behaviour says
//! nothing about which phones exist) and per address, in the database so every node sees them.
//! After a few failures the next attempt must wait 1 s, 2 s, 4 s, … up to 15 minutes
//! ([`DelaySchedule`]); an attempt during the wait is refused with 429 and `Retry-After` without
//! the password being checked. An account's attempt is claimed (counted) before its password is
//! checked, by one guarded statement, so a burst of parallel guesses gets one through, not all.
//! A success forgets the account's failures; an address's are forgotten only with time.
//!
//! The owner's ways back: their usual browser or app, which holds a known-device token
//! ([`device`]) and is counted on its own instead of against the account; and, on a new device,
//! a code sent to their phone (`sign_in_with_code`), held up only by the address's delay, which
//! clears the account's. Bursts of failures for one account or from one address alert the
//! administrators once per window.

pub mod device;
pub mod store;

use chrono::{DateTime, Duration, Utc};
use tianfu_domain::{Phone, UserId};

use crate::App;
use crate::accounts::phone_codes::{self, Purpose};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::error::AppError;
use crate::platform::limits::address_key;
use crate::platform::limits::delay::DelaySchedule;
use store::Failures;

/// The one answer to a wrong password and to an unknown phone.
pub const WRONG_CREDENTIALS: &str = "手机号或密码错误";

const ACCOUNT: &str = "account";
const ADDRESS: &str = "address";
const DEVICE: &str = "device";

/// One attempt's turn: the counters it was counted under (the account's, or a known device's).
#[derive(Debug, Clone)]
pub struct Claim {
    pub counters: Failures,
    scope: &'static str,
    subject: String,
}

/// The counters after one more failure at `now`: forgotten ones start again, the alert window
/// opens anew when it has passed.
pub fn next_failures(
    old: Option<&Failures>,
    now: DateTime<Utc>,
    schedule: &DelaySchedule,
    free: u32,
    alert_window_seconds: u64,
) -> Failures {
    let fresh = old.filter(|f| f.last_at > now - Duration::seconds(schedule.forget_seconds as i64));
    let failures = fresh.map_or(0, |f| f.failures).saturating_add(1);
    let (window_started, window_failures) = match fresh {
        Some(f) if f.window_started > now - Duration::seconds(alert_window_seconds as i64) => {
            (f.window_started, f.window_failures.saturating_add(1))
        }
        _ => (now, 1),
    };
    let wait = schedule.wait_after(failures.max(0) as u32, free);
    Failures {
        failures,
        last_at: now,
        wait_until: now + Duration::seconds(wait as i64),
        window_started,
        window_failures,
    }
}

/// Seconds left to wait, if the counters say to wait at `now`.
pub fn waiting(row: Option<&Failures>, now: DateTime<Utc>) -> Option<u64> {
    row.filter(|f| f.wait_until > now).map(|f| {
        let ms = (f.wait_until - now).num_milliseconds().max(0) as u64;
        ms.div_ceil(1000).max(1)
    })
}

async fn refuse(
    app: &App,
    subject: &str,
    ip: Option<&str>,
    retry_after: u64,
    why: &str,
) -> AppError {
    audit::record(
        &app.db,
        app.clock.now(),
        AuditEntry {
            actor: None,
            action: "login.limited",
            subject,
            ip,
            detail: why,
        },
    )
    .await;
    AppError::TooManyRequests { retry_after }
}

/// 429 while the address must wait.
pub async fn check_address(app: &App, phone: &Phone, ip: Option<&str>) -> Result<(), AppError> {
    let address = &ip.map_or_else(|| "unknown".to_owned(), address_key);
    let row = store::get(&app.db, ADDRESS, address).await?;
    match waiting(row.as_ref(), app.clock.now()) {
        Some(retry) => Err(refuse(app, &phone.masked(), ip, retry, "address must wait").await),
        None => Ok(()),
    }
}

/// Counts this attempt against the account before its password is checked (or, from a device
/// known for this phone — `device` is its key from [`device::known_for`] — against that device);
/// 429 while it must wait, or when another attempt claimed the same turn.
pub async fn claim_account(
    app: &App,
    phone: &Phone,
    ip: Option<&str>,
    device: Option<&str>,
) -> Result<Claim, AppError> {
    let (scope, subject) = match device {
        Some(key) => (DEVICE, key.to_owned()),
        None => (ACCOUNT, phone.as_str().to_owned()),
    };
    let now = app.clock.now();
    let limits = &app.config.limits;
    let old = store::get(&app.db, scope, &subject).await?;
    if let Some(retry) = waiting(old.as_ref(), now) {
        let why = if scope == DEVICE {
            "device must wait"
        } else {
            "account must wait"
        };
        return Err(refuse(app, &phone.masked(), ip, retry, why).await);
    }
    let schedule = &limits.login_delay;
    let new = next_failures(
        old.as_ref(),
        now,
        schedule,
        schedule.free_failures,
        limits.alert.window_seconds,
    );
    if !store::replace(&app.db, scope, &subject, old.as_ref(), &new).await? {
        return Err(refuse(app, &phone.masked(), ip, 1, "concurrent attempt").await);
    }
    Ok(Claim {
        counters: new,
        scope,
        subject,
    })
}

/// After a failed attempt: counts it against the address, and alerts the administrators when
/// the account's or the address's failures in the window reach the threshold.
pub async fn failed(
    app: &App,
    phone: &Phone,
    claim: Option<&Claim>,
    ip: Option<&str>,
) -> Result<(), AppError> {
    let address = &ip.map_or_else(|| "unknown".to_owned(), address_key);
    let limits = &app.config.limits;
    let schedule = &limits.login_delay;
    let mut counted = None;
    // Contention here is another failure from the same address: try again with its count.
    for _ in 0..5 {
        let now = app.clock.now();
        let old = store::get(&app.db, ADDRESS, address).await?;
        let new = next_failures(
            old.as_ref(),
            now,
            schedule,
            schedule.free_failures_address,
            limits.alert.window_seconds,
        );
        if store::replace(&app.db, ADDRESS, address, old.as_ref(), &new).await? {
            counted = Some(new);
            break;
        }
    }
    // A known device's own failures are its owner's typos or a thief's: its growing delay
    // answers them; the account's bursts are what strangers do.
    if let Some(claim) = claim.filter(|c| c.scope == ACCOUNT) {
        alert_if_burst(
            app,
            ACCOUNT,
            phone.as_str(),
            &phone.masked(),
            &claim.counters,
            ip,
        )
        .await?;
    }
    if let Some(counted) = counted {
        alert_if_burst(app, ADDRESS, address, address, &counted, ip).await?;
    }
    Ok(())
}

async fn alert_if_burst(
    app: &App,
    scope: &str,
    subject: &str,
    shown: &str,
    counters: &Failures,
    ip: Option<&str>,
) -> Result<(), AppError> {
    let alert = app.config.limits.alert;
    if counters.window_failures < alert.count as i32 {
        return Ok(());
    }
    let key = format!(
        "login:{scope}:{subject}:{}",
        counters.window_started.timestamp()
    );
    let minutes = alert.window_seconds.div_ceil(60);
    let who = if scope == ACCOUNT {
        format!("账号 {shown}")
    } else {
        format!("地址 {shown}")
    };
    let text = format!(
        "安全提醒：{who} 在{minutes}分钟内登录失败已达{}次，请在审计日志中查看",
        alert.count
    );
    let now = app.clock.now();
    if store::alert_once(&app.db, &key, &text, "/admin/audit", now).await? {
        tracing::warn!(
            scope,
            subject = shown,
            "burst of failed sign-ins: administrators alerted"
        );
        audit::record(
            &app.db,
            now,
            AuditEntry {
                actor: None,
                action: "security.alert",
                subject: &format!("{scope}:{shown}"),
                ip,
                detail: "burst of failed sign-ins",
            },
        )
        .await;
    }
    Ok(())
}

/// Forgets the account's failures (a success, a code sign-in, a password reset).
pub async fn forget_account(app: &App, phone: &str) -> Result<(), AppError> {
    store::forget(&app.db, ACCOUNT, phone).await?;
    Ok(())
}

/// After a success: forgets the failures the attempt was counted under (and the account's).
pub async fn forget_claim(app: &App, phone: &str, claim: &Claim) -> Result<(), AppError> {
    if claim.scope != ACCOUNT {
        store::forget(&app.db, claim.scope, &claim.subject).await?;
    }
    forget_account(app, phone).await
}

/// Signs in with a code sent to the phone (purpose `login`). Held up only by the address's
/// delay; clears the account's. A wrong code counts against the address; an unknown phone never
/// has a code, so it gets the same answer as a wrong one.
pub async fn sign_in_with_code(
    app: &App,
    phone: &str,
    code: &str,
    ip: Option<&str>,
) -> Result<UserId, AppError> {
    let Ok(phone) = Phone::parse(phone) else {
        return Err(AppError::validation("phone", "请输入11位手机号"));
    };
    check_address(app, &phone, ip).await?;
    let now = app.clock.now();
    let audit = |actor: Option<UserId>, action: &'static str, detail: &'static str| {
        let subject = phone.masked();
        async move {
            audit::record(
                &app.db,
                now,
                AuditEntry {
                    actor,
                    action,
                    subject: &subject,
                    ip,
                    detail,
                },
            )
            .await;
        }
    };
    if let Err(refusal) =
        phone_codes::redeem(app, phone.as_str(), Purpose::Login, Some(code), "sms_code").await
    {
        if let AppError::Internal(_) = refusal {
            return Err(refusal);
        }
        failed(app, &phone, None, ip).await?;
        audit(None, "login.failure", "wrong SMS code").await;
        return Err(refusal);
    }
    let Some(id) = phone_codes::store::user_with_phone(&app.db, phone.as_str()).await? else {
        return Err(AppError::validation("sms_code", phone_codes::WRONG));
    };
    forget_account(app, phone.as_str()).await?;
    audit(Some(UserId(id)), "login.success", "by SMS code").await;
    Ok(UserId(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_grow_the_wait_and_are_forgotten_in_time() {
        let schedule = DelaySchedule::default();
        let start = Utc::now();
        let mut row: Option<Failures> = None;
        let mut waits = Vec::new();
        for i in 0..6 {
            let now = start + Duration::seconds(i * 100);
            let next = next_failures(row.as_ref(), now, &schedule, 3, 900);
            waits.push((next.wait_until - now).num_seconds());
            row = Some(next);
        }
        assert_eq!(waits, [0, 0, 1, 2, 4, 8]);
        let row = row.unwrap();
        assert_eq!(row.failures, 6);
        // 0..500 s: the window opened at the first failure still holds them all.
        assert_eq!(row.window_failures, 6);
        let later = start + Duration::seconds(500 + 900);
        let next = next_failures(Some(&row), later, &schedule, 3, 900);
        assert_eq!((next.failures, next.window_failures), (7, 1));
        let next_day = start + Duration::days(2);
        let next = next_failures(Some(&row), next_day, &schedule, 3, 900);
        assert_eq!(next.failures, 1, "a day later the count starts again");
        assert_eq!(waiting(Some(&next), next_day), None);
    }

    #[test]
    fn a_wait_is_reported_in_whole_seconds_rounded_up() {
        let now = Utc::now();
        let row = Failures {
            failures: 4,
            last_at: now,
            wait_until: now + Duration::milliseconds(1500),
            window_started: now,
            window_failures: 4,
        };
        assert_eq!(waiting(Some(&row), now), Some(2));
        assert_eq!(waiting(Some(&row), now + Duration::seconds(2)), None);
    }
}
