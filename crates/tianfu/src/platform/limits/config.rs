//! The numbers behind the rate limits and the login delays, with production defaults and
//! environment overrides (`TIANFU_LIMIT_<RULE>=<count>/<seconds>`, e.g. `TIANFU_LIMIT_LOGIN=30/300`).

use super::delay::DelaySchedule;

/// At most `count` requests in `window_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub count: u32,
    pub window_seconds: u64,
}

impl Limit {
    pub const fn new(count: u32, window_seconds: u64) -> Self {
        Limit {
            count,
            window_seconds,
        }
    }

    /// `"30/300"`: thirty in five minutes.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (count, seconds) = text
            .trim()
            .split_once('/')
            .ok_or_else(|| format!("expected <count>/<seconds>, got {text:?}"))?;
        let count: u32 = count
            .trim()
            .parse()
            .map_err(|_| format!("bad count in {text:?}"))?;
        let window_seconds: u64 = seconds
            .trim()
            .parse()
            .ok()
            .filter(|s| *s > 0)
            .ok_or_else(|| format!("bad number of seconds in {text:?}"))?;
        Ok(Limit::new(count, window_seconds))
    }
}

/// Every limit, per client address unless the name says otherwise.
#[derive(Debug, Clone)]
pub struct LimitsConfig {
    /// Registrations (API and page).
    pub register: Limit,
    /// Sign-in attempts, by password or by code.
    pub login: Limit,
    /// Password resets.
    pub reset: Limit,
    /// Verification codes asked for.
    pub codes: Limit,
    /// Verification codes asked for one phone number, whatever the address.
    pub codes_per_phone: Limit,
    /// Searches (`/search`, `GET /api/v1/search`).
    pub search: Limit,
    /// Every other POST, PUT, PATCH and DELETE.
    pub writes: Limit,
    /// The same, per session (signed-in account), so one account cannot hide behind many addresses.
    pub writes_per_account: Limit,
    /// Delays after wrong passwords, per account and per address.
    pub login_delay: DelaySchedule,
    /// This many failed sign-ins for one account, or from one address, within the window alert
    /// the administrators (once per account or address and window).
    pub alert: Limit,
}

impl Default for LimitsConfig {
    /// Production defaults: generous for a person (or an office behind one address), far below
    /// what a script does.
    fn default() -> Self {
        LimitsConfig {
            register: Limit::new(10, 3600),
            login: Limit::new(30, 300),
            reset: Limit::new(10, 3600),
            codes: Limit::new(10, 3600),
            codes_per_phone: Limit::new(5, 3600),
            search: Limit::new(60, 60),
            writes: Limit::new(120, 60),
            writes_per_account: Limit::new(60, 60),
            login_delay: DelaySchedule::default(),
            alert: Limit::new(20, 900),
        }
    }
}

impl LimitsConfig {
    /// Limits no ordinary test reaches (the test suite registers and signs in hundreds of
    /// accounts from 127.0.0.1 within seconds); tests of the limits lower the one they test.
    pub fn unreachable() -> Self {
        let lots = Limit::new(1_000_000, 60);
        LimitsConfig {
            register: lots,
            login: lots,
            reset: lots,
            codes: lots,
            codes_per_phone: lots,
            search: lots,
            writes: lots,
            writes_per_account: lots,
            login_delay: DelaySchedule {
                free_failures: 3,
                free_failures_address: 1_000_000,
                // A minute, not a second: a test's next request must still be inside the wait
                // however slow the machine; tests move the clock past it.
                base_seconds: 60,
                ..DelaySchedule::default()
            },
            alert: Limit::new(1_000_000, 900),
        }
    }

    pub fn from_env() -> anyhow::Result<Self> {
        let mut config = LimitsConfig::default();
        let limits: [(&str, &mut Limit); 9] = [
            ("TIANFU_LIMIT_REGISTER", &mut config.register),
            ("TIANFU_LIMIT_LOGIN", &mut config.login),
            ("TIANFU_LIMIT_RESET", &mut config.reset),
            ("TIANFU_LIMIT_CODES", &mut config.codes),
            ("TIANFU_LIMIT_CODES_PER_PHONE", &mut config.codes_per_phone),
            ("TIANFU_LIMIT_SEARCH", &mut config.search),
            ("TIANFU_LIMIT_WRITES", &mut config.writes),
            (
                "TIANFU_LIMIT_WRITES_PER_ACCOUNT",
                &mut config.writes_per_account,
            ),
            ("TIANFU_LOGIN_ALERT", &mut config.alert),
        ];
        for (name, slot) in limits {
            if let Ok(text) = std::env::var(name) {
                *slot = Limit::parse(&text).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            }
        }
        let number = |name: &str| -> anyhow::Result<Option<u64>> {
            match std::env::var(name) {
                Ok(text) => text
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| anyhow::anyhow!("{name} must be a whole number")),
                Err(_) => Ok(None),
            }
        };
        let delay = &mut config.login_delay;
        if let Some(n) = number("TIANFU_LOGIN_FREE_FAILURES")? {
            delay.free_failures = n as u32;
        }
        if let Some(n) = number("TIANFU_LOGIN_FREE_FAILURES_PER_ADDRESS")? {
            delay.free_failures_address = n as u32;
        }
        if let Some(n) = number("TIANFU_LOGIN_DELAY_BASE_SECONDS")? {
            delay.base_seconds = n.max(1);
        }
        if let Some(n) = number("TIANFU_LOGIN_DELAY_CAP_SECONDS")? {
            delay.cap_seconds = n.max(1);
        }
        if let Some(n) = number("TIANFU_LOGIN_FAILURES_FORGET_SECONDS")? {
            delay.forget_seconds = n.max(1);
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::Limit;

    #[test]
    fn limits_are_read_as_count_per_seconds() {
        assert_eq!(Limit::parse("30/300"), Ok(Limit::new(30, 300)));
        assert_eq!(Limit::parse(" 5 / 60 "), Ok(Limit::new(5, 60)));
        assert!(Limit::parse("30").is_err());
        assert!(Limit::parse("30/0").is_err());
        assert!(Limit::parse("x/60").is_err());
    }
}
