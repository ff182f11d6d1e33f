//! Plan templates per ticket kind (服务时间表), configured by administrators. A kind nobody
//! configured uses the built-in plan from `tianfu_domain::ticket::default_template`.

use chrono::{DateTime, Utc};
use tianfu_domain::TicketKind;
use tianfu_domain::ticket::{PlanTemplate, TemplateStep, default_template};

use crate::on_db;
use crate::platform::db::Db;

#[derive(sqlx::FromRow)]
struct TemplateRow {
    steps: String,
    escalate_after_days: i64,
}

pub async fn load(db: &Db, kind: TicketKind) -> Result<PlanTemplate, sqlx::Error> {
    let row = on_db!(db, pool => {
        sqlx::query_as::<_, TemplateRow>("SELECT steps, escalate_after_days FROM plan_templates WHERE kind = $1")
            .bind(kind.as_str())
            .fetch_optional(pool)
            .await
    })?;
    Ok(row
        .and_then(|row| {
            let steps: Vec<TemplateStep> = serde_json::from_str(&row.steps).ok()?;
            Some(PlanTemplate {
                steps,
                escalate_after_days: u32::try_from(row.escalate_after_days).ok()?,
            })
        })
        .unwrap_or_else(|| default_template(kind)))
}

/// Stores a validated template; tickets opened from now on follow it, open ones keep theirs.
pub async fn save(
    db: &Db,
    kind: TicketKind,
    template: &PlanTemplate,
    by: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let steps = serde_json::to_string(&template.steps).expect("steps serialise");
    on_db!(db, pool => {
        sqlx::query(
            "INSERT INTO plan_templates (kind, steps, escalate_after_days, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (kind) DO UPDATE SET steps = excluded.steps, escalate_after_days = excluded.escalate_after_days, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(kind.as_str())
        .bind(&steps)
        .bind(i64::from(template.escalate_after_days))
        .bind(by)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
    })
}
