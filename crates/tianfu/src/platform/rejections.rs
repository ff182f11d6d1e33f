//! The framework's own refusals in our words. axum's extractors (`Path`, `Form`, `Query`, the
//! body limit) answer in English plain text; a handler of ours never answers in plain text with
//! an error status. This layer turns such an answer into the JSON envelope under `/api` and into
//! the Chinese error page elsewhere, so a person or a program never sees the framework's text.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::{ALLOW, CONTENT_TYPE};
use axum::http::{Response, StatusCode};
use axum::middleware::Next;
use axum::response::IntoResponse;

use super::error::AppError;
use super::page::PageError;

/// The longest framework text read to decide; theirs are a line or two.
const READ_AT_MOST: usize = 16 * 1024;

pub async fn in_our_words(request: Request, next: Next) -> axum::response::Response {
    let api = request.uri().path().starts_with("/api/");
    // `/healthz` says in plain text that the database is down; monitors read that.
    let exempt = request.uri().path() == "/healthz";
    let response = next.run(request).await;
    let status = response.status();
    // A method the route does not take: axum answers with an empty body (or, through the
    // router's fallback, the HTML not-found page); a program gets the envelope instead.
    if api && status == StatusCode::METHOD_NOT_ALLOWED && !is_json(&response) {
        return method_not_allowed(response.headers().get(ALLOW).cloned());
    }
    if exempt || !(status.is_client_error() || status.is_server_error()) || !is_plain(&response) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, READ_AT_MOST).await else {
        return Response::from_parts(parts, axum::body::Body::empty()).into_response();
    };
    let error = translate(status, &String::from_utf8_lossy(&bytes));
    if api {
        error.into_response()
    } else {
        PageError::new(error, None).into_response()
    }
}

fn is_json(response: &axum::response::Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"))
}

/// 405 in the JSON envelope, keeping the `Allow` header that names the methods the route takes.
fn method_not_allowed(allow: Option<HeaderValue>) -> axum::response::Response {
    let body = serde_json::json!({"error": {
        "code": "method_not_allowed",
        "message": "该接口不支持这种请求方法，请按接口说明调用",
        "fields": {},
    }});
    let mut response = (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response();
    if let Some(allow) = allow {
        response.headers_mut().insert(ALLOW, allow);
    }
    response
}

fn is_plain(response: &axum::response::Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/plain"))
}

/// What the framework meant, as one of our errors.
fn translate(status: StatusCode, text: &str) -> AppError {
    match status {
        // A path segment that is not the number a route expects (letters, or an id beyond i64)
        // names nothing that exists.
        StatusCode::BAD_REQUEST if text.starts_with("Invalid URL") => {
            AppError::NotFound("您要找的内容不存在".into())
        }
        StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            AppError::UnsupportedMedia("不支持该内容类型，请按页面或接口说明提交".into())
        }
        StatusCode::NOT_FOUND => AppError::NotFound("您要找的内容不存在".into()),
        status if status.is_client_error() => {
            AppError::BadRequest("提交的参数无法识别，请检查后重试".into())
        }
        _ => AppError::Internal(anyhow::anyhow!("framework answered {status}: {text}")),
    }
}

/// The answer to a body over the limit, wherever it is found.
pub fn too_large() -> AppError {
    AppError::TooLarge("请求体过大：超过了允许的大小，请缩小后重试".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framework_texts_become_our_errors() {
        let overflow = translate(
            StatusCode::BAD_REQUEST,
            "Invalid URL: Cannot parse `id` with value `99999999999999999999` to a `i64`",
        );
        assert_eq!(overflow.status(), StatusCode::NOT_FOUND);
        let big = translate(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Failed to buffer the request body: length limit exceeded",
        );
        assert_eq!(big.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert!(big.to_string().contains("请求体过大"));
        let form = translate(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Failed to deserialize form body: missing field `x`",
        );
        assert_eq!(form.status(), StatusCode::BAD_REQUEST);
        assert!(!form.to_string().contains("deserialize"));
    }
}
