//! A listing as submitted: three request shapes (capability, achievement, need), all turned into
//! one validated `NewListing`. Every bad field is reported at once, in Chinese.

use chrono::NaiveDate;
use serde::Deserialize;
use tianfu_domain::market::{check_description_text, parse_keywords, parse_title};
use tianfu_domain::{
    AchievementKind, Fen, FieldErrors, Industry, ListingKind, Maturity, NeedKind, ServiceType,
    TransferMode,
};
use utoipa::ToSchema;

use super::sanitize;

/// A capability (科技所能). In PATCH every field is optional and only the given ones change.
#[derive(Debug, Default, Clone, Deserialize, serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferRequest {
    #[schema(
        max_length = 60,
        pattern = r"^[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f]$"
    )]
    pub title: Option<String>,
    /// Rich text; only safe tags survive (p, br, strong, em, ul, ol, li, a).
    #[schema(pattern = r"(^|>)[^<]*[^\s<>]")]
    pub description: Option<String>,
    /// development（技术开发）, transfer（技术转让）, consulting（技术咨询）, service（技术服务）.
    #[schema(value_type = Option<crate::market::api::OfferServiceType>)]
    pub service_type: Option<String>,
    /// GB/T 4754 section letter or division, e.g. C, A03.
    #[schema(value_type = Option<crate::market::api::IndustryCode>)]
    pub industry: Option<String>,
    #[schema(max_items = 10, value_type = Option<Vec<crate::market::api::Keyword>>)]
    pub keywords: Option<Vec<String>>,
    /// Price in fen; absent or null means 面议.
    #[schema(minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub price_fen: Option<i64>,
    /// Where the service is offered, e.g. 四川省内.
    #[schema(max_length = 50)]
    pub service_area: Option<String>,
    /// PATCH only: withdrawn or closed.
    #[schema(value_type = Option<crate::market::api::StatusChange>)]
    pub status: Option<String>,
}

/// An achievement (科技成果).
#[derive(Debug, Default, Clone, Deserialize, serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AchievementRequest {
    #[schema(
        max_length = 60,
        pattern = r"^[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f]$"
    )]
    pub title: Option<String>,
    #[schema(pattern = r"(^|>)[^<]*[^\s<>]")]
    pub description: Option<String>,
    /// patent, software, variety, process, product, other.
    #[schema(value_type = Option<crate::market::api::AchievementKindName>)]
    pub kind: Option<String>,
    /// Required for a patent.
    #[schema(max_length = 30)]
    pub patent_no: Option<String>,
    /// research, pilot, intermediate, industrial.
    #[schema(value_type = Option<crate::market::api::MaturityName>)]
    pub maturity: Option<String>,
    /// assignment（转让）, license（许可）, equity（作价入股）, cooperation（合作开发）.
    #[schema(value_type = Option<crate::market::api::TransferModeName>)]
    pub transfer_mode: Option<String>,
    #[schema(value_type = Option<crate::market::api::IndustryCode>)]
    pub industry: Option<String>,
    #[schema(max_items = 10, value_type = Option<Vec<crate::market::api::Keyword>>)]
    pub keywords: Option<Vec<String>>,
    #[schema(minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub price_fen: Option<i64>,
    #[schema(value_type = Option<crate::market::api::StatusChange>)]
    pub status: Option<String>,
}

/// A need (科技所需).
#[derive(Debug, Default, Clone, Deserialize, serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedRequest {
    #[schema(
        max_length = 60,
        pattern = r"^[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f]$"
    )]
    pub title: Option<String>,
    #[schema(pattern = r"(^|>)[^<]*[^\s<>]")]
    pub description: Option<String>,
    /// problem（技术难题）, cooperation（技术合作）, talent（人才需求）, equipment（设备共享）.
    #[schema(value_type = Option<crate::market::api::NeedKindName>)]
    pub kind: Option<String>,
    #[schema(value_type = Option<crate::market::api::IndustryCode>)]
    pub industry: Option<String>,
    #[schema(max_items = 10, value_type = Option<Vec<crate::market::api::Keyword>>)]
    pub keywords: Option<Vec<String>>,
    #[schema(minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub budget_fen: Option<i64>,
    /// YYYY-MM-DD (Beijing time), not before today, before 2101; empty means none.
    #[schema(value_type = Option<crate::market::api::Deadline>)]
    pub deadline: Option<String>,
    /// How the enterprise prefers to be contacted, e.g. 电话、平台洽谈.
    #[schema(max_length = 50)]
    pub contact_pref: Option<String>,
    #[schema(value_type = Option<crate::market::api::StatusChange>)]
    pub status: Option<String>,
}

/// What the kind-specific columns hold.
#[derive(Debug, Clone, Default)]
pub struct Details {
    pub service_type: Option<ServiceType>,
    pub service_area: Option<String>,
    pub need_kind: Option<NeedKind>,
    pub deadline: Option<NaiveDate>,
    pub contact_pref: Option<String>,
    pub achievement_kind: Option<AchievementKind>,
    pub patent_no: Option<String>,
    pub maturity: Option<Maturity>,
    pub transfer_mode: Option<TransferMode>,
}

#[derive(Debug, Clone)]
pub struct NewListing {
    pub kind: ListingKind,
    pub title: String,
    pub description_html: String,
    pub description_text: String,
    pub industry: Industry,
    pub keywords: Vec<String>,
    pub price_fen: Option<Fen>,
    pub details: Details,
}

struct Common<'a> {
    title: &'a Option<String>,
    description: &'a Option<String>,
    industry: &'a Option<String>,
    keywords: &'a Option<Vec<String>>,
    price_fen: Option<i64>,
    price_field: &'static str,
}

