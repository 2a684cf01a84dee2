//! The chat sockets' frames: small JSON objects with a `type`.
//!
//! From the browser: `hello {last_seq}` (join or resume: the server sends every message after `last_seq`),
//! `message {body, client_id?}`, `typing`, `end` (the end user leaves; staff end from the console's form).
//! From the server: `welcome {chat, status, last_seq}`, `message {seq, author, name, body, at}`,
//! `ack {seq, client_id}`, `typing {author}`, `status {status, label, ticket?}`, `error {message}`, and on the
//! console's socket `queue {waiting, chats}`.

use serde::Deserialize;
use serde_json::{Value, json};

use super::models::{ChatMessage, ChatSession};

/// Largest frame accepted from a browser, in bytes.
pub const MAX_FRAME_BYTES: usize = 4096;

#[derive(Debug, PartialEq, Eq)]
pub enum Incoming {
    Hello { last_seq: i64 },
    Message { body: String, client_id: Option<String> },
    Typing,
    End,
}

#[derive(Deserialize)]
struct HelloFields {
    #[serde(default)]
    last_seq: i64,
}

#[derive(Deserialize)]
struct MessageFields {
    body: String,
    #[serde(default)]
    client_id: Option<String>,
}

/// Reads a text frame, or says what is wrong with it (sent back as an error frame).
pub fn parse(text: &str) -> Result<Incoming, &'static str> {
    if text.len() > MAX_FRAME_BYTES {
        return Err("That frame is too large (4 KB at most).");
    }
    let value: Value = serde_json::from_str(text).map_err(|_| "That frame is not valid JSON.")?;
    let kind = value.get("type").and_then(Value::as_str).ok_or("A frame needs a \"type\".")?;
    let malformed = "That frame is missing a field or has one of the wrong kind.";
    match kind {
        "hello" => {
            let f: HelloFields = serde_json::from_value(value).map_err(|_| malformed)?;
            Ok(Incoming::Hello { last_seq: f.last_seq.max(0) })
        }
        "message" => {
            let f: MessageFields = serde_json::from_value(value).map_err(|_| malformed)?;
            Ok(Incoming::Message { body: f.body, client_id: f.client_id })
        }
        "typing" => Ok(Incoming::Typing),
        "end" => Ok(Incoming::End),
        _ => Err("Unknown frame type."),
    }
}

pub fn error(message: &str) -> String {
    json!({"type": "error", "message": message}).to_string()
}

pub fn welcome(chat: &ChatSession) -> String {
    json!({"type": "welcome", "chat": chat.id.as_str(), "status": chat.status.id(), "last_seq": chat.last_seq})
        .to_string()
}

pub fn message(m: &ChatMessage) -> String {
    json!({
        "type": "message",
        "seq": m.seq,
        "author": m.author_kind.id(),
        "name": m.author_name,
        "body": m.body,
        "at": m.created_at.format("%H:%M").to_string(),
    })
    .to_string()
}

pub fn ack(seq: i64, client_id: Option<&str>) -> String {
    json!({"type": "ack", "seq": seq, "client_id": client_id}).to_string()
}

pub fn typing(author: super::models::AuthorKind) -> String {
    json!({"type": "typing", "author": author.id()}).to_string()
}

pub fn status(chat: &ChatSession, ticket: Option<i64>) -> String {
    json!({"type": "status", "status": chat.status.id(), "label": chat.status.label(), "ticket": ticket}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_read_or_refused_with_a_reason() {
        assert_eq!(parse(r#"{"type":"hello","last_seq":3}"#), Ok(Incoming::Hello { last_seq: 3 }));
        assert_eq!(parse(r#"{"type":"hello"}"#), Ok(Incoming::Hello { last_seq: 0 }));
        assert_eq!(parse(r#"{"type":"hello","last_seq":-5}"#), Ok(Incoming::Hello { last_seq: 0 }));
        assert_eq!(
            parse(r#"{"type":"message","body":"hi"}"#),
            Ok(Incoming::Message { body: "hi".into(), client_id: None })
        );
        assert_eq!(parse(r#"{"type":"typing"}"#), Ok(Incoming::Typing));
        assert_eq!(parse("not json"), Err("That frame is not valid JSON."));
        assert_eq!(parse(r#"{"body":"x"}"#), Err("A frame needs a \"type\"."));
        assert_eq!(parse(r#"{"type":"dance"}"#), Err("Unknown frame type."));
        assert!(parse(r#"{"type":"message","body":7}"#).unwrap_err().contains("wrong kind"));
        let big = format!(r#"{{"type":"message","body":"{}"}}"#, "x".repeat(5000));
        assert!(parse(&big).unwrap_err().contains("too large"));
    }
}
