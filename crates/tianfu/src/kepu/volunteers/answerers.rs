//! Teams answer questions in their fields: when a question is asked, the teams near the asker
//! (their city's, and the province's own) whose fields fit it — its channel, or one of the
//! team's words in its text — get it routed to their members. Two statements, whatever the
//! number of teams or members (`questions::routing` calls this).

use tianfu_domain::RegionCode;

use super::rules;
use super::store;
use crate::App;
use crate::platform::error::AppError;

/// How many fitting teams' members are considered; the nearest first.
const TEAMS: usize = 5;

/// The people a question should reach through their teams, each with the reason stored on the
/// route (`team:<队名>`), at most [`rules::MEMBERS_ROUTED`]: the teams of the asker's county
/// first, then of their city, then the province's; in each team its leaders first.
pub async fn routes_for(
    app: &App,
    region: &RegionCode,
    text: &str,
    channel: Option<&str>,
) -> Result<Vec<(i64, String)>, AppError> {
    let code = region.as_str();
    let Ok(city) = RegionCode::parse(&code[..code.len().min(4)]) else {
        return Ok(Vec::new());
    };
    let county = &code[..code.len().min(6)];
    let mut fitting: Vec<(i64, String, String)> = store::teams_near(&app.db, &city, &code[..2])
        .await?
        .into_iter()
        .filter(|(_, _, _, fields)| {
            let fields: Vec<String> = serde_json::from_str(fields).unwrap_or_default();
            rules::answers(&fields, channel, text)
        })
        .map(|(id, name, region, _)| (id, name, region))
        .collect();
    // Nearest first: the asker's county (or a township in it), the city, the province.
    fitting.sort_by_key(|(id, _, region)| {
        let rank = if region.starts_with(county) {
            0
        } else if region.len() >= 4 {
            1
        } else {
            2
        };
        (rank, *id)
    });
    fitting.truncate(TEAMS);
    let ids: Vec<i64> = fitting.iter().map(|(id, _, _)| *id).collect();
    let members = store::members_of(&app.db, &ids).await?;
    let mut out: Vec<(i64, String)> = Vec::new();
    for (team, name, _) in &fitting {
        for (_, user, _) in members.iter().filter(|(t, _, _)| t == team) {
            if out.len() >= rules::MEMBERS_ROUTED {
                return Ok(out);
            }
            if !out.iter().any(|(u, _)| u == user) {
                out.push((*user, format!("team:{name}")));
            }
        }
    }
    Ok(out)
}
