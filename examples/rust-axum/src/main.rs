//! A Zentitle webhook route in axum. The pitfall: an extractor that parses the body (`Json`)
//! before verifying; take the raw `Bytes` and the headers instead.
//!
//!   ZENTITLE_RSA_MODULUS=... PORT=3000 cargo run

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use zentitle_webhooks::{Payload, PublicKey, Verifier, SIGNATURE_HEADER};

#[tokio::main]
async fn main() {
    let key = std::env::var("ZENTITLE_RSA_MODULUS").expect("set ZENTITLE_RSA_MODULUS");
    // Once, at start-up: the key is parsed and prepared here.
    let verifier = Arc::new(Verifier::new(PublicKey::parse(key.trim()).expect("a usable key")));
    let app = Router::new()
        .route("/webhooks/zentitle", post(webhook).get(|| async { StatusCode::METHOD_NOT_ALLOWED }))
        .with_state(verifier);
    let port = std::env::var("PORT").unwrap_or_else(|_| String::from("3000"));
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}

async fn webhook(State(verifier): State<Arc<Verifier>>, headers: HeaderMap, body: Bytes) -> (StatusCode, String) {
    // The header once, exactly as received: a repeated header is refused as malformed.
    let values: Vec<&str> = headers.get_all(SIGNATURE_HEADER).iter().filter_map(|v| v.to_str().ok()).collect();
    let signature = match values.as_slice() {
        [one] => *one,
        [] => "",
        _ => "repeated",
    };
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    match verifier.verify(&body, signature, now_ms) {
        Ok(verified) => {
            let event = verified.event;
            if let Payload::Seat(seat) = &event.payload {
                println!("seat activated {}", seat.seat_id);
            }
            println!("handled {} {}", event.event_code, event.event_id);
            (StatusCode::OK, String::from(r#"{"ok":true,"outcome":"processed"}"#))
        }
        Err(error) => {
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, format!(r#"{{"ok":false,"code":"{}"}}"#, error.code().as_str()))
        }
    }
}
