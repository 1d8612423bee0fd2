//! The HTTP side of `dancu review`: the page and its JSON API, on
//! 127.0.0.1 only, every request checked against the run's token. Requests
//! are few (one clerk, one click at a time), so one thread serves them.

use std::future::Future;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::queue::Queue;
use crate::decisions::{self, Decision, Verdict};

/// What the server holds while it runs.
pub struct App {
    pub token: String,
    pub queue: Queue,
    /// Where decisions are appended.
    pub decisions_path: std::path::PathBuf,
    /// Who decides, unless a request says.
    pub reviewer: String,
    /// The page, with its words in the chosen language.
    pub page: String,
    /// Decisions made since the server started, by pair; the page's
    /// progress and undo read them.
    pub session: Mutex<Session>,
}

#[derive(Default)]
pub struct Session {
    pub decided: std::collections::HashMap<(String, String), Decision>,
    pub appended: u64,
}

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/api/pairs", get(pairs))
        .route("/api/decisions", post(decide))
        .fallback(not_found)
        .with_state(app)
}

/// Serves `app` on `listener` until Ctrl+C (or SIGTERM); then returns, so
/// that the output folder's lock is let go.
pub fn serve(listener: std::net::TcpListener, app: Arc<App>) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_io().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        axum::serve(listener, router(app)).with_graceful_shutdown(stopped()).await
    })
}

async fn stopped() {
    let mut interrupt = std::pin::pin!(tokio::signal::ctrl_c());
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    std::future::poll_fn(|context| {
        if interrupt.as_mut().poll(context).is_ready() {
            return std::task::Poll::Ready(());
        }
        #[cfg(unix)]
        if let Some(terminate) = terminate.as_mut() {
            if terminate.poll_recv(context).is_ready() {
                return std::task::Poll::Ready(());
            }
        }
        std::task::Poll::Pending
    })
    .await
}

/// Headers of every answer: nothing is cached, the page may talk to its
/// own server only, and no address (with its token) is passed on.
fn guarded(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; \
             img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    response
}

fn json_response(status: StatusCode, value: &Value) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_default();
    guarded((status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body).into_response())
}

fn error(status: StatusCode, message: &str) -> Response {
    json_response(status, &json!({ "error": message }))
}

/// Whether a request carries the token: in `Authorization: Bearer`, or as
/// `token=` in the address (how the printed address opens the page).
fn authorized(app: &App, headers: &HeaderMap, uri: &Uri) -> bool {
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let from_query = query_value(uri, "token");
    let header_holds = from_header.is_some_and(|given| same_secret(given, &app.token));
    let query_holds = from_query.is_some_and(|given| same_secret(&given, &app.token));
    header_holds || query_holds
}

