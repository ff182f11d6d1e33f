//! Puts the token into pages as they leave the server: a hidden field as the first child of
//! every form that changes something (`method="post"`, or an htmx `hx-post`/`hx-put`/
//! `hx-patch`/`hx-delete`), and a `<meta name="csrf-token">` in the head for scripts. Doing it
//! on the way out, rather than in each template, is what makes a new form protected without
//! anyone remembering to add the field.

use super::FIELD;

/// Whether the page has a form the token must go into.
pub fn has_unsafe_form(html: &str) -> bool {
    form_tags(html).any(|tag| tag.unsafe_method)
}

/// The page with the token in every unsafe form and in the head.
pub fn inject(html: &str, token: &str) -> String {
    let field = format!(r#"<input type="hidden" name="{FIELD}" value="{token}">"#);
    let mut out = String::with_capacity(html.len() + 256);
    let mut copied = 0;
    let head_end = find_ascii_ci(html, "</head>", 0);
    if let Some(at) = head_end {
        out.push_str(&html[..at]);
        out.push_str(&format!(r#"<meta name="csrf-token" content="{token}">"#));
        copied = at;
    }
    let ends: Vec<usize> = form_tags(html)
        .filter(|t| t.unsafe_method)
        .map(|t| t.end)
        .collect();
    for end in ends {
        if end <= copied {
            continue;
        }
        out.push_str(&html[copied..end]);
        out.push_str(&field);
        copied = end;
    }
    out.push_str(&html[copied..]);
    out
}

struct FormTag {
    /// Byte offset just past the tag's `>`.
    end: usize,
    unsafe_method: bool,
}

/// Every `<form …>` opening tag, with quoted attribute values honoured when looking for its end.
fn form_tags(html: &str) -> impl Iterator<Item = FormTag> + '_ {
    let mut from = 0;
    // The next `<script` at or after `from`, looked up again only once `from` has passed it.
    let mut next_script: Option<Option<usize>> = None;
    std::iter::from_fn(move || {
        loop {
            let start = find_ascii_ci(html, "<form", from)?;
            let script = match next_script {
                Some(known) if known.is_none_or(|s| s >= from) => known,
                _ => {
                    let found = find_ascii_ci(html, "<script", from);
                    next_script = Some(found);
                    found
                }
            };
            // Script text (JSON data islands included) is not markup: skip past it.
            if let Some(script) = script.filter(|s| *s < start) {
                from = find_ascii_ci(html, "</script", script).unwrap_or(html.len());
                continue;
            }
            let after = start + "<form".len();
            from = after;
            let next = html.as_bytes().get(after).copied();
            if !matches!(next, Some(b' ' | b'\t' | b'\n' | b'\r' | b'>' | b'/')) {
                continue; // `<formula>` and the like
            }
            let end = tag_end(html, after)?;
            from = end;
            let attributes = attributes(&html[after..end - 1]);
            let unsafe_method = attributes.iter().any(|(name, value)| {
                (name == "method" && value.eq_ignore_ascii_case("post"))
                    || matches!(
                        name.as_str(),
                        "hx-post" | "hx-put" | "hx-patch" | "hx-delete"
                    )
            });
            return Some(FormTag { end, unsafe_method });
        }
    })
}

/// The offset just past the `>` closing a tag whose attributes start at `from`.
fn tag_end(html: &str, from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, b) in html.as_bytes()[from..].iter().enumerate() {
        match (quote, *b) {
            (None, b'"' | b'\'') => quote = Some(*b),
            (Some(q), b) if b == q => quote = None,
            (None, b'>') => return Some(from + i + 1),
            _ => {}
        }
    }
    None
}

/// `name=value` pairs of a tag's attribute text, names lower-cased, quotes removed.
fn attributes(text: &str) -> Vec<(String, String)> {
    let bytes = text.as_bytes();
    let mut pairs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        let name_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !b"=/>".contains(&bytes[i]) {
            i += 1;
        }
        let name = text[name_start..i].to_ascii_lowercase();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let quote = bytes[i];
                let value_start = i + 1;
                i = value_start;
                while i < bytes.len() && bytes[i] != quote {
                    i += 1;
                }
                value = text[value_start..i.min(bytes.len())].to_owned();
                i += 1;
            } else {
                let value_start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = text[value_start..i].to_owned();
            }
        }
        if !name.is_empty() {
            pairs.push((name, value));
        } else if i < bytes.len() {
            i += 1;
        }
    }
    pairs
}

/// Where `needle` (ASCII, lower case, starting with `<`) first occurs in `haystack` at or after `from`, ignoring
/// ASCII case; offsets stay valid because only ASCII bytes can match.
fn find_ascii_ci(haystack: &str, needle: &str, from: usize) -> Option<usize> {
    let hay = haystack.as_bytes();
    let needle = needle.as_bytes();
    let last = hay.len().checked_sub(needle.len())?;
    let mut i = from;
    while i <= last {
        // Jump to the next `<` (every needle starts with one), then compare the rest.
        i += hay[i..=last].iter().position(|b| *b == needle[0])?;
        if hay[i..i + needle.len()].eq_ignore_ascii_case(needle) {
            return Some(i);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELD_HTML: &str = r#"<input type="hidden" name="csrf_token" value="T">"#;

    #[test]
    fn every_post_form_gets_the_field_and_get_forms_do_not() {
        let page = concat!(
            "<html><head><title>页</title></head><body>",
            r#"<form method="get" action="/search"><input name="q"></form>"#,
            r#"<form method="post" action="/admin/staff" class="a>b"><input name="name"></form>"#,
            r#"<FORM METHOD=POST action='/x'></FORM>"#,
            r#"<form action="/y" hx-post="/y"></form>"#,
            r#"<form action="/z"></form><formula></formula>"#,
            r#"<script type="application/json">{"a":"<form method=\"post\">"}</script>"#,
            "</body></html>"
        );
        assert!(has_unsafe_form(page));
        let out = inject(page, "T");
        assert_eq!(out.matches(FIELD_HTML).count(), 3, "{out}");
        assert!(out.contains(&format!(r#"class="a>b">{FIELD_HTML}<input name="name">"#)));
        assert!(out.contains(&format!(
            "<FORM METHOD=POST action='/x'>{FIELD_HTML}</FORM>"
        )));
        assert!(out.contains(r#"<form method="get" action="/search"><input name="q">"#));
        assert!(out.contains(r#"<meta name="csrf-token" content="T"></head>"#));
    }

    #[test]
    fn pages_without_a_post_form_need_no_token_and_text_survives() {
        let page = "<p>表单 <form method=\"get\"></form>四川</p>";
        assert!(!has_unsafe_form(page));
        assert_eq!(inject(page, "T"), page);
        assert!(!has_unsafe_form("<form"));
    }
}
