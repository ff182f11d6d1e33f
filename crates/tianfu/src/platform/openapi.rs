//! The API contract as an OpenAPI 3.1 document at `/api/openapi.json`, generated from the
//! handlers' annotations so it cannot drift from the code, and a Chinese page at `/api/docs`
//! that renders it.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::Router;
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::auth::{Actor, MaybeUser};
use crate::AppState;
use crate::{accounts, market, matching, nanny, notifications, regions, staff, stats};

#[derive(OpenApi)]
#[openapi(
    info(title = "天府科技云 API", version = "1", description = "天府科技云 API v1。错误统一为 {\"error\": {\"code\", \"message\", \"fields\"}}。"),
    paths(
        accounts::api::register, accounts::api::login, accounts::api::logout, accounts::api::me,
        accounts::sessions::api::list, accounts::sessions::api::end, accounts::sessions::api::sign_out_others,
        accounts::password::api::change,
        staff::accounts::api::disable, staff::accounts::api::enable,
        accounts::phone_codes::api::send_code, accounts::phone_codes::api::reset,
        regions::api::get_region, regions::api::children,
        staff::api::list_users, staff::api::get_user, staff::api::create_staff,
        market::api::create_offer, market::api::list_offers, market::api::get_offer, market::api::patch_offer,
        market::api::create_achievement, market::api::list_achievements, market::api::get_achievement, market::api::patch_achievement,
        market::api::create_need, market::api::list_needs, market::api::get_need, market::api::patch_need,
        market::api::my_listings,
        market::studios::api::create, market::studios::api::list, market::studios::api::get,
        market::review::queue, market::review::decide, market::search::api,
        market::studios::review_api::queue, market::studios::review_api::decide,
        market::inquiries::api::create, market::inquiries::api::list, market::inquiries::api::get,
        market::inquiries::api::reply, market::inquiries::api::set_status, market::inquiries::api::undo,
        market::deals::api::create, market::deals::api::list, market::deals::api::get, market::deals::api::transition, market::deals::api::undo_termination,
        matching::api::need_matches, matching::api::offer_matches, matching::api::achievement_matches,
        matching::recommendations::list, matching::recommendations::feedback,
        notifications::api::list, notifications::api::mark_read,
        nanny::api::list, nanny::api::get, nanny::api::add_followup, nanny::api::add_step, nanny::api::change_step,
        nanny::api::remove_step, nanny::api::complete_step, nanny::api::assign, nanny::api::close, nanny::api::mine,
        nanny::api::rate, nanny::report_api::report, nanny::plan_api::get_template, nanny::plan_api::put_template,
        stats::api::metrics, stats::api::region, stats::api::children, stats::api::events,
    ),
    components(schemas(
        RegionCode, RegionCodeFilter, RegionCodeFormat,
        accounts::api::SelfRole, accounts::api::OrgTypeName, accounts::phone_codes::api::CodePurpose,
        staff::api::RoleName,
        market::api::OfferServiceType, market::api::AchievementKindName, market::api::MaturityName,
        market::api::TransferModeName, market::api::NeedKindName, market::api::StatusChange,
        market::api::ListingKindName, market::api::ListingKindFilter, market::api::SearchKind,
        market::api::ServiceTypeFilter, market::api::SearchSort, market::api::ReviewDecisionName,
        market::api::InquiryStatusName, market::api::DealStageName, market::api::IndustryCode,
        market::api::IndustryFilter, market::api::Keyword, market::api::Deadline,
        market::api::OfferCreate, market::api::AchievementCreate, market::api::NeedCreate,
        matching::api::FeedbackAction,
        nanny::ticket_query::TicketKindFilter, nanny::ticket_query::TicketStatusFilter, nanny::ticket_query::DueFilter, nanny::api::ChannelName,
        nanny::api::TicketKindName, nanny::api::FollowupBody, nanny::api::StepBody,
        nanny::service::LinkRequest,
        stats::api::MetricName,
    )),
    tags(
        (name = "accounts", description = "注册、登录与当前用户"),
        (name = "regions", description = "行政区划（GB/T 2260）"),
        (name = "staff", description = "服务中心工作台（按管辖地区限定）"),
        (name = "market", description = "科技市场：科创工作室、科技所能、科技成果、科技所需"),
        (name = "matching", description = "智能匹配：需求找能力，能力找需求，附匹配理由"),
        (name = "nanny", description = "保姆式服务：一人一策、一单一策的服务单、计划、跟进与统计"),
        (name = "stats", description = "统计：来自平台台账的各地区指标、排名及构成每个数字的台账记录"),
    )
)]
pub struct ApiDoc;

