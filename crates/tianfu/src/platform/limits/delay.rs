//! The delay schedule after wrong passwords. A fixed lock after N failures lets anyone lock the
//! owner (or the administrator) out by typing wrong passwords; a growing delay instead makes
//! guessing slow while the owner, who also has a code sent to their phone, is never shut out.

/// After `free_failures` failures in a row the next attempt waits `base_seconds` (1 s), then
/// twice that, four times, …, never more than `cap_seconds`. An address gets more free failures than an account (an office or a
/// mobile network shares one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DelaySchedule {
    pub free_failures: u32,
    pub free_failures_address: u32,
    pub base_seconds: u64,
    pub cap_seconds: u64,
    /// Failures older than this are forgotten (the count starts again).
    pub forget_seconds: u64,
}

impl Default for DelaySchedule {
    fn default() -> Self {
        DelaySchedule {
            free_failures: 3,
            free_failures_address: 20,
            base_seconds: 1,
            cap_seconds: 15 * 60,
            forget_seconds: 24 * 3600,
        }
    }
}

impl DelaySchedule {
    /// Seconds the next attempt must wait after `failures` failures, when `free` come free:
    /// 0 below `free`, then base × 2^(failures − free), capped.
    pub fn wait_after(&self, failures: u32, free: u32) -> u64 {
        if failures < free {
            return 0;
        }
        let exponent = failures - free;
        if exponent >= 63 {
            return self.cap_seconds;
        }
        (1u64 << exponent)
            .saturating_mul(self.base_seconds)
            .min(self.cap_seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::DelaySchedule;

    #[test]
    fn the_first_failures_are_free_then_the_wait_doubles_up_to_the_cap() {
        let schedule = DelaySchedule::default();
        let waits: Vec<u64> = (0..8).map(|n| schedule.wait_after(n, 3)).collect();
        assert_eq!(waits, [0, 0, 0, 1, 2, 4, 8, 16]);
        assert_eq!(schedule.wait_after(12, 3), 512);
        assert_eq!(schedule.wait_after(13, 3), 900);
        assert_eq!(schedule.wait_after(1_000, 3), 900);
        assert_eq!(schedule.wait_after(u32::MAX, 0), 900);
    }

    #[test]
    fn an_address_gets_its_own_allowance() {
        let schedule = DelaySchedule::default();
        assert_eq!(schedule.wait_after(19, schedule.free_failures_address), 0);
        assert_eq!(schedule.wait_after(20, schedule.free_failures_address), 1);
    }
}