fn short_text(
    errors: &mut FieldErrors,
    field: &str,
    value: &Option<String>,
    max: usize,
    what: &str,
) -> Option<String> {
    let text = value.as_deref().unwrap_or("").trim();
    if text.chars().count() > max {
        errors.add(field, format!("{what}不能超过{max}个字"));
        return None;
    }
    (!text.is_empty()).then(|| text.to_owned())
}

fn enum_field<T>(
    errors: &mut FieldErrors,
    field: &str,
    value: &Option<String>,
    parse: fn(&str) -> Result<T, String>,
) -> Option<T> {
    errors.check(field, parse(value.as_deref().unwrap_or("")))
}

fn common(kind: ListingKind, input: Common<'_>, errors: &mut FieldErrors) -> Option<NewListing> {
    let title = errors.check("title", parse_title(input.title.as_deref().unwrap_or("")));
    let raw = input.description.as_deref().unwrap_or("");
    let (html, text) = if raw.len() > 200_000 {
        errors.add("description", "详细说明过长");
        (String::new(), String::new())
    } else {
        sanitize::rich_text(raw)
    };
    errors.check("description", check_description_text(&text));
    let industry = errors.check(
        "industry",
        Industry::parse(input.industry.as_deref().unwrap_or("")),
    );
    let keywords = errors.check(
        "keywords",
        parse_keywords(input.keywords.as_deref().unwrap_or(&[])),
    );
    let price = match input.price_fen {
        Some(fen) => errors.check(input.price_field, Fen::new(fen)).map(Some),
        None => Some(None),
    };
    Some(NewListing {
        kind,
        title: title?,
        description_html: html,
        description_text: text,
        industry: industry?,
        keywords: keywords?,
        price_fen: price?,
        details: Details::default(),
    })
}

pub fn validate_offer(request: &OfferRequest) -> Result<NewListing, FieldErrors> {
    let mut errors = FieldErrors::new();
    let input = Common {
        title: &request.title,
        description: &request.description,
        industry: &request.industry,
        keywords: &request.keywords,
        price_fen: request.price_fen,
        price_field: "price_fen",
    };
    let listing = common(ListingKind::Offer, input, &mut errors);
    let service_type = enum_field(
        &mut errors,
        "service_type",
        &request.service_type,
        ServiceType::parse,
    );
    let service_area = short_text(
        &mut errors,
        "service_area",
        &request.service_area,
        50,
        "服务区域",
    );
    match (listing, service_type) {
        (Some(mut listing), Some(service_type)) if errors.is_empty() => {
            listing.details = Details {
                service_type: Some(service_type),
                service_area,
                ..Details::default()
            };
            Ok(listing)
        }
        _ => Err(errors),
    }
}

pub fn validate_achievement(request: &AchievementRequest) -> Result<NewListing, FieldErrors> {
    let mut errors = FieldErrors::new();
    let input = Common {
        title: &request.title,
        description: &request.description,
        industry: &request.industry,
        keywords: &request.keywords,
        price_fen: request.price_fen,
        price_field: "price_fen",
    };
    let listing = common(ListingKind::Achievement, input, &mut errors);
    let kind = enum_field(&mut errors, "kind", &request.kind, AchievementKind::parse);
    let maturity = enum_field(&mut errors, "maturity", &request.maturity, Maturity::parse);
    let transfer_mode = enum_field(
        &mut errors,
        "transfer_mode",
        &request.transfer_mode,
        TransferMode::parse,
    );
    let patent_no = short_text(&mut errors, "patent_no", &request.patent_no, 30, "专利号");
    if kind == Some(AchievementKind::Patent)
        && patent_no.is_none()
        && errors.get("patent_no").is_none()
    {
        errors.add("patent_no", "专利类成果请填写专利号");
    }
    match (listing, kind) {
        (Some(mut listing), Some(kind)) if errors.is_empty() => {
            listing.details = Details {
                achievement_kind: Some(kind),
                patent_no,
                maturity,
                transfer_mode,
                ..Details::default()
            };
            Ok(listing)
        }
        _ => Err(errors),
    }
}

pub fn validate_need(request: &NeedRequest, today: NaiveDate) -> Result<NewListing, FieldErrors> {
    let mut errors = FieldErrors::new();
    let input = Common {
        title: &request.title,
        description: &request.description,
        industry: &request.industry,
        keywords: &request.keywords,
        price_fen: request.budget_fen,
        price_field: "budget_fen",
    };
    let listing = common(ListingKind::Need, input, &mut errors);
    let kind = enum_field(&mut errors, "kind", &request.kind, NeedKind::parse);
    let deadline = match request
        .deadline
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        None => None,
        Some(text) => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(date) if date < today => {
                errors.add("deadline", "截止日期不能早于今天");
                None
            }
            Ok(date) => errors.check(
                "deadline",
                crate::platform::period::check_date(date, "截止日期"),
            ),
            Err(_) => {
                errors.add("deadline", "截止日期格式应为 YYYY-MM-DD");
                None
            }
        },
    };
    let contact_pref = short_text(
        &mut errors,
        "contact_pref",
        &request.contact_pref,
        50,
        "联系方式偏好",
    );
    match (listing, kind) {
        (Some(mut listing), Some(kind)) if errors.is_empty() => {
            listing.details = Details {
                need_kind: Some(kind),
                deadline,
                contact_pref,
                ..Details::default()
            };
            Ok(listing)
        }
        _ => Err(errors),
    }
}
