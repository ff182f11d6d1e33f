//! Entering a listing into an edition, who may see which projects, and withdrawing one.

use tianfu_domain::fair::{Category, Phase, Sector};
use tianfu_domain::{FieldErrors, ListingKind, RegionCode, Role};

use crate::App;
use crate::fair::store::{self, FairRow, NewProject, ProjectFilter, ProjectRow};
use crate::ledger::{Event, EventKind};
use crate::on_db;
use crate::platform::api::Paging;
use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::platform::scope;

pub const MAX_IMAGES: usize = 9;

#[derive(Debug, Default, Clone)]
pub struct ProjectInput {
    pub category: String,
    pub listing_kind: String,
    pub listing_id: Option<i64>,
    pub sector: String,
    pub pitch: String,
    pub org_name: String,
    pub images: Vec<String>,
    pub video_url: String,
}

/// A link a page may show as a picture or a video: a file uploaded here (`/files/…`) or an
/// https address.
fn media_ok(url: &str) -> bool {
    let url = url.trim();
    url.len() <= 500
        && ((url.starts_with('/') && !url.starts_with("//")) || url.starts_with("https://"))
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>')
}

fn collecting(app: &App, fair: &FairRow) -> Result<(), AppError> {
    match fair.phase(app.clock.now()) {
        Phase::Collecting if !fair.selection_published() => Ok(()),
        _ => Err(AppError::Conflict {
            message: "本届科创会项目征集已截止".into(),
            fields: FieldErrors::single("listing_id", "征集已截止"),
        }),
    }
}

/// Staff of the listing's region (county, city or province) nominate; the owner enters.
fn may_enter(actor: &Actor, owner_id: i64, region: &RegionCode) -> Option<bool> {
    if actor.id.0 == owner_id {
        Some(false)
    } else if scope::can_view_region(actor, region) {
        Some(true)
    } else {
        None
    }
}

