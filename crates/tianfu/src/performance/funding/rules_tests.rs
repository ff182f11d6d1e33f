//! Hand-computed allocations, and many random pools and scores: the sum is always the pool, no
//! amount is negative, each is within 1 fen of its exact share.

use super::*;

fn units(scores: &[Option<f64>]) -> Vec<(String, Option<f64>)> {
    scores
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("51{:02}", i + 1), *s))
        .collect()
}

const LINEAR: Formula = Formula {
    curve: Curve::Linear,
    min_score: None,
};

fn amounts(shares: &[Share]) -> Vec<i64> {
    shares.iter().map(|s| s.amount_fen).collect()
}

#[test]
fn a_small_case_by_hand() {
    // 1,000 fen, 30% even: 300 → 100 each; 700 by scores 50, 30, 20 → 350, 210, 140.
    let shares = allocate(
        1000,
        0.3,
        &units(&[Some(50.0), Some(30.0), Some(20.0)]),
        &LINEAR,
        "各市（州）",
    );
    assert_eq!(amounts(&shares), vec![450, 310, 240]);
    assert_eq!(shares[0].base_fen, 100);
    assert_eq!(shares[0].by_score_fen, 350);
    assert_eq!(
        shares[0].why,
        "基础额 1.00 元 + 得分 50.00 占各市（州）得分合计的 50.00%，分得 3.50 元，合计 4.50 元"
    );
}

#[test]
fn remainders_go_to_the_largest_fractions_then_the_smaller_code() {
    // 10 fen evenly among 3: 3.33 each; the one spare fen goes to the smallest code.
    let shares = allocate(10, 1.0, &units(&[None, None, None]), &LINEAR, "各市（州）");
    assert_eq!(amounts(&shares), vec![4, 3, 3]);
    assert!(shares[0].why.ends_with("（含按最大余额法补足的 1 分）"));
    // 1 fen by scores 1, 2: shares 1/3 and 2/3; the larger fraction wins.
    let shares = allocate(
        1,
        0.0,
        &units(&[Some(1.0), Some(2.0)]),
        &LINEAR,
        "各市（州）",
    );
    assert_eq!(amounts(&shares), vec![0, 1]);
}

#[test]
fn zero_scores_split_the_rest_evenly_and_say_so() {
    let shares = allocate(
        1_000_003,
        0.0,
        &units(&[Some(0.0), None, Some(0.0)]),
        &LINEAR,
        "各市（州）",
    );
    assert_eq!(amounts(&shares), vec![333_335, 333_334, 333_334]);
    assert!(
        shares[1].why.contains("权重均为 0，该部分平均分配"),
        "{}",
        shares[1].why
    );
}

#[test]
fn squared_favours_the_best_and_the_line_excludes() {
    let scores = units(&[Some(80.0), Some(40.0), Some(50.0)]);
    let squared = Formula {
        curve: Curve::Squared,
        min_score: None,
    };
    // 8,400 fen by 6400 : 1600 : 2500 (total 10500).
    let shares = allocate(10_500, 0.0, &scores, &squared, "各区（县）");
    assert_eq!(amounts(&shares), vec![6400, 1600, 2500]);
    assert!(
        shares[0].why.contains("得分 80.00的平方"),
        "{}",
        shares[0].why
    );
    let lined = Formula {
        curve: Curve::Linear,
        min_score: Some(45.0),
    };
    let shares = allocate(1300, 0.0, &scores, &lined, "各区（县）");
    assert_eq!(amounts(&shares), vec![800, 0, 500]);
    assert!(shares[1].why.contains("低于 45.00 分"), "{}", shares[1].why);
    assert!(lined.text(0.3).contains("低于 45.00 分"));
}

#[test]
fn the_formula_is_said_in_chinese() {
    assert_eq!(
        LINEAR.text(0.3),
        "基础部分 30% 平均分配；其余 70% 按综合得分比例分配；各单位得分部分权重均为 0 时，该部分平均分配；金额按最大余额法取整到分，合计等于资金总额"
    );
    assert!(LINEAR.text(1.0).starts_with("全部资金平均分配"));
    assert!(
        LINEAR
            .text(0.125)
            .starts_with("基础部分 12.5% 平均分配；其余 87.5%")
    );
    assert_eq!(yuan(123_456_789), "1,234,567.89");
    assert_eq!(yuan(5), "0.05");
}

/// A small deterministic generator (no crate needed for a property test of this size).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn any_pool_adds_up_exactly_and_each_amount_is_within_a_fen() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let pools = [
        1,
        2,
        3,
        7,
        1_000_003,
        999_999_937,
        1_000_000_000_000,
        10_000_000_000_000,
    ];
    for round in 0..3000 {
        let pool = if round % 3 == 0 {
            pools[rng.below(pools.len() as u64) as usize]
        } else {
            1 + rng.below(10_000_000_000_000) as i64
        };
        let n = 1 + rng.below(40) as usize;
        let scores: Vec<Option<f64>> = (0..n)
            .map(|_| match rng.below(6) {
                0 => None,
                1 => Some(0.0),
                _ => Some(rng.below(30_000) as f64 / 100.0),
            })
            .collect();
        let base_share = [0.0, 1.0, 0.3, rng.below(1_000_001) as f64 / 1e6][rng.below(4) as usize];
        let formula = Formula {
            curve: if rng.below(2) == 0 {
                Curve::Linear
            } else {
                Curve::Squared
            },
            min_score: (rng.below(3) == 0).then(|| rng.below(100) as f64),
        };
        let shares = allocate(pool, base_share, &units(&scores), &formula, "各市（州）");
        assert_eq!(shares.len(), n);
        assert_eq!(
            shares.iter().map(|s| s.amount_fen).sum::<i64>(),
            pool,
            "{pool} {base_share} {scores:?}"
        );
        // The exact share from the same figures, in floating point, independently.
        let weights: Vec<f64> = scores
            .iter()
            .map(|s| match s {
                Some(s) if formula.min_score.is_none_or(|l| *s >= l) => match formula.curve {
                    Curve::Linear => *s,
                    Curve::Squared => s * s,
                },
                _ => 0.0,
            })
            .collect();
        let total: f64 = weights.iter().sum();
        for (share, weight) in shares.iter().zip(&weights) {
            assert!(share.amount_fen >= 0 && share.base_fen >= 0 && share.by_score_fen >= 0);
            assert_eq!(share.amount_fen, share.base_fen + share.by_score_fen);
            let p = pool as f64;
            let rest = if total > 0.0 {
                weight / total
            } else {
                1.0 / n as f64
            };
            let exact = p * base_share / n as f64 + p * (1.0 - base_share) * rest;
            let slack = 1.0 + p * 1e-12;
            assert!(
                (share.amount_fen as f64 - exact).abs() < slack,
                "{} vs {exact} ({pool} {base_share} {scores:?})",
                share.amount_fen
            );
            assert!((share.amount_fen as f64 - share.exact).abs() < 1.0 + p * 1e-12);
        }
    }
}
