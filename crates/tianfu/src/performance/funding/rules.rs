//! The allocation rule, pure: a pool in fen split among units (the cities, or one city's
//! counties). A base share of the pool is split evenly; the rest in proportion to each unit's
//! weight (its score, or its score squared to favour the best; none below a chosen line). When
//! every weight is 0 the rest is split evenly too. Exact shares are rationals computed in i128
//! (scores taken to two decimals, the base share to a millionth, as shown), then rounded to whole
//! fen by the largest remainder method — ties to the larger fractional part, then the smaller
//! region code — so that the amounts add up to the pool exactly, each within 1 fen of its share.

/// The base share is kept in millionths.
const SCALE: i128 = 1_000_000;

/// How a score becomes a weight for the part of the pool split by score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Curve {
    /// In proportion to the score.
    #[default]
    Linear,
    /// In proportion to the score squared: favours the best.
    Squared,
}

impl Curve {
    pub fn parse(text: &str) -> Option<Curve> {
        match text.trim() {
            "" | "linear" => Some(Curve::Linear),
            "squared" => Some(Curve::Squared),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Curve::Linear => "linear",
            Curve::Squared => "squared",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Curve::Linear => "按综合得分比例",
            Curve::Squared => "按综合得分平方的比例（向高分单位倾斜）",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Formula {
    pub curve: Curve,
    /// Units scoring below this (or without a score) get no share of the part split by score.
    pub min_score: Option<f64>,
}

/// One unit's amount and how it was reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Share {
    pub code: String,
    pub score: Option<f64>,
    pub amount_fen: i64,
    /// The unit's even part, in whole fen (rounded down; the rounding fen count in `by_score_fen`).
    pub base_fen: i64,
    pub by_score_fen: i64,
    /// The exact share in fen before rounding.
    pub exact: f64,
    /// The unit's weight as a percentage of all units' weights (0 when every weight is 0).
    pub weight_percent: f64,
    pub why: String,
}

/// The base share as millionths, clamped to 0..=1.
fn millionths(base_share: f64) -> i128 {
    ((base_share.clamp(0.0, 1.0) * SCALE as f64).round() as i128).clamp(0, SCALE)
}

/// The score in hundredths, as shown (never negative).
fn centi(score: f64) -> i128 {
    // Scores stay far below 1,000 (100 × the completion cap); the bound keeps i128 from overflowing.
    (score.clamp(0.0, 1000.0) * 100.0).round() as i128
}

/// 1,234,567.89
pub fn yuan(fen: i64) -> String {
    let whole = (fen / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped}.{:02}", fen % 100)
}

/// 30, 12.5, 0.0001 (a percentage without trailing zeros).
fn percent_text(parts: i128) -> String {
    let text = format!("{}.{:04}", parts / 10_000, parts % 10_000);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

impl Formula {
    /// The formula in words, as the page and the export show it.
    pub fn text(&self, base_share: f64) -> String {
        let base = millionths(base_share);
        let mut text = match base {
            SCALE => "全部资金平均分配".to_owned(),
            0 => format!("全部资金{}分配", self.curve.label()),
            _ => format!(
                "基础部分 {}% 平均分配；其余 {}% {}分配",
                percent_text(base),
                percent_text(SCALE - base),
                self.curve.label()
            ),
        };
        if base < SCALE {
            if let Some(line) = self.min_score {
                text.push_str(&format!(
                    "；综合得分低于 {line:.2} 分或暂无得分的单位不参与得分部分"
                ));
            }
            text.push_str("；各单位得分部分权重均为 0 时，该部分平均分配");
        }
        text.push_str("；金额按最大余额法取整到分，合计等于资金总额");
        text
    }

    fn weight(&self, score: Option<f64>) -> i128 {
        match score {
            None => 0,
            Some(s) if self.min_score.is_some_and(|line| s < line) => 0,
            Some(s) => match self.curve {
                Curve::Linear => centi(s),
                Curve::Squared => centi(s) * centi(s),
            },
        }
    }
}

/// Splits `pool_fen` among `units` (code, score; None when the unit has no score). `among`
/// names the units as a whole in the explanations, e.g. "各市（州）".
pub fn allocate(
    pool_fen: i64,
    base_share: f64,
    units: &[(String, Option<f64>)],
    formula: &Formula,
    among: &str,
) -> Vec<Share> {
    if units.is_empty() {
        return Vec::new();
    }
    let pool = i128::from(pool_fen.max(0));
    let n = units.len() as i128;
    let base = millionths(base_share);
    let mut weights: Vec<i128> = units.iter().map(|(_, s)| formula.weight(*s)).collect();
    let mut total: i128 = weights.iter().sum();
    let evenly = total == 0;
    if evenly {
        weights = vec![1; units.len()];
        total = n;
    }
    // exact_i = pool·base/(S·n) + pool·(S−base)·w_i/(S·W), over the common denominator S·n·W.
    let denominator = SCALE * n * total;
    let numerators: Vec<i128> = weights
        .iter()
        .map(|w| pool * base * total + pool * (SCALE - base) * w * n)
        .collect();
    let mut amounts: Vec<i128> = numerators.iter().map(|x| x / denominator).collect();
    let left = pool - amounts.iter().sum::<i128>();
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by(|&a, &b| {
        (numerators[b] % denominator)
            .cmp(&(numerators[a] % denominator))
            .then_with(|| units[a].0.cmp(&units[b].0))
    });
    let mut topped = vec![false; units.len()];
    for &i in order.iter().take(left as usize) {
        amounts[i] += 1;
        topped[i] = true;
    }
    let even_base = pool * base / (SCALE * n);
    units
        .iter()
        .enumerate()
        .map(|(i, (code, score))| {
            let amount = amounts[i] as i64;
            let base_fen = if base == SCALE {
                amount
            } else {
                even_base as i64
            };
            let weight_percent = if evenly {
                0.0
            } else {
                weights[i] as f64 * 100.0 / total as f64
            };
            let share = Share {
                code: code.clone(),
                score: *score,
                amount_fen: amount,
                base_fen,
                by_score_fen: amount - base_fen,
                exact: numerators[i] as f64 / denominator as f64,
                weight_percent,
                why: String::new(),
            };
            let why = explain(&share, formula, base, evenly, topped[i], among);
            Share { why, ..share }
        })
        .collect()
}

fn explain(
    share: &Share,
    formula: &Formula,
    base: i128,
    evenly: bool,
    topped: bool,
    among: &str,
) -> String {
    let mut parts = Vec::new();
    if base > 0 {
        parts.push(format!("基础额 {} 元", yuan(share.base_fen)));
    }
    if base < SCALE {
        let part = yuan(share.by_score_fen);
        let squared = if formula.curve == Curve::Squared {
            "的平方"
        } else {
            ""
        };
        parts.push(match share.score {
            _ if evenly => {
                format!("{among}得分部分权重均为 0，该部分平均分配，分得 {part} 元")
            }
            None => format!("暂无综合得分（未设定目标），按 0 分计，得分部分分得 {part} 元"),
            Some(s) if formula.min_score.is_some_and(|line| s < line) => format!(
                "得分 {s:.2} 低于 {:.2} 分，不参与得分部分，分得 {part} 元",
                formula.min_score.unwrap_or_default()
            ),
            Some(s) => format!(
                "得分 {s:.2}{squared} 占{among}得分{squared}合计的 {:.2}%，分得 {part} 元",
                share.weight_percent
            ),
        });
    }
    let mut why = format!("{}，合计 {} 元", parts.join(" + "), yuan(share.amount_fen));
    if topped {
        why.push_str("（含按最大余额法补足的 1 分）");
    }
    why
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
