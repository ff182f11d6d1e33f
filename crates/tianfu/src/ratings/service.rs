//! The acts on ratings, shared by the API and the pages: apply or nominate, decide a step,
//! revoke; and who may see one.

use chrono::Datelike;
use tianfu_domain::{FieldErrors, RegionCode, Role, UserId};

use super::cases::{self, CaseRow};
use super::criteria::{self, Figure};
use super::rules::{self, Decision, Level, Status, SubjectKind};
use super::store::{self, Act, NewRating, RatingRow};
use crate::App;
use crate::market::studios::store::{self as studios, StudioRow};
use crate::platform::auth::Actor;
use crate::platform::clock::shanghai_date;
use crate::platform::error::AppError;
use crate::platform::scope;
use crate::platform::tx::Guarded;

pub fn this_year(app: &App) -> i32 {
    shanghai_date(app.clock.now()).year()
}

/// What is rated: a studio or a case, with who owns it and where it is.
pub enum Subject {
    Studio(StudioRow),
    Case(CaseRow),
}

impl Subject {
    pub fn name(&self) -> &str {
        match self {
            Subject::Studio(s) => &s.name,
            Subject::Case(c) => &c.title,
        }
    }

    pub fn region(&self) -> Option<RegionCode> {
        let code = match self {
            Subject::Studio(s) => &s.region_code,
            Subject::Case(c) => &c.region_code,
        };
        RegionCode::parse(code).ok()
    }

    /// Who is told of every decision: the studio's owner, the case's author.
    pub fn owner(&self) -> i64 {
        match self {
            Subject::Studio(s) => s.owner_id,
            Subject::Case(c) => c.author_id,
        }
    }

    /// May this person apply for it themselves? The studio's owner; either party of the deal.
    pub fn may_apply(&self, user: UserId) -> bool {
        match self {
            Subject::Studio(s) => s.owner_id == user.0,
            Subject::Case(c) => c.is_party(user),
        }
    }

    pub fn link(&self) -> String {
        match self {
            Subject::Studio(s) => format!("/studios/{}", s.id),
            Subject::Case(c) => format!("/cases/{}", c.id),
        }
    }

    pub async fn figures(&self, app: &App) -> Result<Vec<Figure>, AppError> {
        Ok(match self {
            Subject::Studio(s) => criteria::studio(&app.db, s).await?,
            Subject::Case(c) => criteria::case(&app.db, c).await?,
        })
    }
}

pub async fn subject(app: &App, kind: SubjectKind, id: i64) -> Result<Option<Subject>, AppError> {
    Ok(match kind {
        SubjectKind::Studio => studios::find(&app.db, id).await?.map(Subject::Studio),
        SubjectKind::Case => cases::find(&app.db, id).await?.map(Subject::Case),
    })
}

pub struct RatingInput {
    pub subject_kind: String,
    pub subject_id: Option<i64>,
    pub level: String,
    pub year: Option<i32>,
    pub statement: String,
}

/// Files an application (the owner, a party of the case's deal) or a nomination (staff within
/// their scope and department). Every bad field is named at once.
pub async fn apply(
    app: &App,
    actor: &Actor,
    input: &RatingInput,
    ip: Option<&str>,
) -> Result<i64, AppError> {
    let mut errors = FieldErrors::new();
    let kind = errors.check("subject_kind", SubjectKind::parse(&input.subject_kind));
    let level = errors.check("level", Level::parse(&input.level));
    let year = errors.check(
        "year",
        rules::check_year(input.year.unwrap_or_else(|| this_year(app)), this_year(app)),
    );
    let statement = rules::check_text(
        &mut errors,
        "statement",
        "申报理由",
        &input.statement,
        10,
        2000,
    );
    if input.subject_id.is_none() {
        errors.add("subject_id", "请指明评定对象的编号");
    }
    let found = match (kind, input.subject_id) {
        (Some(kind), Some(id)) => subject(app, kind, id).await?,
        _ => None,
    };
    if kind.is_some() && input.subject_id.is_some() && found.is_none() {
        errors.add("subject_id", "评定对象不存在");
    }
    errors.into_result()?;
    let (kind, level, year, found) = (
        kind.expect("checked"),
        level.expect("checked"),
        year.expect("checked"),
        found.expect("checked"),
    );
    let region = found
        .region()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("subject has a bad region")))?;
    let nominated = actor.is_staff();
    let allowed = if nominated {
        rules::can_nominate(actor, kind, &region)
    } else {
        found.may_apply(actor.id)
    };
    let what = format!("rating:{}:{}", kind.as_str(), input.subject_id.unwrap_or(0));
    scope::ensure(app, actor, allowed, &what, ip)
        .await
        .map_err(|_| {
            AppError::Forbidden(if nominated {
                "只能提名本辖区、本部门负责的评定对象".into()
            } else {
                match kind {
                    SubjectKind::Studio => "只有工作室负责人可以申报".into(),
                    SubjectKind::Case => "只有交易双方可以申报该案例".into(),
                }
            })
        })?;
    let new = NewRating {
        kind,
        subject_id: input.subject_id.expect("checked"),
        subject_name: found.name().to_owned(),
        level,
        year,
        status: rules::first_status(&region),
        region,
        owner: found.owner(),
        applicant: actor.id.0,
        nominated,
        statement,
    };
    store::create(&app.db, &new, app.clock.now()).await
}

fn corrupt(rating: &RatingRow) -> AppError {
    AppError::Internal(anyhow::anyhow!("rating {} has a bad row", rating.id))
}

