//! The token in a multipart form (a form with a file field). The hidden field is the form's first
//! child and browsers send fields in document order, so the token is the body's first part: only
//! the beginning of the body is read, and the body streams on to the handler untouched (an upload
//! is never held in memory for this).

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use http_body::{Body as HttpBody, Frame, SizeHint};

use super::FIELD;

/// How much of the body is read to find the first part: its headers and a 64-character token
/// fit many times over.
const HEAD_LIMIT: usize = 16 * 1024;

/// The boundary of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    let mut pieces = content_type.split(';');
    let kind = pieces.next()?.trim();
    if !kind.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    pieces
        .filter_map(|p| p.trim().split_once('='))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
        .filter(|b| !b.is_empty())
}

/// The token the body's first part holds, if that part is the token field, and the whole body
/// to hand on.
pub async fn first_field(
    mut body: Body,
    boundary: &str,
) -> Result<(Option<String>, Body), axum::Error> {
    let mut head = Vec::new();
    let end = format!("\r\n--{boundary}");
    while head.len() < HEAD_LIMIT && find(&head, end.as_bytes()).is_none() {
        match std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    head.extend_from_slice(&data);
                }
            }
            Some(Err(error)) => return Err(error),
            None => break,
        }
    }
    let token = first_part_token(&head, boundary);
    let body = Body::new(Prefixed {
        prefix: Some(Bytes::from(head)),
        rest: body,
    });
    Ok((token, body))
}

fn first_part_token(head: &[u8], boundary: &str) -> Option<String> {
    let start = format!("--{boundary}\r\n");
    let rest = head.strip_prefix(start.as_bytes())?;
    let headers_end = find(rest, b"\r\n\r\n")?;
    let headers = std::str::from_utf8(&rest[..headers_end]).ok()?;
    let named = headers.lines().any(|line| {
        let line = line.to_ascii_lowercase();
        line.starts_with("content-disposition:")
            && line.contains("form-data")
            && line.contains(&format!("name=\"{FIELD}\""))
    });
    if !named {
        return None;
    }
    let value = &rest[headers_end + 4..];
    let value_end = find(value, format!("\r\n--{boundary}").as_bytes())?;
    String::from_utf8(value[..value_end].to_vec()).ok()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The bytes already read, then the rest of the body.
struct Prefixed {
    prefix: Option<Bytes>,
    rest: Body,
}

impl HttpBody for Prefixed {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        if let Some(prefix) = self.prefix.take().filter(|p| !p.is_empty()) {
            return Poll::Ready(Some(Ok(Frame::data(prefix))));
        }
        Pin::new(&mut self.rest).poll_frame(cx)
    }

    fn size_hint(&self) -> SizeHint {
        let mut hint = self.rest.size_hint();
        let extra = self.prefix.as_ref().map_or(0, |p| p.len() as u64);
        hint.set_lower(hint.lower() + extra);
        if let Some(upper) = hint.upper() {
            hint.set_upper(upper + extra);
        }
        hint
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_part_gives_the_token_and_the_body_stays_whole() {
        let content_type = "multipart/form-data; boundary=----x1";
        let boundary = boundary(content_type).unwrap();
        assert_eq!(boundary, "----x1");
        let sent = concat!(
            "------x1\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc\r\n",
            "------x1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n内容\r\n",
            "------x1--\r\n"
        );
        let (token, body) = first_field(Body::from(sent), &boundary).await.unwrap();
        assert_eq!(token.as_deref(), Some("abc"));
        let back = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        assert_eq!(&back[..], sent.as_bytes());
        let other =
            "------x1\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc\r\n------x1--";
        let (token, _) = first_field(Body::from(other), &boundary).await.unwrap();
        assert_eq!(token, None);
        assert_eq!(boundary_of("application/json"), None);
    }

    fn boundary_of(content_type: &str) -> Option<String> {
        super::boundary(content_type)
    }
}
