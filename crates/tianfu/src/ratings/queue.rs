//! What awaits a staff member's step: the status of their level, in their region's subtree, of
//! the kinds their department reviews, oldest first. Administrators see every step.

use tianfu_domain::{RegionLevel, Role};

use super::rules::{Status, SubjectKind};
use super::store::{self, RatingRow};
use crate::App;
use crate::platform::auth::Actor;
use crate::platform::error::AppError;

pub async fn for_actor(app: &App, actor: &Actor, limit: i64) -> Result<Vec<RatingRow>, AppError> {
    let (statuses, kinds): (Vec<Status>, Vec<SubjectKind>) = if actor.role == Role::Admin {
        (
            vec![
                Status::CountyReview,
                Status::CityReview,
                Status::ProvinceReview,
            ],
            vec![SubjectKind::Studio, SubjectKind::Case],
        )
    } else {
        let status = match actor.region.level() {
            RegionLevel::Province => Status::ProvinceReview,
            RegionLevel::City => Status::CityReview,
            _ => Status::CountyReview,
        };
        let kinds = [SubjectKind::Studio, SubjectKind::Case]
            .into_iter()
            .filter(|k| {
                actor
                    .department
                    .is_some_and(|d| k.departments().contains(&d))
            })
            .collect();
        (vec![status], kinds)
    };
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let bounds = if actor.role == Role::Admin {
        // Every code is made of digits, all of which sort inside ["0", ":").
        ("0".to_owned(), ":".to_owned())
    } else {
        actor.region.subtree_bounds()
    };
    let mut rows = Vec::new();
    for status in statuses {
        rows.extend(store::queue(&app.db, status, &bounds, &kinds, limit).await?);
    }
    rows.sort_by_key(|r| r.id);
    rows.truncate(usize::try_from(limit).unwrap_or(100));
    Ok(rows)
}