fn lost() -> AppError {
    AppError::Conflict {
        message: "该评定刚被他人处理，请刷新后查看".into(),
        fields: FieldErrors::single("decision", "该评定已被他人处理"),
    }
}

/// Takes the step the rating awaits: approve moves it up the chain (the province's approval puts
/// it in force and books it in the ledger); reject ends it and needs a reason.
pub async fn decide(
    app: &App,
    actor: &Actor,
    rating: &RatingRow,
    decision: &str,
    reason: Option<&str>,
    ip: Option<&str>,
) -> Result<Status, AppError> {
    let decision = Decision::parse(decision).map_err(|e| AppError::validation("decision", e))?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if decision == Decision::Reject && reason.is_none() {
        return Err(AppError::validation("reason", "不通过时请填写理由"));
    }
    if reason.is_some_and(|r| r.chars().count() > 500) {
        return Err(AppError::validation("reason", "理由不能超过500个字"));
    }
    let (kind, region, from) = (
        rating.kind().ok_or_else(|| corrupt(rating))?,
        rating.region().ok_or_else(|| corrupt(rating))?,
        rating.status().ok_or_else(|| corrupt(rating))?,
    );
    let to = rules::decide(from, decision).map_err(|e| AppError::Conflict {
        message: e.into(),
        fields: FieldErrors::single("decision", e),
    })?;
    let allowed = rules::can_decide(actor, kind, &region, from);
    scope::ensure(
        app,
        actor,
        allowed,
        &format!("rating:{}:decide", rating.id),
        ip,
    )
    .await
    .map_err(|_| AppError::Forbidden(format!("当前环节为{}，不在您的审核权限内", from.label())))?;
    let name = format!(
        "“{}”参评{}年度{}{}",
        rating.subject_name,
        rating.year,
        rating.level().map_or("", |l| l.label()),
        kind.label()
    );
    let notice = match (decision, to) {
        (Decision::Approve, Status::Approved) => format!("{name}已通过省级审核，评定生效"),
        (Decision::Approve, next) => format!("{name}已通过{}，{}", step_label(from), next.label()),
        (Decision::Reject, _) => format!(
            "{name}未通过{}：{}",
            step_label(from),
            reason.unwrap_or_default()
        ),
    };
    let event = (to == Status::Approved)
        .then(|| store::rated_event(rating, actor.id.0, false))
        .flatten();
    let act = Act {
        rating,
        from,
        to,
        step: from.step_name(),
        decision: decision.as_str(),
        reason,
        actor: actor.id.0,
        event,
        notice,
    };
    match store::act(&app.db, &act, app.clock.now()).await? {
        Guarded::Changed => Ok(to),
        Guarded::Lost => Err(lost()),
    }
}

fn step_label(status: Status) -> &'static str {
    match status {
        Status::CountyReview => "县级审核",
        Status::CityReview => "市级审核",
        _ => "省级审核",
    }
}

/// Takes a rating out of force with a reason: its ledger row is compensated and the owner told.
pub async fn revoke(
    app: &App,
    actor: &Actor,
    rating: &RatingRow,
    reason: &str,
    ip: Option<&str>,
) -> Result<(), AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::validation("reason", "撤销时请填写理由"));
    }
    if reason.chars().count() > 500 {
        return Err(AppError::validation("reason", "理由不能超过500个字"));
    }
    let (kind, region, from) = (
        rating.kind().ok_or_else(|| corrupt(rating))?,
        rating.region().ok_or_else(|| corrupt(rating))?,
        rating.status().ok_or_else(|| corrupt(rating))?,
    );
    let allowed = rules::can_revoke(actor, kind, &region);
    scope::ensure(
        app,
        actor,
        allowed,
        &format!("rating:{}:revoke", rating.id),
        ip,
    )
    .await
    .map_err(|_| AppError::Forbidden("只有省级或本市工作人员可以撤销评定".into()))?;
    let to = rules::revoke(from).map_err(|e| AppError::Conflict {
        message: e.into(),
        fields: FieldErrors::single("reason", e),
    })?;
    let act = Act {
        rating,
        from,
        to,
        step: "revoke",
        decision: "revoke",
        reason: Some(reason),
        actor: actor.id.0,
        event: store::rated_event(rating, actor.id.0, true),
        notice: format!(
            "“{}”的{}年度{}评定已被撤销：{reason}",
            rating.subject_name,
            rating.year,
            rating.level().map_or("", |l| l.label())
        ),
    };
    match store::act(&app.db, &act, app.clock.now()).await? {
        Guarded::Changed => Ok(()),
        Guarded::Lost => Err(lost()),
    }
}

/// A rating to act on: staff outside its region learn it exists, and are refused (403, audited)
/// by the act's own rule rather than told it is missing.
pub async fn to_act_on(app: &App, id: i64) -> Result<RatingRow, AppError> {
    store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("评定"))
}

/// Everyone sees a rating that was decided in the end (in force or revoked); while under review
/// or once rejected, its owner and applicant, and staff whose region contains it.
pub async fn visible(app: &App, actor: Option<&Actor>, id: i64) -> Result<RatingRow, AppError> {
    let rating = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("评定"))?;
    let public = matches!(rating.status(), Some(Status::Approved | Status::Revoked));
    let allowed = public
        || actor.is_some_and(|a| {
            a.id.0 == rating.owner_id
                || a.id.0 == rating.applicant_id
                || a.role == Role::Admin
                || rating
                    .region()
                    .is_some_and(|r| scope::can_view_region(a, &r))
        });
    if allowed {
        Ok(rating)
    } else {
        Err(AppError::not_found("评定"))
    }
}
