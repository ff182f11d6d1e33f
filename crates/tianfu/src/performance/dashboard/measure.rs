//! What the dashboard colours the map by: the total score, an indicator's score, or any figure.

use crate::performance::measures::{self, Measurable};
use crate::performance::scores::rules::RegionScore;
use crate::performance::scores::service::ScoreSheet;

#[derive(Debug, Clone)]
pub enum Colour {
    Total,
    Indicator { key: String, name: String },
    Figure(Measurable),
}

impl Colour {
    /// `total`, `indicator:<key>` or a figure's name; the total when unknown.
    pub fn parse(text: Option<&str>, sheet: Option<&ScoreSheet>) -> Colour {
        let text = text.unwrap_or("total");
        if let Some(key) = text.strip_prefix("indicator:") {
            let name = sheet
                .and_then(|s| s.cities.first())
                .and_then(|c| c.indicators.iter().find(|i| i.key == key))
                .map(|i| i.name.clone());
            if let Some(name) = name {
                return Colour::Indicator {
                    key: key.to_owned(),
                    name,
                };
            }
        }
        measures::named(text).map_or(Colour::Total, Colour::Figure)
    }

    pub fn param(&self) -> String {
        match self {
            Colour::Total => "total".into(),
            Colour::Indicator { key, .. } => format!("indicator:{key}"),
            Colour::Figure(m) => m.name.into(),
        }
    }

    pub fn label(&self) -> String {
        match self {
            Colour::Total => "综合得分".into(),
            Colour::Indicator { name, .. } => format!("{name}得分"),
            Colour::Figure(m) => m.label.into(),
        }
    }

    pub fn is_score(&self) -> bool {
        !matches!(self, Colour::Figure(_))
    }

    /// A score line's value for this colour (figures are read separately).
    pub fn score_of(&self, line: &RegionScore) -> Option<f64> {
        match self {
            Colour::Total => line.total,
            Colour::Indicator { key, .. } => line
                .indicators
                .iter()
                .find(|i| &i.key == key)
                .and_then(|i| i.score),
            Colour::Figure(_) => None,
        }
    }

    pub fn shown(&self, value: f64) -> String {
        match self {
            Colour::Figure(m) => m.shown(value),
            _ => format!("{value:.1}"),
        }
    }
}

/// A value as the page shows a score.
pub fn score_text(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.1}"))
}

/// A figure small enough to need more digits (per 10,000 residents) keeps three significant ones.
pub fn number_text(value: f64) -> String {
    if value == 0.0 || value.abs() >= 100.0 {
        format!("{value:.0}")
    } else if value.abs() >= 1.0 {
        format!("{value:.2}")
    } else {
        let digits = (-value.abs().log10()).ceil() as usize + 2;
        format!("{value:.digits$}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_figures_keep_their_digits() {
        assert_eq!(number_text(0.0), "0");
        assert_eq!(number_text(1234.5), "1234");
        assert_eq!(number_text(12.345), "12.35");
        assert_eq!(number_text(0.0123), "0.0123");
        assert_eq!(score_text(None), "—");
    }
}
