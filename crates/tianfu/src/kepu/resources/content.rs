//! A resource as a request states it, validated into [`Content`]: every bad field named in
//! Chinese at once, and rich text sanitised (scripts and event handlers never survive).

use std::collections::HashSet;

use serde::Deserialize;
use tianfu_domain::{FieldErrors, RegionCode};
use utoipa::ToSchema;

use super::media::{self, MediaKind};
use super::store::{self, Content};
use crate::App;
use crate::kepu::audience::{self, Audience, Format};
use crate::platform::error::AppError;

pub const TITLE_CHARS: std::ops::RangeInclusive<usize> = 2..=60;
pub const SUMMARY_MAX_CHARS: usize = 120;
pub const BODY_MAX_CHARS: usize = 20_000;

/// A resource as written: `POST /api/v1/kepu/resources`, and the form.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceBody {
    /// 2 to 60 characters.
    #[serde(default)]
    #[schema(min_length = 2, max_length = 60, required = true)]
    pub title: String,
    /// Rich text (p, br, strong, em, lists, links, h3, h4, blockquote, images uploaded here);
    /// anything else is removed. Required for an article (at least 20 characters of text); for
    /// a video or audio it describes the programme.
    #[serde(default)]
    #[schema(max_length = 60000, required = true)]
    pub body: String,
    #[serde(default)]
    #[schema(value_type = crate::kepu::audience::FormatName, required = true)]
    pub format: String,
    /// A channel code from `GET /api/v1/kepu/channels`.
    #[serde(default)]
    #[schema(required = true)]
    pub channel: String,
    /// At least one.
    #[serde(default)]
    #[schema(value_type = Vec<crate::kepu::audience::AudienceName>, required = true)]
    pub audiences: Vec<String>,
    /// Up to 8 tags of up to 12 characters.
    #[serde(default)]
    pub tags: Vec<String>,
    /// For one region only (a county's orchard advice); none for the whole province.
    #[schema(value_type = Option<crate::platform::openapi::RegionCode>)]
    pub region_code: Option<String>,
    /// One line shown in lists; up to 120 characters; taken from the body when absent.
    #[schema(max_length = 120)]
    pub summary: Option<String>,
    /// The video or audio file (from `POST /api/v1/kepu/media`); required for those formats.
    pub media_id: Option<i64>,
    /// A cover image (from `POST /api/v1/kepu/media`).
    pub cover_id: Option<i64>,
}

/// Keeps the harmless tags of an article, and images only from the platform's own media.
pub fn article_html(input: &str) -> (String, String) {
    let tags: HashSet<&str> = [
        "p",
        "br",
        "strong",
        "em",
        "b",
        "i",
        "ul",
        "ol",
        "li",
        "a",
        "h3",
        "h4",
        "blockquote",
        "img",
    ]
    .into_iter()
    .collect();
    let html = ammonia::Builder::default()
        .tags(tags)
        .add_tag_attributes("img", ["src", "alt"])
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .attribute_filter(|element, attribute, value| {
            if element == "img" && attribute == "src" && !value.starts_with("/kepu/media/") {
                None
            } else {
                Some(value.into())
            }
        })
        .clean(input)
        .to_string();
    let (_, text) = crate::market::sanitize::rich_text(&html);
    (html, text)
}

/// Checks a request against the channels, the region tree and the media table.
pub async fn validate(app: &App, body: &ResourceBody) -> Result<Content, AppError> {
    let mut errors = FieldErrors::new();
    let title = body.title.trim().to_owned();
    if !TITLE_CHARS.contains(&title.chars().count()) {
        errors.add("title", "标题应为2到60个字");
    }
    let format = Format::parse(body.format.trim());
    if format.is_none() {
        errors.add(
            "format",
            "形式只能是：article（图文）、video（视频）、audio（音频）",
        );
    }
    let (body_html, body_text) = article_html(&body.body);
    let text_chars = body_text.chars().count();
    if text_chars > BODY_MAX_CHARS {
        errors.add("body", format!("正文不能超过{BODY_MAX_CHARS}字"));
    } else if format == Some(Format::Article) && text_chars < 20 {
        errors.add("body", "图文正文至少20个字");
    } else if text_chars == 0 {
        errors.add("body", "请填写简介或正文");
    }
    let channels = store::channels(&app.db).await?;
    let channel = body.channel.trim().to_owned();
    if !channels.iter().any(|(code, _)| *code == channel) {
        let names: Vec<String> = channels
            .iter()
            .map(|(c, n)| format!("{c}（{n}）"))
            .collect();
        errors.add("channel", format!("栏目只能是：{}", names.join("、")));
    }
    let audiences = match Audience::parse_list(&body.audiences) {
        Ok(list) if list.is_empty() => {
            errors.add("audiences", "请至少选择一类人群");
            Vec::new()
        }
        Ok(list) => list.into_iter().map(|a| a.as_str().to_owned()).collect(),
        Err(message) => {
            errors.add("audiences", message);
            Vec::new()
        }
    };
    let tags = errors
        .check("tags", audience::parse_tags(&body.tags))
        .unwrap_or_default();
    let region_code = match body
        .region_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(code) => match app.regions.find(code) {
            Some(region) => Some(region.code.clone()),
            None => {
                errors.add("region_code", "地区代码不存在");
                None
            }
        },
        None => None,
    };
    let summary = match body
        .summary
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) if s.chars().count() > SUMMARY_MAX_CHARS => {
            errors.add("summary", format!("摘要不能超过{SUMMARY_MAX_CHARS}字"));
            String::new()
        }
        Some(s) => s.to_owned(),
        None => body_text.chars().take(60).collect(),
    };
    let wanted = match format {
        Some(Format::Video) => Some(MediaKind::Video),
        Some(Format::Audio) => Some(MediaKind::Audio),
        _ => None,
    };
    match (body.media_id, wanted) {
        (None, Some(_)) => errors.add("media_id", "视频和音频请先上传文件"),
        (Some(id), wanted) => match media::find(&app.db, id).await? {
            Some(file) if wanted.is_none_or(|w| media::kind_of(&file.mime) == w) => {}
            Some(_) => errors.add("media_id", "文件类型与资源形式不符"),
            None => errors.add("media_id", "文件不存在"),
        },
        (None, None) => {}
    }
    if let Some(id) = body.cover_id {
        match media::find(&app.db, id).await? {
            Some(file) if media::kind_of(&file.mime) == MediaKind::Image => {}
            Some(_) => errors.add("cover_id", "封面必须是图片"),
            None => errors.add("cover_id", "文件不存在"),
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    Ok(Content {
        title,
        summary,
        body_html,
        body_text,
        format: format.map(Format::as_str).unwrap_or_default().to_owned(),
        channel,
        audiences,
        tags,
        region_code: region_code.map(|c: RegionCode| c),
        media_id: body.media_id,
        cover_id: body.cover_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_foreign_images_are_removed() {
        let (html, text) = article_html(
            "<p onclick=\"x()\">柑橘<script>alert(1)</script>裂果</p><img src=\"https://evil.example/a.png\" onerror=\"x()\"><img src=\"/kepu/media/abc\" alt=\"图\">",
        );
        assert!(!html.contains("script") && !html.contains("onclick") && !html.contains("onerror"));
        assert!(!html.contains("evil.example"), "{html}");
        assert!(html.contains("/kepu/media/abc"), "{html}");
        assert!(text.contains("柑橘裂果"), "{text}");
    }
}
