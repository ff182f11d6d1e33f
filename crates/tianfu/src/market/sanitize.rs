//! Rich text from users: only a small set of harmless tags survives, links get
//! `rel="noopener noreferrer nofollow"`, and the visible text is kept separately for length
//! checks and the search index. A user's HTML never reaches another user's browser as is.

use std::collections::HashSet;

/// Returns (safe HTML, plain text).
pub fn rich_text(input: &str) -> (String, String) {
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
    ]
    .into_iter()
    .collect();
    let html = ammonia::Builder::default()
        .tags(tags)
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .clean(input)
        .to_string();
    let text = plain_text(&html);
    (html, text)
}

/// Tags that sit inside a line of text: dropping them must not split a Chinese word apart,
/// while block tags (paragraphs, items, breaks) become a space.
const INLINE_TAGS: &[&str] = &["strong", "em", "b", "i", "a"];

/// The visible text of sanitised HTML: tags dropped, the five escapes undone, whitespace folded.
fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut tag: Option<String> = None;
    for c in html.chars() {
        match (&mut tag, c) {
            (None, '<') => tag = Some(String::new()),
            (Some(name), '>') => {
                let name: String = name
                    .trim_start_matches('/')
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect();
                if !INLINE_TAGS.contains(&name.as_str()) {
                    text.push(' ');
                }
                tag = None;
            }
            (Some(name), c) => name.push(c),
            (None, c) => text.push(c),
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_handlers_are_removed() {
        let (html, text) = rich_text(
            r#"<p onclick="x()">蛋鸡<script>alert(1)</script><strong>产蛋率</strong></p><img src=x onerror=alert(1)><a href="javascript:alert(1)">链接</a>"#,
        );
        assert!(
            !html.contains("script")
                && !html.contains("onclick")
                && !html.contains("onerror")
                && !html.contains("javascript")
        );
        assert!(html.contains("<strong>产蛋率</strong>"));
        assert_eq!(text, "蛋鸡产蛋率 链接");
    }

    #[test]
    fn links_are_marked_and_text_is_unescaped() {
        let (html, text) = rich_text(r#"<a href="https://example.org">官网</a> 5 &lt; 6"#);
        assert!(html.contains(r#"rel="noopener noreferrer nofollow""#));
        assert_eq!(text, "官网 5 < 6");
    }

    #[test]
    fn inline_tags_keep_words_whole_and_blocks_separate() {
        let (_, text) = rich_text(
            "<p>提供<strong>蛋鸡</strong>技术</p><p>第二段</p><ul><li>一</li><li>二</li></ul>",
        );
        assert_eq!(text, "提供蛋鸡技术 第二段 一 二");
    }
}