/// Compares in time that does not depend on where the texts differ.
fn same_secret(given: &str, token: &str) -> bool {
    given.len() == token.len() && given.bytes().zip(token.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A parameter of the address's query, percent-decoded.
fn query_value(uri: &Uri, name: &str) -> Option<String> {
    uri.query()?.split('&').find_map(|part| {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        (key == name).then(|| percent_decode(value))
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(byte) => {
                        out.push(byte);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn page(State(app): State<Arc<App>>, headers: HeaderMap, uri: Uri) -> Response {
    if !authorized(&app, &headers, &uri) {
        return guarded(
            (StatusCode::UNAUTHORIZED, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], UNAUTHORIZED_TEXT)
                .into_response(),
        );
    }
    guarded(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], app.page.clone()).into_response())
}

const UNAUTHORIZED_TEXT: &str =
    "401: open the address that `dancu review` printed, with its token / mở đúng địa chỉ mà `dancu review` đã in, kèm token\n";

async fn not_found(State(app): State<Arc<App>>, headers: HeaderMap, uri: Uri) -> Response {
    if !authorized(&app, &headers, &uri) {
        return error(StatusCode::UNAUTHORIZED, "no token or a wrong one");
    }
    error(StatusCode::NOT_FOUND, "no such page")
}

/// `GET /api/pairs[?commune=CODE][&offset=N][&limit=N]`: the queue.
async fn pairs(State(app): State<Arc<App>>, headers: HeaderMap, uri: Uri) -> Response {
    if !authorized(&app, &headers, &uri) {
        return error(StatusCode::UNAUTHORIZED, "no token or a wrong one");
    }
    let commune = query_value(&uri, "commune").filter(|c| !c.is_empty());
    let offset: usize = query_value(&uri, "offset").and_then(|v| v.parse().ok()).unwrap_or(0);
    let limit: usize = query_value(&uri, "limit").and_then(|v| v.parse().ok()).unwrap_or(usize::MAX);
    let session = app.session.lock().unwrap_or_else(|e| e.into_inner());
    let chosen: Vec<&super::queue::QueuedPair> =
        app.queue.pairs.iter().filter(|p| commune.as_ref().is_none_or(|c| &p.commune == c)).collect();
    let reviewed_of = |a: &str, b: &str| {
        let (x, y) = decisions::pair_key(a, b);
        session.decided.get(&(x.to_string(), y.to_string()))
    };
    let decided = chosen.iter().filter(|p| reviewed_of(&p.a, &p.b).is_some()).count();
    let listed: Vec<Value> = chosen
        .iter()
        .skip(offset)
        .take(limit)
        .map(|p| {
            let mut pair = p.json.clone();
            pair["reviewed"] = match reviewed_of(&p.a, &p.b) {
                Some(d) => json!({
                    "decision": d.verdict.label(),
                    "reviewer": d.reviewer,
                    "decided_at": d.decided_at,
                    "note": d.note,
                }),
                None => Value::Null,
            };
            pair
        })
        .collect();
    // The communes come with the first page only: a province has thousands.
    let communes: Vec<Value> = app
        .queue
        .communes
        .iter()
        .filter(|_| offset == 0)
        .map(|(code, name, pairs)| json!({"code": code, "name": name, "pairs": pairs}))
        .collect();
    json_response(
        StatusCode::OK,
        &json!({
            "total": chosen.len(),
            "decided": decided,
            "left": chosen.len() - decided,
            "already_decided": app.queue.already_decided,
            "offset": offset,
            "communes": communes,
            "pairs": listed,
        }),
    )
}

/// `POST /api/decisions` with `{"a", "b", "decision", "reviewer", "note"}`.
async fn decide(State(app): State<Arc<App>>, headers: HeaderMap, uri: Uri, body: Bytes) -> Response {
    if !authorized(&app, &headers, &uri) {
        return error(StatusCode::UNAUTHORIZED, "no token or a wrong one");
    }
    // Only a script of the page (or a tool) sends JSON; a form or an image
    // tag on another site cannot.
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "send the decision as application/json");
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "the body is not JSON");
    };
    let text = |key: &str| body.get(key).and_then(Value::as_str).unwrap_or("").trim().to_string();
    let (a, b) = (text("a"), text("b"));
    let Some(verdict) = Verdict::parse(&text("decision")) else {
        return error(StatusCode::BAD_REQUEST, "decision must be same, different, unsure or undo");
    };
    if a.is_empty() || b.is_empty() || a == b {
        return error(StatusCode::BAD_REQUEST, "a and b must be two different record_ids");
    }
    if !app.queue.record_ids.contains(&a) || !app.queue.record_ids.contains(&b) {
        return error(StatusCode::NOT_FOUND, "a or b is not a record_id of this output folder");
    }
    let reviewer = Some(text("reviewer")).filter(|r| !r.is_empty()).unwrap_or_else(|| app.reviewer.clone());
    let decision = Decision {
        a,
        b,
        verdict,
        reviewer: single_line(&reviewer, 100),
        decided_at: crate::clock::utc_timestamp(crate::clock::unix_seconds()),
        note: single_line(&text("note"), 1000),
    };
    let mut session = app.session.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(e) = decisions::append(&app.decisions_path, &decision) {
        eprintln!("dancu review: error: cannot write {}: {e}", decisions::FILE);
        return error(StatusCode::INTERNAL_SERVER_ERROR, "the decision could not be written; it was not recorded");
    }
    session.appended += 1;
    let (x, y) = decision.pair();
    let key = (x.to_string(), y.to_string());
    if verdict == Verdict::Undo {
        session.decided.remove(&key);
    } else {
        session.decided.insert(key, decision);
    }
    // Counts only: never a record's content.
    eprintln!("dancu review: {} decision(s) written this session", session.appended);
    json_response(StatusCode::OK, &json!({ "ok": true, "decided": session.decided.len() }))
}

/// A reviewer's name or note as one line, cut to `most` characters.
fn single_line(text: &str, most: usize) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(most).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_taken_from_the_query_percent_decoded() {
        let uri: Uri = "/api/pairs?commune=00004&token=ab%2Bc".parse().unwrap();
        assert_eq!(query_value(&uri, "token").as_deref(), Some("ab+c"));
        assert_eq!(query_value(&uri, "commune").as_deref(), Some("00004"));
        assert_eq!(query_value(&uri, "offset"), None);
        assert_eq!(percent_decode("%E1%BB%87%2"), "ệ%2");
        assert!(same_secret("abc", "abc") && !same_secret("abd", "abc") && !same_secret("ab", "abc"));
    }
}