async fn org_of(app: &App, user_id: i64) -> Result<Option<String>, sqlx::Error> {
    on_db!(&app.db, pool => {
        sqlx::query_scalar::<_, String>("SELECT name FROM organizations WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(pool)
            .await
    })
}

pub async fn enter(
    app: &App,
    actor: &Actor,
    fair: &FairRow,
    input: &ProjectInput,
) -> Result<i64, AppError> {
    let mut errors = FieldErrors::new();
    let kind = errors.check("listing_kind", ListingKind::parse(&input.listing_kind));
    let Some(listing_id) = input.listing_id else {
        errors.add("listing_id", "请指明参会的科技所能、科技成果或科技所需");
        return Err(errors.into_result().expect_err("has errors").into());
    };
    let listing = match kind {
        Some(kind) => {
            match crate::market::service::visible(app, Some(actor), kind, listing_id).await {
                Ok(row) if row.is_published() => Some(row),
                Ok(_) | Err(AppError::NotFound(_)) => {
                    errors.add("listing_id", format!("{}不存在或尚未发布", kind.label()));
                    None
                }
                Err(other) => return Err(other),
            }
        }
        None => None,
    };
    let category = if input.category.trim().is_empty() {
        kind.and_then(|k| Category::default_for(k.as_str()))
    } else {
        errors.check("category", Category::parse(&input.category))
    };
    if let (Some(category), Some(kind)) = (category, kind)
        && !category.accepts(kind.as_str())
    {
        errors.add(
            "category",
            match category {
                Category::Problem => "待攻克的科技难题应为一项科技所需",
                _ => "待推广的高新技术和待转化的科技成果应为一项科技所能或科技成果",
            },
        );
    }
    let sector = if input.sector.trim().is_empty() {
        let derived = listing
            .as_ref()
            .and_then(|l| Sector::from_industry(&l.industry));
        if derived.is_none() && listing.is_some() {
            errors.add("sector", "请选择项目所属的产业领域");
        }
        derived
    } else {
        errors.check("sector", Sector::parse(&input.sector))
    };
    let pitch = input.pitch.trim();
    if pitch.chars().count() > 500 {
        errors.add("pitch", "项目简介不能超过500字");
    } else if !pitch.is_empty() && pitch.chars().count() < 10 {
        errors.add("pitch", "项目简介至少10个字");
    }
    let org_name = input.org_name.trim();
    if org_name.chars().count() > 60 {
        errors.add("org_name", "单位名称不能超过60字");
    }
    if input.images.len() > MAX_IMAGES {
        errors.add("images", format!("图片最多{MAX_IMAGES}张"));
    }
    for (i, url) in input.images.iter().enumerate() {
        if !media_ok(url) {
            errors.add(
                &format!("images[{i}]"),
                "图片地址应为本站上传的文件或 https 地址",
            );
        }
    }
    let video = input.video_url.trim();
    if !video.is_empty() && !media_ok(video) {
        errors.add("video_url", "视频地址应为本站上传的文件或 https 地址");
    }
    errors.into_result()?;
    let listing = listing.expect("checked");
    let region = listing.region().ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("listing {} has a bad region", listing.id))
    })?;
    let Some(nominated) = may_enter(actor, listing.owner_id, &region) else {
        return Err(AppError::Forbidden(
            "只有项目所有者或其所在地区的工作人员可以报名科创会".into(),
        ));
    };
    collecting(app, fair)?;
    let org_name = if org_name.is_empty() {
        org_of(app, listing.owner_id).await?
    } else {
        Some(org_name.to_owned())
    };
    let pitch = if pitch.is_empty() {
        listing
            .description_text
            .chars()
            .take(200)
            .collect::<String>()
    } else {
        pitch.to_owned()
    };
    let images: Vec<String> = input.images.iter().map(|u| u.trim().to_owned()).collect();
    let category = category.expect("checked");
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    let id = store::insert_project(
        &mut tx,
        &NewProject {
            fair_id: fair.id,
            category,
            listing_kind: &listing.kind,
            listing_id: listing.id,
            owner_id: listing.owner_id,
            title: &listing.title,
            region_code: &listing.region_code,
            sector: sector.expect("checked"),
            org_name: org_name.as_deref(),
            pitch: &pitch,
            images: &images,
            video_url: (!video.is_empty()).then_some(video),
            entered_by: actor.id.0,
            nominated,
        },
        now,
    )
    .await?;
    let Some(id) = id else {
        return Err(AppError::Conflict {
            message: "该项目已报名（或报名后撤回）本届科创会，不能重复报名".into(),
            fields: FieldErrors::single("listing_id", "已报名本届科创会"),
        });
    };
    let event = Event::new(EventKind::FairProjectEntered, &region, "fair_project", id)
        .outcome(category.as_str())
        .actor(actor.id.0)
        .counterpart(listing.owner_id)
        .source(&format!("fair:{}", fair.id))
        .once();
    tx.record(now, &event).await?;
    if nominated {
        tx.notify(
            listing.owner_id,
            &format!("您的“{}”被推荐参加{}", listing.title, fair.name),
            &format!("/fairs/{}/projects/{id}", fair.id),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// What the actor may see of an edition's projects: organisers everything; other staff their
/// region's subtree; everyone the selected list once published, and their own projects.
pub fn can_see(actor: Option<&Actor>, fair: &FairRow, project: &ProjectRow) -> bool {
    if project.is_selected() && fair.selection_published() {
        return true;
    }
    let Some(actor) = actor else { return false };
    if actor.id.0 == project.owner_id || actor.id.0 == project.entered_by {
        return true;
    }
    RegionCode::parse(&project.region_code)
        .ok()
        .is_some_and(|r| scope::can_view_region(actor, &r))
}

/// Narrows a requested filter to what the actor may see.
pub fn scoped_filter(
    actor: Option<&Actor>,
    fair: &FairRow,
    mut filter: ProjectFilter,
    mine: bool,
) -> Result<ProjectFilter, AppError> {
    if mine {
        let actor = actor.ok_or_else(AppError::unauthorized)?;
        filter.owner = Some(actor.id.0);
        return Ok(filter);
    }
    match actor.and_then(scope::staff_scope) {
        Some(scope::RegionScope::All) => {}
        Some(scope::RegionScope::Subtree(root)) => {
            if let Some(within) = &filter.within {
                let requested = RegionCode::parse(within)
                    .map_err(|e| AppError::validation("region_code", e.to_string()))?;
                if !root.contains(&requested) {
                    return Err(AppError::Forbidden("只能查看本地区的项目".into()));
                }
            } else {
                filter.within = Some(root.as_str().to_owned());
            }
        }
        None => {
            if !fair.selection_published() {
                return Ok(ProjectFilter {
                    status: Some("__none__".into()),
                    ..filter
                });
            }
            filter.status = Some("selected".into());
        }
    }
    Ok(filter)
}

pub async fn list(
    app: &App,
    actor: Option<&Actor>,
    fair: &FairRow,
    filter: ProjectFilter,
    mine: bool,
    paging: Paging,
) -> Result<(Vec<ProjectRow>, i64), AppError> {
    let filter = scoped_filter(actor, fair, filter, mine)?;
    Ok(store::list_projects(&app.db, fair.id, &filter, paging).await?)
}

pub async fn visible(
    app: &App,
    actor: Option<&Actor>,
    fair: &FairRow,
    id: i64,
) -> Result<ProjectRow, AppError> {
    store::find_project(&app.db, fair.id, id)
        .await?
        .filter(|p| can_see(actor, fair, p))
        .ok_or_else(|| AppError::not_found("科创会项目"))
}

/// The owner, or whoever nominated it, withdraws a project while projects are collected.
pub async fn withdraw(
    app: &App,
    actor: &Actor,
    fair: &FairRow,
    project: &ProjectRow,
) -> Result<(), AppError> {
    let allowed = actor.id.0 == project.owner_id
        || actor.id.0 == project.entered_by
        || actor.role == Role::Admin;
    if !allowed {
        return Err(AppError::Forbidden(
            "只有项目所有者或推荐人可以撤回报名".into(),
        ));
    }
    collecting(app, fair)?;
    let mut tx = app.db.begin().await?;
    if !store::withdraw_project(&mut tx, fair.id, project.id, app.clock.now()).await? {
        return Err(AppError::Conflict {
            message: "该项目已撤回或已进入遴选".into(),
            fields: FieldErrors::new(),
        });
    }
    let region = RegionCode::parse(&project.region_code)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("project region: {e}")))?;
    let event = Event::new(
        EventKind::FairProjectEntered,
        &region,
        "fair_project",
        project.id,
    )
    .outcome(&project.category)
    .actor(actor.id.0)
    .counterpart(project.owner_id)
    .source(&format!("fair:{}", fair.id))
    .once()
    .reversal();
    tx.record(app.clock.now(), &event).await?;
    // The owner hears of it when someone else withdrew it.
    if actor.id.0 != project.owner_id {
        tx.notify(
            project.owner_id,
            &format!("“{}”已撤回{}报名", project.title, fair.name),
            &format!("/fairs/{}", fair.id),
            app.clock.now(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
