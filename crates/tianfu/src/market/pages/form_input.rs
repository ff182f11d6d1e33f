//! The publishing form's fields as typed, and how they become a validated listing: prices in
//! 元, keywords in one input, the description typed as lines of plain text.

use serde::Deserialize;
use tianfu_domain::{Fen, FieldErrors, ListingKind};

use crate::App;
use crate::market::listing::{self, AchievementRequest, NeedRequest, NewListing, OfferRequest};
use crate::market::store::ListingRow;

/// Everything the form holds, as typed, so that it can be shown again unchanged.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListingForm {
    pub(super) title: String,
    pub(super) description: String,
    pub(super) service_type: String,
    pub(super) service_area: String,
    pub(super) industry: String,
    pub(super) keywords: String,
    /// 元, as people type it: "5", "12.5", "1,200".
    pub(super) price: String,
    pub(super) achievement_kind: String,
    pub(super) patent_no: String,
    pub(super) maturity: String,
    pub(super) transfer_mode: String,
    pub(super) need_kind: String,
    pub(super) deadline: String,
    pub(super) contact_pref: String,
}

fn given(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Plain text typed into the textarea becomes one paragraph per line; text that already carries
/// the allowed tags is passed on as it is. Either way it is sanitised by `listing::validate_*`.
fn description_html(text: &str) -> String {
    let tagged = [
        "<p", "<br", "<strong", "<em", "<ul", "<ol", "<a ", "<h3", "<h4", "<b>",
    ]
    .iter()
    .any(|tag| text.contains(tag));
    if tagged {
        return text.to_owned();
    }
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| format!("<p>{}</p>", escape(line)))
        .collect()
}

/// The reverse for editing: paragraphs of plain text back to lines; richer HTML stays as it is.
fn description_text(html: &str) -> String {
    let inner = html.replace("</p><p>", "\n");
    let inner = inner
        .strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"));
    match inner {
        Some(text) if !text.contains('<') => text
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&"),
        _ => html.to_owned(),
    }
}

fn yuan_text(fen: i64) -> String {
    if fen % 100 == 0 {
        (fen / 100).to_string()
    } else {
        format!("{}.{:02}", fen / 100, fen % 100)
    }
}

fn today(app: &App) -> chrono::NaiveDate {
    (app.clock.now() + chrono::Duration::hours(8)).date_naive()
}

/// Validates the form as the API would validate the same listing, with the errors keyed by the
/// form's own field names.
pub(super) fn validate(
    app: &App,
    kind: ListingKind,
    form: &ListingForm,
) -> Result<NewListing, FieldErrors> {
    let mut errors = FieldErrors::new();
    let price = given(&form.price)
        .and_then(|text| errors.check("price", Fen::parse_yuan(&text)))
        .map(Fen::get);
    let title = Some(form.title.clone());
    let description = Some(description_html(&form.description));
    let industry = given(&form.industry);
    let keywords = Some(vec![form.keywords.clone()]);
    let result = match kind {
        ListingKind::Offer => listing::validate_offer(&OfferRequest {
            title,
            description,
            service_type: given(&form.service_type),
            industry,
            keywords,
            price_fen: price,
            service_area: given(&form.service_area),
            status: None,
        }),
        ListingKind::Achievement => listing::validate_achievement(&AchievementRequest {
            title,
            description,
            kind: given(&form.achievement_kind),
            patent_no: given(&form.patent_no),
            maturity: given(&form.maturity),
            transfer_mode: given(&form.transfer_mode),
            industry,
            keywords,
            price_fen: price,
            status: None,
        }),
        ListingKind::Need => listing::validate_need(
            &NeedRequest {
                title,
                description,
                kind: given(&form.need_kind),
                industry,
                keywords,
                budget_fen: price,
                deadline: given(&form.deadline),
                contact_pref: given(&form.contact_pref),
                status: None,
            },
            today(app),
        ),
    };
    match result {
        Ok(listing) if errors.is_empty() => Ok(listing),
        Ok(_) => Err(errors),
        Err(found) => {
            for (field, message) in found.iter() {
                let field = match (field, kind) {
                    ("price_fen" | "budget_fen", _) => "price",
                    ("kind", ListingKind::Need) => "need_kind",
                    ("kind", _) => "achievement_kind",
                    (other, _) => other,
                };
                errors.add(field, message);
            }
            Err(errors)
        }
    }
}

impl ListingForm {
    pub(super) fn from_row(row: &ListingRow) -> Self {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        ListingForm {
            title: row.title.clone(),
            description: description_text(&row.description_html),
            service_type: text(&row.service_type),
            service_area: text(&row.service_area),
            industry: row.industry.clone(),
            keywords: row.keyword_list().join("，"),
            price: row.price_fen.map(yuan_text).unwrap_or_default(),
            achievement_kind: text(&row.achievement_kind),
            patent_no: text(&row.patent_no),
            maturity: text(&row.maturity),
            transfer_mode: text(&row.transfer_mode),
            need_kind: text(&row.need_kind),
            deadline: text(&row.deadline),
            contact_pref: text(&row.contact_pref),
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_paragraphs_survive_an_edit() {
        let html = description_html("第一段 5 < 6\n\n第二段");
        assert_eq!(html, "<p>第一段 5 &lt; 6</p><p>第二段</p>");
        assert_eq!(description_text(&html), "第一段 5 < 6\n第二段");
        assert_eq!(
            description_text("<p><strong>粗</strong></p>"),
            "<p><strong>粗</strong></p>"
        );
        assert_eq!(yuan_text(5_000_000), "50000");
        assert_eq!(yuan_text(1_250), "12.50");
    }
}
