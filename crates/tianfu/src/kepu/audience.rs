//! The words 科普 is aimed with: the audiences of the national science-literacy plan (全民科学素质
//! 行动规划纲要), resource formats, and interests (a channel code or a tag).

use serde::Serialize;

use crate::platform::openapi::{wire_enum, wire_names};

/// 重点人群 of the national plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    Youth,
    Farmer,
    Worker,
    Elder,
    Cadre,
}

impl Audience {
    pub const ALL: [Audience; 5] = [
        Audience::Youth,
        Audience::Farmer,
        Audience::Worker,
        Audience::Elder,
        Audience::Cadre,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Youth => "youth",
            Audience::Farmer => "farmer",
            Audience::Worker => "worker",
            Audience::Elder => "elder",
            Audience::Cadre => "cadre",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Audience::Youth => "青少年",
            Audience::Farmer => "农民",
            Audience::Worker => "产业工人",
            Audience::Elder => "老年人",
            Audience::Cadre => "领导干部和公务员",
        }
    }

    pub fn parse(text: &str) -> Option<Audience> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }

    /// A list from a request: every entry known, no repeats; the message names what is wrong.
    pub fn parse_list(items: &[String]) -> Result<Vec<Audience>, String> {
        let mut out = Vec::new();
        for item in items {
            let audience = Audience::parse(item.trim())
                .ok_or_else(|| format!("未知的人群“{item}”，可选：青少年 youth、农民 farmer、产业工人 worker、老年人 elder、领导干部和公务员 cadre"))?;
            if !out.contains(&audience) {
                out.push(audience);
            }
        }
        Ok(out)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Article,
    Video,
    Audio,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Article, Format::Video, Format::Audio];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Article => "article",
            Format::Video => "video",
            Format::Audio => "audio",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Format::Article => "图文",
            Format::Video => "视频",
            Format::Audio => "音频",
        }
    }

    pub fn parse(text: &str) -> Option<Format> {
        Self::ALL.into_iter().find(|f| f.as_str() == text)
    }
}

/// The longest tag or interest, in characters.
pub const MAX_TAG_CHARS: usize = 12;
pub const MAX_TAGS: usize = 8;

/// A tag or interest as typed: trimmed, 1 to 12 characters, no markup or separators.
pub fn parse_tag(text: &str) -> Result<String, String> {
    let tag = text.trim();
    if tag.is_empty() {
        return Err("标签不能为空".into());
    }
    if tag.chars().count() > MAX_TAG_CHARS {
        return Err(format!("标签“{tag}”超过{MAX_TAG_CHARS}个字"));
    }
    if tag
        .chars()
        .any(|c| c.is_control() || "<>\"'&,，;；#/\\".contains(c))
    {
        return Err(format!("标签“{tag}”含有不允许的符号"));
    }
    Ok(tag.to_owned())
}

/// Tags from a request: each valid, no repeats, at most eight.
pub fn parse_tags(items: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let tag = parse_tag(item)?;
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(format!("标签最多{MAX_TAGS}个"));
    }
    Ok(out)
}

wire_enum!(
    /// youth 青少年, farmer 农民, worker 产业工人, elder 老年人, cadre 领导干部和公务员.
    AudienceName,
    wire_names(&Audience::ALL, Audience::as_str, false)
);
wire_enum!(
    /// article 图文, video 视频, audio 音频.
    FormatName,
    wire_names(&Format::ALL, Format::as_str, false)
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audiences_read_back_and_unknown_ones_are_named() {
        for a in Audience::ALL {
            assert_eq!(Audience::parse(a.as_str()), Some(a));
        }
        let err = Audience::parse_list(&["farmer".into(), "robot".into()]).unwrap_err();
        assert!(err.contains("robot"), "{err}");
        let list = Audience::parse_list(&["farmer".into(), "farmer".into()]).unwrap();
        assert_eq!(list, vec![Audience::Farmer]);
    }

    #[test]
    fn tags_are_short_plain_words() {
        assert_eq!(parse_tag(" 柑橘 ").unwrap(), "柑橘");
        assert!(parse_tag("").is_err());
        assert!(parse_tag("<b>x</b>").is_err());
        assert!(parse_tag("一二三四五六七八九十一二三").is_err());
        let many: Vec<String> = (0..9).map(|i| format!("词{i}")).collect();
        assert!(parse_tags(&many).is_err());
    }
}
