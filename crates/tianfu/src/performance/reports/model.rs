//! What a monthly report holds, as issued and kept (its JSON never changes), and the pure rules
//! that write it: the change of a figure since the previous month and the summary paragraph.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::nanny::report::Report as NannyReport;
use crate::performance::scores::period::{ScorePeriod, Span, YEARS};
use crate::performance::scores::rules::IndicatorScore;
use crate::platform::error::AppError;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MonthlyReport {
    pub region_code: String,
    pub region_name: String,
    /// province, city or county.
    pub level: String,
    /// 2026-04.
    pub month: String,
    pub month_label: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// 1 as generated on the 1st; each correction adds one.
    pub version: i32,
    /// Why this version was issued (a correction's reason; none for version 1).
    pub reason: Option<String>,
    pub issued_at: DateTime<Utc>,
    /// Who issued it: 系统 for the job of the 1st.
    pub issued_by: String,
    pub summary: String,
    /// Every ledger figure of the region's subtree for the month.
    pub figures: Vec<FigureLine>,
    /// True when the ledger reaches back to the same month last year.
    pub last_year_available: bool,
    /// The month's score, when the year has an indicator system.
    pub score: Option<ScoreCard>,
    /// The province's cities or a city's counties, best first (none for a county).
    pub ranking_title: Option<String>,
    pub ranking: Vec<RankLine>,
    /// The nanny service in the region, with a line per nanny.
    pub nanny: NannyReport,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = MonthlyReportFigure)]
pub struct FigureLine {
    pub metric: String,
    pub label: String,
    pub value: f64,
    pub shown: String,
    pub previous: f64,
    pub previous_shown: String,
    /// value − previous.
    pub change: f64,
    /// Percent change since the previous month (null when the previous month was zero).
    pub change_percent: Option<f64>,
    pub last_year: Option<f64>,
    pub last_year_shown: Option<String>,
    pub year_change_percent: Option<f64>,
    /// The ledger rows this figure was counted from.
    pub evidence: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = MonthlyReportScore)]
pub struct ScoreCard {
    pub total: Option<f64>,
    /// Among the units of its level in the province.
    pub rank: Option<u32>,
    pub rank_of: usize,
    /// A county's rank among its city's counties.
    pub rank_in_city: Option<u32>,
    pub total_change: Option<f64>,
    pub rank_change: Option<i32>,
    /// Named in the 通报.
    pub alert: bool,
    pub alert_below: f64,
    pub indicators: Vec<IndicatorScore>,
    /// True when the ranking is the one the province published.
    pub published: bool,
    pub system_version: i32,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = MonthlyReportRank)]
pub struct RankLine {
    pub region_code: String,
    pub name: String,
    pub total: Option<f64>,
    pub rank: Option<u32>,
    pub rank_change: Option<i32>,
    pub alert: bool,
}

/// A month as reports name it, `YYYY-MM`.
pub fn parse_month(text: &str) -> Result<ScorePeriod, AppError> {
    let bad = || AppError::validation("month", "月份格式应为 YYYY-MM，例如 2026-04");
    let (year, month) = text.trim().split_once('-').ok_or_else(bad)?;
    if year.len() != 4 || month.len() != 2 {
        return Err(bad());
    }
    let year: i32 = year.parse().map_err(|_| bad())?;
    let month: u32 = month.parse().map_err(|_| bad())?;
    if !YEARS.contains(&year) {
        return Err(AppError::validation("month", "年份应在2020至2100之间"));
    }
    if !(1..=12).contains(&month) {
        return Err(bad());
    }
    Ok(ScorePeriod {
        year,
        span: Span::Month(month),
    })
}

/// The same month a year earlier.
pub fn year_before(month: ScorePeriod) -> ScorePeriod {
    ScorePeriod {
        year: month.year - 1,
        span: month.span,
    }
}

/// The change since `previous`: absolute, and in percent when the previous month was not zero.
pub fn change(value: f64, previous: f64) -> (f64, Option<f64>) {
    let percent = (previous != 0.0).then(|| (value - previous) / previous.abs() * 100.0);
    (value - previous, percent)
}

/// How the summary says a change: 环比增长20.0% / 环比下降5.0% / 与上月持平 / 上月为零.
pub fn change_words(value: f64, previous: f64) -> String {
    if value == previous {
        return "与上月持平".to_owned();
    }
    match change(value, previous).1 {
        Some(p) if p > 0.0 => format!("环比增长{p:.1}%"),
        Some(p) => format!("环比下降{:.1}%", -p),
        None => "上月为零".to_owned(),
    }
}

/// The figures the summary names, in its order.
pub const SUMMARY_METRICS: [&str; 6] = [
    "deals_signed",
    "deals_amount_fen",
    "workers_registered",
    "orgs_registered",
    "tickets_opened",
    "kepu_services",
];

