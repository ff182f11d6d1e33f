//! 精准科普: science resources aimed at each resident (精准滴灌, not 大水漫灌) and answers to their
//! questions (上天府科技云、向科学要答案), counted through the ledger of record.
//!
//! - `audience`: the channels, the audiences of the national science-literacy plan, interests.
//! - `resources`: 科普资源 (articles, video, audio, images), their media files and review.
//! - `profile`: 需求画像 — audience and interests chosen, plus interests learned with decay.
//! - `feed`: the aimed feed (`/kepu`, `GET /api/v1/kepu/feed`).
//! - `views`: 浏览量 and 服务量 recorded in batches, deduplicated, with the gaming flags.
//! - `pushes`: 精准推送 campaigns and their fan-out job.
//! - `questions`: 向科学要答案 — questions routed to scientists, volunteers and staff.
//! - `sharers`: 智慧科普传播员 (科普员) — appointed per township, reads through their links, offline
//!   activity reports, coverage.
//! - `volunteers`: 志愿服务队, their members, and volunteers' hours and certificates.

pub mod activities;
pub mod audience;
pub mod bench;
pub mod feed;
pub mod places;
pub mod profile;
pub mod pushes;
pub mod questions;
pub mod resources;
pub mod sharers;
pub mod views;
pub mod volunteers;

use axum::Router;
use tokio::task::JoinHandle;
use utoipa::OpenApi;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(resources::routes())
        .merge(profile::routes())
        .merge(feed::routes())
        .merge(views::routes())
        .merge(pushes::routes())
        .merge(questions::routes())
        .merge(places::routes())
        .merge(activities::routes())
        .merge(sharers::routes())
        .merge(volunteers::routes())
}

/// The slice's background jobs: the view recorder's flusher, the push fan-out, the questions'
/// 48-hour clock.
pub fn spawn_jobs(app: AppState) -> Vec<JoinHandle<()>> {
    let mut jobs = vec![views::spawn(app.clone())];
    jobs.extend(pushes::spawn_jobs(app.clone()));
    jobs.extend(questions::spawn_jobs(app));
    jobs
}

/// Runs what the slice's jobs would do by now: buffered views written, pushes fanned out,
/// questions escalated. Tests call it (through `TestApp::settle`) instead of waiting for a poll.
pub async fn settle(app: &crate::App) -> Result<(), crate::platform::error::AppError> {
    views::flush(app).await?;
    views::book::run(app).await?;
    pushes::settle(app).await?;
    questions::settle(app).await?;
    Ok(())
}

/// The slice's part of the API document; each sub-slice keeps its own list of paths.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    let mut doc = KepuApi::openapi();
    doc.merge(pushes::api_doc());
    doc.merge(questions::api_doc());
    doc.merge(places::api_doc());
    doc.merge(activities::api_doc());
    doc.merge(sharers::api_doc());
    doc.merge(volunteers::api_doc());
    doc
}

#[derive(OpenApi)]
#[openapi(
    paths(
        resources::api::create, resources::api::list, resources::api::get, resources::api::patch,
        resources::api::progress, resources::api::review, resources::api::channels, resources::api::add_channel,
        resources::media::upload,
        profile::api::get, profile::api::put, profile::api::stats,
        feed::api::feed, views::api::flags,
    ),
    components(schemas(audience::AudienceName, audience::FormatName, resources::api::ResourceStatusFilter)),
    tags((name = "kepu", description = "精准科普：科普资源、需求画像、精准推送、向科学要答案")),
)]
struct KepuApi;