/// The whole document: the platform's paths and every slice's own, with the security scheme and
/// the common error answers added to all of them.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::kepu::api_doc());
    doc.merge(crate::performance::api_doc());
    doc.merge(crate::market::integrity::api_doc());
    doc.merge(crate::ratings::api_doc());
    doc.merge(crate::fair::api_doc());
    doc.merge(crate::audit::api_doc());
    BearerToken.modify(&mut doc);
    CommonResponses.modify(&mut doc);
    OperationIds.modify(&mut doc);
    doc
}

/// utoipa names an operation after its handler, and many slices have a `list` or a `get`: an
/// operationId must be unique (tools resolve links by it), so each is named by method and path
/// (`get_api_v1_deals_id`).
struct OperationIds;

impl Modify for OperationIds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let slug: String = path
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect::<String>()
                .split('_')
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join("_");
            let operations = [
                ("get", &mut item.get),
                ("put", &mut item.put),
                ("post", &mut item.post),
                ("delete", &mut item.delete),
                ("patch", &mut item.patch),
            ];
            for (method, operation) in operations {
                if let Some(operation) = operation {
                    operation.operation_id = Some(format!("{method}_{slug}"));
                }
            }
        }
    }
}

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The error answers that follow from how an operation is declared rather than from what it
/// does, added here so that no annotation can forget them (each is an [`ErrorBody`]):
/// 400 where there is a body or a query to misread (`ApiJson`, `ApiQuery`), 413 where there is a
/// body (over the 2 MB limit), 401 where a bearer token is required, 404 where the path names
/// something (also a path segment that is not a number the route takes, see `ApiPath`), 422
/// where a list takes `page`/`per_page` (checked by `ApiQuery`), 429 on every write and on search
/// (`platform::limits`, with `Retry-After`). An annotation's own entry is kept.
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let searched = path == "/api/v1/search";
            let operations = [
                (searched, &mut item.get),
                (true, &mut item.post),
                (true, &mut item.put),
                (true, &mut item.patch),
                (true, &mut item.delete),
            ];
            for (limited, operation) in operations {
                let Some(operation) = operation else {
                    continue;
                };
                let parameters = operation.parameters.as_deref().unwrap_or_default();
                let in_path = parameters
                    .iter()
                    .any(|p| matches!(p.parameter_in, ParameterIn::Path));
                let paged = parameters.iter().any(|p| {
                    matches!(p.parameter_in, ParameterIn::Query)
                        && (p.name == "page" || p.name == "per_page")
                });
                let mut add = Vec::new();
                if operation.request_body.is_some() || !parameters.is_empty() {
                    add.push(("400", "请求格式错误：JSON、路径或查询参数无法解析"));
                }
                if operation.request_body.is_some() {
                    add.push(("413", "请求体过大"));
                }
                if operation.security.is_some() {
                    add.push(("401", "请先登录"));
                }
                if in_path {
                    add.push(("404", "不存在"));
                }
                if paged {
                    add.push(("422", "字段有误（如 page、per_page 超出范围）"));
                }
                if limited {
                    add.push(("429", "操作过于频繁，请按 Retry-After 头所示秒数后再试"));
                }
                for (status, description) in add {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| error(description).into());
                }
            }
        }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/openapi.json",
            get(
                |axum::extract::State(app): axum::extract::State<AppState>| async move {
                    Json(served_document(&app.regions))
                },
            ),
        )
        .route("/api/docs", get(docs_page))
}

pub struct Endpoint {
    pub method: &'static str,
    pub path: String,
    pub summary: String,
    pub tag: String,
    pub auth: bool,
    pub statuses: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "api_docs.html")]
pub struct DocsPage {
    me: Option<Actor>,
    endpoints: Vec<Endpoint>,
}

