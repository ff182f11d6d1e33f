//! The audit search as it arrives (query string) and as the store reads it (checked values).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use tianfu_domain::FieldErrors;
use utoipa::IntoParams;

use crate::platform::error::AppError;
use crate::platform::period::check_date;

/// The outcomes the writer records (`platform::audit::outcome_of`), with their Chinese names.
pub const OUTCOMES: &[(&str, &str)] =
    &[("success", "成功"), ("failure", "失败"), ("denied", "拒绝")];

/// Every action the application writes, with its Chinese name (the search page offers them in
/// this order). Rows written by older versions (`login.locked`) keep their names; an action not
/// listed shows as itself.
pub const ACTIONS: &[(&str, &str)] = &[
    ("login.success", "登录成功"),
    ("login.failure", "登录失败"),
    ("login.limited", "登录被限速（需等待）"),
    ("login.second_factor.failure", "动态验证码错误"),
    ("login.refused", "停用账号尝试登录"),
    ("security.alert", "安全告警：登录失败过多"),
    ("phone_code.requested", "申请短信验证码"),
    ("password.changed", "修改密码"),
    ("password.change.failure", "修改密码失败"),
    ("password.reset", "重置密码"),
    ("session.ended", "结束会话"),
    ("session.signed_out_others", "退出其他设备"),
    ("totp.enabled", "开启双因素认证"),
    ("totp.disabled", "关闭双因素认证"),
    ("account.disabled", "停用账号"),
    ("account.enabled", "启用账号"),
    ("csrf.refused", "跨站请求被拒绝"),
    ("permission.denied", "越权访问被拒绝"),
    ("staff.created", "创建工作人员账号"),
    ("user.region_changed", "变更所在地区"),
    ("funding.saved", "保存资金分配方案"),
    ("audit.exported", "导出审计日志"),
    ("login.locked", "账号锁定（旧版）"),
];

pub fn action_label(action: &str) -> String {
    ACTIONS
        .iter()
        .find(|(name, _)| *name == action)
        .map(|(_, label)| (*label).to_owned())
        .unwrap_or_else(|| action.to_owned())
}

pub fn outcome_label(outcome: &str) -> &'static str {
    OUTCOMES
        .iter()
        .find(|(name, _)| *name == outcome)
        .map(|(_, label)| *label)
        .unwrap_or("未知")
}

crate::platform::openapi::wire_enum!(
    /// An audit row's outcome; empty means any.
    OutcomeName,
    std::iter::once("")
        .chain(OUTCOMES.iter().map(|(name, _)| *name))
        .map(str::to_owned)
        .collect()
);

crate::platform::openapi::wire_enum!(
    /// The export's file type.
    ExportFormat,
    vec!["csv".to_owned(), "xlsx".to_owned()]
);

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// From this day on (Asia/Shanghai, `YYYY-MM-DD`).
    #[param(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub from: Option<String>,
    /// Up to and including this day (Asia/Shanghai, `YYYY-MM-DD`).
    #[param(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub to: Option<String>,
    /// Who acted: their mobile number or their exact name.
    pub actor: Option<String>,
    /// The action exactly, e.g. `login.failure` or `permission.denied`.
    pub action: Option<String>,
    /// Part of what was acted on (a path, `user:42`, a masked phone).
    pub subject: Option<String>,
    /// Only this outcome.
    #[param(value_type = Option<OutcomeName>)]
    pub outcome: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// What the store searches for; every condition is optional.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub since: Option<DateTime<Utc>>,
    /// Exclusive: the start of the day after `to`.
    pub before: Option<DateTime<Utc>>,
    pub actor: Option<String>,
    pub action: Option<String>,
    /// A lower-case `LIKE` pattern with `%`, `_` and `\` escaped (matched against the
    /// lower-cased subject, so both engines ignore case alike).
    pub subject_pattern: Option<String>,
    pub outcome: Option<String>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Midnight of `date` in Asia/Shanghai (UTC+8, no daylight saving), as UTC.
