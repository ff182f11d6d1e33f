//! The nanny service's figures for a region subtree and a period (never estimated): the acts —
//! tickets opened, closed with a deal or otherwise, follow-ups — from the ledger's rollups like
//! every other figure; the states from the tickets and their steps as they stand: tickets active at the period's
//! end, with a late step, closed with a deal; the on-time rate of steps due in the period (a
//! step that fell due after its ticket closed was never owed);
//! tickets per staff member (人单数); the average time to first contact; and a line per nanny.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::App;
use crate::ledger::EventKind;
use crate::ledger::rollup;
use crate::on_db;
use crate::platform::error::AppError;
use crate::platform::scope::RegionScope;

pub use crate::platform::period::Period;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Report {
    pub region_code: String,
    pub region_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub opened: i64,
    /// Open at the end of the period.
    pub active: i64,
    /// Tickets with a step due in the period that was done late or is still undone.
    pub overdue: i64,
    pub closed_with_deal: i64,
    pub closed_other: i64,
    pub steps_due: i64,
    pub steps_on_time: i64,
    /// steps_on_time / steps_due, or null when nothing was due.
    pub on_time_rate: Option<f64>,
    pub followups: i64,
    /// Staff of the two service departments in the region.
    pub staff: i64,
    /// 人单数: active tickets per staff member.
    pub tickets_per_staff: Option<f64>,
    /// Average hours from opening to first contact, over tickets opened in the period.
    pub avg_hours_to_first_contact: Option<f64>,
    pub nannies: Vec<NannyLine>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct NannyLine {
    pub id: i64,
    pub name: String,
    /// The nanny's phone, to call them.
    pub phone: Option<String>,
    pub region_code: String,
    pub department: String,
    pub active: i64,
    pub overdue_now: i64,
    pub followups: i64,
    pub steps_due: i64,
    pub steps_on_time: i64,
    pub closed_with_deal: i64,
    pub ratings: i64,
    pub rating_sum: i64,
}

impl NannyLine {
    pub fn on_time_rate(&self) -> Option<f64> {
        ratio(self.steps_on_time, self.steps_due)
    }

    pub fn average_rating(&self) -> Option<f64> {
        ratio(self.rating_sum, self.ratings)
    }
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

#[derive(sqlx::FromRow)]
struct Totals {
    active: i64,
    overdue: i64,
    steps_due: i64,
    steps_on_time: i64,
    staff: i64,
    contacted: i64,
    contact_secs: i64,
}

const TOTALS_SQL: &str = "SELECT \
  (SELECT COUNT(*) FROM tickets t WHERE t.region_code >= $1 AND t.region_code < $2 AND t.opened_at < $4 AND (t.closed_at IS NULL OR t.closed_at >= $4)) AS active, \
  (SELECT COUNT(*) FROM tickets t WHERE t.region_code >= $1 AND t.region_code < $2 AND EXISTS (SELECT 1 FROM ticket_steps s WHERE s.ticket_id = t.id \
     AND s.due_at >= $3 AND s.due_at < $5 AND (t.closed_at IS NULL OR s.due_at < t.closed_at) AND (s.done_at IS NULL OR s.done_at > s.due_at))) AS overdue, \
  (SELECT COUNT(*) FROM ticket_steps s JOIN tickets t ON t.id = s.ticket_id WHERE t.region_code >= $1 AND t.region_code < $2 AND s.due_at >= $3 AND s.due_at < $4 AND (s.due_at < $5 OR s.done_at IS NOT NULL) AND (t.closed_at IS NULL OR s.due_at < t.closed_at)) AS steps_due, \
  (SELECT COUNT(*) FROM ticket_steps s JOIN tickets t ON t.id = s.ticket_id WHERE t.region_code >= $1 AND t.region_code < $2 AND s.due_at >= $3 AND s.due_at < $4 AND (t.closed_at IS NULL OR s.due_at < t.closed_at) \
     AND s.done_at IS NOT NULL AND s.done_at <= s.due_at) AS steps_on_time, \
  (SELECT COUNT(*) FROM users u WHERE u.role = 'staff' AND u.region_code >= $1 AND u.region_code < $2 AND u.department IN ('worker', 'org')) AS staff, \
  (SELECT COUNT(*) FROM tickets t WHERE t.region_code >= $1 AND t.region_code < $2 AND t.opened_at >= $3 AND t.opened_at < $4 AND t.first_contact_secs IS NOT NULL) AS contacted, \
  (SELECT CAST(COALESCE(SUM(t.first_contact_secs), 0) AS BIGINT) FROM tickets t WHERE t.region_code >= $1 AND t.region_code < $2 AND t.opened_at >= $3 AND t.opened_at < $4) AS contact_secs";

const NANNIES_SQL: &str = "SELECT u.id, u.name, u.phone, u.region_code, u.department, \
  (SELECT COUNT(*) FROM tickets t WHERE t.assignee_id = u.id AND t.opened_at < $4 AND (t.closed_at IS NULL OR t.closed_at >= $4)) AS active, \
  (SELECT COUNT(*) FROM tickets t WHERE t.assignee_id = u.id AND t.status = 'open' AND t.overdue_since IS NOT NULL) AS overdue_now, \
  (SELECT COUNT(*) FROM ticket_events e WHERE e.actor_id = u.id AND e.kind = 'followup' AND e.at >= $3 AND e.at < $4) AS followups, \
  (SELECT COUNT(*) FROM ticket_steps s JOIN tickets t ON t.id = s.ticket_id WHERE t.assignee_id = u.id AND s.due_at >= $3 AND s.due_at < $4 AND (s.due_at < $5 OR s.done_at IS NOT NULL) AND (t.closed_at IS NULL OR s.due_at < t.closed_at)) AS steps_due, \
  (SELECT COUNT(*) FROM ticket_steps s JOIN tickets t ON t.id = s.ticket_id WHERE t.assignee_id = u.id AND s.due_at >= $3 AND s.due_at < $4 AND (t.closed_at IS NULL OR s.due_at < t.closed_at) \
     AND s.done_at IS NOT NULL AND s.done_at <= s.due_at) AS steps_on_time, \
  (SELECT COUNT(*) FROM tickets t WHERE t.assignee_id = u.id AND t.outcome = 'deal' AND t.closed_at >= $3 AND t.closed_at < $4) AS closed_with_deal, \
  (SELECT COUNT(t.rating) FROM tickets t WHERE t.assignee_id = u.id) AS ratings, \
  (SELECT CAST(COALESCE(SUM(t.rating), 0) AS BIGINT) FROM tickets t WHERE t.assignee_id = u.id) AS rating_sum \
  FROM users u WHERE u.role = 'staff' AND u.region_code >= $1 AND u.region_code < $2 AND u.department IN ('worker', 'org') \
  ORDER BY u.region_code, u.id LIMIT $6";

/// The most nanny lines a report carries (page and spreadsheet alike).
pub const MAX_NANNIES: i64 = 5000;

pub async fn build(app: &App, scope: &RegionScope, period: Period) -> Result<Report, AppError> {
    let region_name = scope.name(&app.regions);
    let (low, high, region_code) = match scope {
        RegionScope::Subtree(root) => {
            let (low, high) = root.subtree_bounds();
            (low, high, root.to_string())
        }
        RegionScope::All => (String::new(), "~".to_owned(), String::new()),
    };
    let (start, end) = period.bounds();
    // Steps not yet due cannot have been missed: count those due before now, and those already
    // done (a step done early is on time the moment it is done).
    let due_end = end.min(app.clock.now());
    let (totals, nannies) = on_db!(&app.db, pool => {
        let totals = sqlx::query_as::<_, Totals>(TOTALS_SQL)
            .bind(&low).bind(&high).bind(start).bind(end).bind(due_end)
            .fetch_one(pool)
            .await?;
        let nannies = sqlx::query_as::<_, NannyLine>(NANNIES_SQL)
            .bind(&low).bind(&high).bind(start).bind(end).bind(due_end).bind(MAX_NANNIES)
            .fetch_all(pool)
            .await?;
        Ok::<_, sqlx::Error>((totals, nannies))
    })?;
    // The counts of acts come from the ledger, as every other figure does; states (active,
    // overdue, steps owed) are read from the tickets as they stand.
    let ledger_region = if region_code.is_empty() {
        "51"
    } else {
        region_code.as_str()
    };
    let counted = rollup::region_totals(&app.db, ledger_region, period.from, period.to).await?;
    let count = |kind, outcome| rollup::count(&counted, kind, outcome);
    Ok(Report {
        opened: count(EventKind::TicketOpened, None),
        closed_with_deal: count(EventKind::TicketClosed, Some("deal")),
        closed_other: count(EventKind::TicketClosed, Some("closed")),
        followups: count(EventKind::TicketFollowedUp, None),
        region_code,
        region_name,
        from: period.from,
        to: period.to,
        active: totals.active,
        overdue: totals.overdue,
        steps_due: totals.steps_due,
        steps_on_time: totals.steps_on_time,
        on_time_rate: ratio(totals.steps_on_time, totals.steps_due),
        staff: totals.staff,
        tickets_per_staff: ratio(totals.active, totals.staff),
        avg_hours_to_first_contact: ratio(totals.contact_secs, totals.contacted)
            .map(|s| s / 3600.0),
        nannies,
    })
}

/// The report as an Excel workbook: a summary sheet and a sheet with a line per nanny.
pub fn to_xlsx(app: &App, report: &Report) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    add_sheets(app, report, &mut book, ("汇总", "人员明细"))?;
    book.save_to_buffer()
}

/// The report's two sheets, named `names`, added to a workbook (the monthly report carries
/// them beside its own).
pub fn add_sheets(
    app: &App,
    report: &Report,
    book: &mut rust_xlsxwriter::Workbook,
    names: (&str, &str),
) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::Format;
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    let decimal = Format::new().set_num_format("0.0");
    let sheet = book.add_worksheet();
    sheet.set_name(names.0)?;
    sheet.set_column_width(0, 24)?;
    sheet.set_column_width(1, 28)?;
    sheet.write_with_format(0, 0, "保姆式服务统计", &bold)?;
    let rows: [(&str, Option<f64>, Option<&Format>); 13] = [
        ("新建服务单", Some(report.opened as f64), None),
        ("期末跟进中", Some(report.active as f64), None),
        ("有逾期步骤的服务单", Some(report.overdue as f64), None),
        ("签约办结", Some(report.closed_with_deal as f64), None),
        ("其他原因办结", Some(report.closed_other as f64), None),
        ("到期步骤", Some(report.steps_due as f64), None),
        ("按时完成步骤", Some(report.steps_on_time as f64), None),
        ("按时完成率", report.on_time_rate, Some(&percent)),
        ("跟进次数", Some(report.followups as f64), None),
        ("服务人员", Some(report.staff as f64), None),
        (
            "人单数（每人跟进中服务单）",
            report.tickets_per_staff,
            Some(&decimal),
        ),
        (
            "平均首次联系用时（小时）",
            report.avg_hours_to_first_contact,
            Some(&decimal),
        ),
        ("导出说明", None, None),
    ];
    sheet.write(1, 0, "地区")?;
    sheet.write(1, 1, report.region_name.as_str())?;
    sheet.write(2, 0, "统计区间")?;
    sheet.write(2, 1, format!("{} 至 {}", report.from, report.to))?;
    for (i, (label, value, format)) in rows.iter().enumerate() {
        let row = 3 + i as u32;
        sheet.write(row, 0, *label)?;
        match (value, format) {
            (Some(v), Some(f)) => sheet.write_number_with_format(row, 1, *v, f)?,
            (Some(v), None) => sheet.write_number(row, 1, *v)?,
            (None, _) if *label == "导出说明" => {
                sheet.write(row, 1, "数据来自平台服务单记录")?
            }
            (None, _) => sheet.write(row, 1, "—")?,
        };
    }
    let lines = book.add_worksheet();
    lines.set_name(names.1)?;
    let headers = [
        "姓名",
        "地区",
        "部门",
        "跟进中",
        "当前逾期",
        "跟进次数",
        "到期步骤",
        "按时完成",
        "按时完成率",
        "签约办结",
        "平均评分",
    ];
    for (col, header) in headers.iter().enumerate() {
        lines.write_with_format(0, col as u16, *header, &bold)?;
        lines.set_column_width(col as u16, if col == 1 { 28 } else { 12 })?;
    }
    for (i, nanny) in report.nannies.iter().enumerate() {
        let row = 1 + i as u32;
        lines.write(row, 0, nanny.name.as_str())?;
        lines.write(row, 1, app.regions.full_name_of(&nanny.region_code))?;
        lines.write(row, 2, department_label(&nanny.department))?;
        lines.write_number(row, 3, nanny.active as f64)?;
        lines.write_number(row, 4, nanny.overdue_now as f64)?;
        lines.write_number(row, 5, nanny.followups as f64)?;
        lines.write_number(row, 6, nanny.steps_due as f64)?;
        lines.write_number(row, 7, nanny.steps_on_time as f64)?;
        match nanny.on_time_rate() {
            Some(rate) => lines.write_number_with_format(row, 8, rate, &percent)?,
            None => lines.write(row, 8, "—")?,
        };
        lines.write_number(row, 9, nanny.closed_with_deal as f64)?;
        match nanny.average_rating() {
            Some(r) => lines.write_number_with_format(row, 10, r, &decimal)?,
            None => lines.write(row, 10, "—")?,
        };
    }
    Ok(())
}

pub fn department_label(department: &str) -> &'static str {
    tianfu_domain::Department::parse(department).map_or("", |d| d.label())
}