/// The summary paragraph: the headline figures with their change, then the score and rank
/// (with the 通报), then the nanny service.
pub fn summary(
    region_name: &str,
    month_label: &str,
    figures: &[FigureLine],
    score: Option<(&ScoreCard, &str)>,
    nanny: &NannyReport,
) -> String {
    let parts: Vec<String> = SUMMARY_METRICS
        .iter()
        .filter_map(|name| figures.iter().find(|f| f.metric == *name))
        .map(|f| {
            format!(
                "{}{}（{}）",
                f.label,
                f.shown,
                change_words(f.value, f.previous)
            )
        })
        .collect();
    let mut text = format!("{month_label}，{region_name}{}。", parts.join("，"));
    match score {
        Some((card, peers)) => {
            if let (Some(total), Some(rank)) = (card.total, card.rank) {
                text.push_str(&format!("综合得分{total:.1}分，在{peers}中排名第{rank}位"));
                match card.rank_change {
                    Some(c) if c > 0 => text.push_str(&format!("，较上月上升{c}位")),
                    Some(c) if c < 0 => text.push_str(&format!("，较上月下降{}位", -c)),
                    Some(_) => text.push_str("，与上月持平"),
                    None => {}
                }
                text.push('。');
                if card.alert {
                    text.push_str(&format!(
                        "得分低于通报线{:.0}分，列入本月通报。",
                        card.alert_below
                    ));
                }
            } else {
                text.push_str("本月尚无可计算的综合得分（缺少目标值）。");
            }
        }
        None => text.push_str("本年度尚未制定指标体系，本月不作排名。"),
    }
    text.push_str(&format!(
        "保姆式服务新建服务单{}个，签约办结{}个",
        nanny.opened, nanny.closed_with_deal
    ));
    if let Some(rate) = nanny.on_time_rate {
        text.push_str(&format!("，步骤按时完成率{:.1}%", rate * 100.0));
    }
    text.push('。');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(metric: &str, label: &str, value: f64, previous: f64) -> FigureLine {
        let (change, change_percent) = change(value, previous);
        FigureLine {
            metric: metric.into(),
            label: label.into(),
            value,
            shown: format!("{value:.0}"),
            previous,
            previous_shown: format!("{previous:.0}"),
            change,
            change_percent,
            last_year: None,
            last_year_shown: None,
            year_change_percent: None,
            evidence: String::new(),
        }
    }

    fn nanny() -> NannyReport {
        serde_json::from_value(serde_json::json!({
            "region_code": "5110", "region_name": "内江市", "from": "2026-04-01", "to": "2026-04-30",
            "opened": 3, "active": 2, "overdue": 0, "closed_with_deal": 1, "closed_other": 0,
            "steps_due": 4, "steps_on_time": 3, "on_time_rate": 0.75, "followups": 5, "staff": 2,
            "tickets_per_staff": 1.0, "avg_hours_to_first_contact": null, "nannies": []
        }))
        .unwrap()
    }

    #[test]
    fn changes_are_absolute_and_relative() {
        assert_eq!(change(12.0, 10.0), (2.0, Some(20.0)));
        assert_eq!(change(5.0, 10.0), (-5.0, Some(-50.0)));
        assert_eq!(change(3.0, 0.0), (3.0, None));
        assert_eq!(change_words(12.0, 10.0), "环比增长20.0%");
        assert_eq!(change_words(9.5, 10.0), "环比下降5.0%");
        assert_eq!(change_words(7.0, 7.0), "与上月持平");
        assert_eq!(change_words(0.0, 0.0), "与上月持平");
        assert_eq!(change_words(3.0, 0.0), "上月为零");
    }

    #[test]
    fn months_parse_strictly() {
        assert_eq!(parse_month("2026-04").unwrap().key(), "2026-04");
        assert_eq!(
            year_before(parse_month("2026-04").unwrap()).key(),
            "2025-04"
        );
        for bad in [
            "2026-4", "2026-13", "2026-00", "26-04", "2026/04", "1999-01", "",
        ] {
            assert!(parse_month(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_summary_names_figures_changes_rank_and_alert() {
        let figures = vec![
            line("deals_signed", "签约交易", 12.0, 10.0),
            line("workers_registered", "科技工作者注册", 4.0, 8.0),
            line("kepu_views", "科普浏览量", 100.0, 0.0),
        ];
        let card = ScoreCard {
            total: Some(55.04),
            rank: Some(19),
            rank_of: 21,
            rank_in_city: None,
            total_change: Some(-3.0),
            rank_change: Some(-2),
            alert: true,
            alert_below: 60.0,
            indicators: Vec::new(),
            published: true,
            system_version: 1,
        };
        let text = summary(
            "内江市",
            "2026年4月",
            &figures,
            Some((&card, "全省21个市（州）")),
            &nanny(),
        );
        assert!(
            text.starts_with(
                "2026年4月，内江市签约交易12（环比增长20.0%），科技工作者注册4（环比下降50.0%）。"
            ),
            "{text}"
        );
        assert!(!text.contains("科普浏览量"), "only the headline figures");
        assert!(text.contains("综合得分55.0分，在全省21个市（州）中排名第19位，较上月下降2位。"));
        assert!(text.contains("得分低于通报线60分，列入本月通报。"));
        assert!(text.ends_with("保姆式服务新建服务单3个，签约办结1个，步骤按时完成率75.0%。"));
        let without = summary("内江市", "2026年4月", &figures, None, &nanny());
        assert!(without.contains("本年度尚未制定指标体系，本月不作排名。"));
    }
}