fn shanghai_midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
        - chrono::Duration::hours(8)
}

fn parse_day(errors: &mut FieldErrors, field: &str, value: &str, what: &str) -> Option<NaiveDate> {
    let parsed = NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| format!("{what}应为 年-月-日 格式，如 2026-11-30"))
        .and_then(|date| check_date(date, what));
    errors.check(field, parsed)
}

/// Escapes `%`, `_` and `\` so the text is matched literally inside `%…%`.
fn like_contains(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

impl AuditQuery {
    /// Checks every field at once; a bad one is a field error in Chinese naming it.
    pub fn filter(&self) -> Result<AuditFilter, AppError> {
        let mut errors = FieldErrors::new();
        let from = given(&self.from).and_then(|v| parse_day(&mut errors, "from", v, "开始日期"));
        let to = given(&self.to).and_then(|v| parse_day(&mut errors, "to", v, "结束日期"));
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            errors.add("to", "结束日期不能早于开始日期");
        }
        let outcome = given(&self.outcome).map(str::to_owned);
        if let Some(outcome) = &outcome
            && !OUTCOMES.iter().any(|(name, _)| name == outcome)
        {
            errors.add("outcome", "结果应为 success、failure 或 denied");
        }
        for (field, value, what) in [
            ("actor", &self.actor, "操作人"),
            ("action", &self.action, "操作"),
            ("subject", &self.subject, "对象"),
        ] {
            if given(value).is_some_and(|v| v.chars().count() > 100) {
                errors.add(field, format!("{what}不能超过100个字"));
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        Ok(AuditFilter {
            since: from.map(shanghai_midnight),
            before: to.map(|d| shanghai_midnight(d + chrono::Duration::days(1))),
            actor: given(&self.actor).map(str::to_owned),
            action: given(&self.action).map(str::to_owned),
            subject_pattern: given(&self.subject).map(|s| like_contains(&s.to_lowercase())),
            outcome,
        })
    }

    /// The query string without `page`, for paging and export links.
    pub fn base_query(&self) -> String {
        use crate::platform::page::url_encode;
        let text = |v: &Option<String>| url_encode(v.as_deref().unwrap_or(""));
        format!(
            "from={}&to={}&actor={}&action={}&subject={}&outcome={}",
            text(&self.from),
            text(&self.to),
            text(&self.actor),
            text(&self.action),
            text(&self.subject),
            text(&self.outcome)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_shanghai_days_and_the_end_is_inclusive() {
        let query = AuditQuery {
            from: Some("2026-11-30".into()),
            to: Some("2026-11-30".into()),
            ..Default::default()
        };
        let filter = query.filter().unwrap();
        assert_eq!(
            filter.since.unwrap().to_rfc3339(),
            "2026-11-29T16:00:00+00:00"
        );
        assert_eq!(
            filter.before.unwrap().to_rfc3339(),
            "2026-11-30T16:00:00+00:00"
        );
    }

    #[test]
    fn the_security_gates_actions_have_chinese_names() {
        for action in [
            "login.limited",
            "login.second_factor.failure",
            "login.refused",
            "security.alert",
            "phone_code.requested",
            "password.changed",
            "password.reset",
            "session.signed_out_others",
            "totp.enabled",
            "account.disabled",
            "csrf.refused",
        ] {
            let label = action_label(action);
            assert!(!label.is_ascii(), "{action} shows as {label}");
        }
    }

    #[test]
    fn bad_fields_are_named_and_wildcards_are_literal() {
        let query = AuditQuery {
            from: Some("2026-13-01".into()),
            to: Some("+10000-01-01".into()),
            outcome: Some("maybe".into()),
            ..Default::default()
        };
        let Err(AppError::Validation(fields)) = query.filter() else {
            panic!("refused")
        };
        let names: Vec<&str> = fields.iter().map(|(f, _)| f).collect();
        assert_eq!(names, ["from", "outcome", "to"]);
        assert_eq!(like_contains("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