async fn docs_page(MaybeUser(me): MaybeUser) -> DocsPage {
    let doc = document();
    let mut endpoints = Vec::new();
    for (path, item) in &doc.paths.paths {
        let operations = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PATCH", &item.patch),
            ("PUT", &item.put),
            ("DELETE", &item.delete),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation else { continue };
            endpoints.push(Endpoint {
                method,
                path: path.clone(),
                summary: operation
                    .summary
                    .clone()
                    .or_else(|| operation.description.clone())
                    .unwrap_or_default(),
                tag: operation
                    .tags
                    .as_ref()
                    .and_then(|t| t.first().cloned())
                    .unwrap_or_default(),
                auth: operation.security.is_some(),
                statuses: operation
                    .responses
                    .responses
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" "),
            });
        }
    }
    DocsPage { me, endpoints }
}

/// A closed set of wire values as a named schema (`type: string` with an `enum`), for a field or
/// parameter that the handler keeps as a `String` and parses itself. The values come from the
/// domain type where there is one, so the document cannot drift from the parser.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident, $values:expr) => {
        $(#[$meta])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{ObjectBuilder, Type};
                let values: Vec<String> = $values;
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(values))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}
pub(crate) use wire_enum;

/// The wire names of a `labelled_enum!` type, optionally with the empty string (which the
/// handler reads as "not given").
pub fn wire_names<T: Copy>(all: &[T], name: fn(T) -> &'static str, empty: bool) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    if empty {
        names.push(String::new());
    }
    names.extend(all.iter().map(|v| name(*v).to_owned()));
    names
}

/// A schema written as JSON, for rules the derive cannot state (alternatives, conditions).
pub fn schema_from_json(
    value: serde_json::Value,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    serde_json::from_value(value).expect("a valid schema")
}

/// A region code (GB/T 2260) that exists in the platform's tree: the province, one of its cities,
/// one of their counties or one of Sichuan's townships (9 digits). The served document lists the codes (`enum`, filled in from the
/// tree the server loaded); an unknown code is a 422 on `region_code`.
pub struct RegionCode;

impl utoipa::PartialSchema for RegionCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3})?)?)?$"))
            .description(Some(
                "行政区划代码（GB/T 2260）：省2位、市4位、县6位、乡镇（街道）9位，须为平台地区树中存在的代码",
            ))
            .into()
    }
}

impl utoipa::ToSchema for RegionCode {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("RegionCode")
    }
}

/// A filter's region: a [`RegionCode`] of the tree, or empty for no filter.
pub struct RegionCodeFilter;

impl utoipa::PartialSchema for RegionCodeFilter {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^([0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3})?)?)?)?$"))
            .description(Some(
                "行政区划代码（GB/T 2260），须为平台地区树中存在的代码；空表示不限",
            ))
            .into()
    }
}

impl utoipa::ToSchema for RegionCodeFilter {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("RegionCodeFilter")
    }
}

/// A well-formed region code, which a filter narrows to without requiring it to exist.
pub struct RegionCodeFormat;

impl utoipa::PartialSchema for RegionCodeFormat {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^([0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3})?)?)?)?$"))
            .description(Some(
                "行政区划代码（GB/T 2260）：省2位、市4位、县6位、乡镇（街道）9位；空表示不限",
            ))
            .into()
    }
}

impl utoipa::ToSchema for RegionCodeFormat {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("RegionCodeFormat")
    }
}

/// The document as served: [`ApiDoc`] plus what only the running server knows (the region codes
/// of its tree).
pub fn served_document(regions: &crate::regions::RegionTree) -> utoipa::openapi::OpenApi {
    let mut doc = document();
    let mut codes = Vec::new();
    let mut stack: Vec<&crate::regions::tree::Region> = regions.provinces();
    while let Some(region) = stack.pop() {
        codes.push(region.code.to_string());
        stack.extend(regions.children(Some(&region.code)));
    }
    codes.sort();
    if let Some(components) = doc.components.as_mut() {
        for (name, empty) in [("RegionCode", false), ("RegionCodeFilter", true)] {
            if let Some(utoipa::openapi::RefOr::T(utoipa::openapi::schema::Schema::Object(
                object,
            ))) = components.schemas.get_mut(name)
            {
                let values = empty
                    .then(String::new)
                    .into_iter()
                    .chain(codes.iter().cloned());
                object.enum_values = Some(values.map(Into::into).collect());
            }
        }
    }
    doc
}
