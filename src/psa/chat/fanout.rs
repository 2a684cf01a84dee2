//! Getting chat events to every socket that cares, on every instance.
//!
//! Events carry ids only (a chat, a sequence number, an MSP); a socket that hears of a new message reads what it
//! has not sent yet from `chat_messages`, so a message exists in the table before anyone hears of it, and a
//! socket never sends one twice or skips one (it sends "everything after my cursor").
//!
//! SQLite (one instance): published to the instance's channels after the writing transaction commits.
//! PostgreSQL (any number of instances): `pg_notify` inside the writing transaction (PostgreSQL delivers it at
//! commit, never for a rolled-back one), and one listening connection per instance, started with the first
//! socket, that publishes what it hears to the instance's channels.
//!
//! The channels: one per chat that has a socket on this instance (its events wake only its own sockets, not
//! every socket of the instance), and one for the MSPs' waiting lists (the consoles).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use diesel::prelude::*;
use tokio::sync::{broadcast, oneshot};

use super::models::AuthorKind;
use crate::db::{BackendUrl, DbConnection};

/// The PostgreSQL channel chat events travel on.
const CHANNEL: &str = "palisade_chat";
/// How often the listening connection looks for notifications (libpq's notifications are read by polling).
const POLL_EVERY: Duration = Duration::from_millis(2);
/// Events a slow console may fall behind before it reloads the list instead.
const QUEUE_CAPACITY: usize = 1024;
/// Events of one chat a slow socket may fall behind before it catches up from the table instead.
const CHAT_CAPACITY: usize = 256;

/// Something happened to a chat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChatEvent {
    /// A message was stored with this sequence number.
    Message { chat: String, seq: i64 },
    /// Someone is typing.
    Typing { chat: String, author: AuthorKind },
    /// The chat was accepted or ended.
    Status { chat: String },
    /// The MSP's list of waiting chats changed (a chat started, was accepted or ended).
    Queue { msp: String },
}

impl ChatEvent {
    /// The chat it happened to (None for a waiting list's change).
    fn chat(&self) -> Option<&str> {
        match self {
            ChatEvent::Message { chat, .. } | ChatEvent::Typing { chat, .. } | ChatEvent::Status { chat } => Some(chat),
            ChatEvent::Queue { .. } => None,
        }
    }

    /// The notification payload: a letter and ids, separated by `|` (ids are UUIDs).
    fn encode(&self) -> String {
        match self {
            ChatEvent::Message { chat, seq } => format!("m|{chat}|{seq}"),
            ChatEvent::Typing { chat, author } => format!("t|{chat}|{}", author.id()),
            ChatEvent::Status { chat } => format!("s|{chat}"),
            ChatEvent::Queue { msp } => format!("q|{msp}"),
        }
    }

    fn decode(payload: &str) -> Option<ChatEvent> {
        let mut parts = payload.split('|');
        let (kind, id, extra) = (parts.next()?, parts.next()?.to_string(), parts.next());
        match (kind, extra) {
            ("m", Some(seq)) => Some(ChatEvent::Message { chat: id, seq: seq.parse().ok()? }),
            ("t", Some(author)) => Some(ChatEvent::Typing { chat: id, author: AuthorKind::parse(author)? }),
            ("s", None) => Some(ChatEvent::Status { chat: id }),
            ("q", None) => Some(ChatEvent::Queue { msp: id }),
            _ => None,
        }
    }
}

/// The instance's chat fan-out (in `AppState`).
pub struct ChatHub {
    inner: Arc<Inner>,
}

struct Inner {
    /// Waiting-list changes, to every console of the instance.
    queue: broadcast::Sender<ChatEvent>,
    /// Each chat's events, to the sockets on that chat (an entry lives while it has a socket).
    chats: Mutex<HashMap<String, broadcast::Sender<ChatEvent>>>,
    /// PostgreSQL's URL when events travel through LISTEN/NOTIFY.
    postgres: Option<String>,
    /// Whether the listening connection runs (started with the first subscriber).
    listening: Mutex<bool>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Inner {
    /// Hands an event to the sockets of this instance that care about it.
    fn publish(&self, event: ChatEvent) {
        let Some(chat) = event.chat().map(str::to_owned) else {
            let _ = self.queue.send(event);
            return;
        };
        let mut chats = lock(&self.chats);
        if let Some(tx) = chats.get(&chat)
            && tx.send(event).is_err()
        {
            // Its last socket closed.
            chats.remove(&chat);
        }
    }
}

impl ChatHub {
    pub fn new(backend: &BackendUrl) -> ChatHub {
        let postgres = match backend {
            BackendUrl::Postgres { url } => Some(url.clone()),
            BackendUrl::Sqlite { .. } => None,
        };
        let (queue, _) = broadcast::channel(QUEUE_CAPACITY);
        let inner = Inner { queue, chats: Mutex::new(HashMap::new()), postgres, listening: Mutex::new(false) };
        ChatHub { inner: Arc::new(inner) }
    }

    /// Every change of the waiting lists from now on (the consoles).
    pub async fn subscribe_queue(&self) -> broadcast::Receiver<ChatEvent> {
        let receiver = self.inner.queue.subscribe();
        self.listening().await;
        receiver
    }

    /// Every event of one chat from now on (its sockets).
    pub async fn subscribe_chat(&self, chat: &str) -> broadcast::Receiver<ChatEvent> {
        let receiver = {
            let mut chats = lock(&self.inner.chats);
            match chats.get(chat) {
                Some(tx) => tx.subscribe(),
                None => {
                    // Forget chats whose sockets all closed without an event since.
                    chats.retain(|_, tx| tx.receiver_count() > 0);
                    let (tx, receiver) = broadcast::channel(CHAT_CAPACITY);
                    chats.insert(chat.to_string(), tx);
                    receiver
                }
            }
        };
        self.listening().await;
        receiver
    }

    /// On PostgreSQL, once this instance's listener is listening (started by the first subscriber).
    async fn listening(&self) {
        let Some(url) = &self.inner.postgres else { return };
        let started = {
            let mut listening = lock(&self.inner.listening);
            if *listening {
                None
            } else {
                *listening = true;
                let (ready, started) = oneshot::channel();
                spawn_listener(url.clone(), Arc::downgrade(&self.inner), ready);
                Some(started)
            }
        };
        if let Some(started) = started {
            let _ = tokio::time::timeout(Duration::from_secs(10), started).await;
        }
    }

    /// Inside the writing transaction: on PostgreSQL, the notifications (sent when it commits).
    pub fn stage(&self, conn: &mut DbConnection, events: &[ChatEvent]) -> QueryResult<()> {
        if let DbConnection::Postgres(pg) = conn {
            for event in events {
                diesel::sql_query("SELECT pg_notify($1, $2)")
                    .bind::<diesel::sql_types::Text, _>(CHANNEL)
                    .bind::<diesel::sql_types::Text, _>(event.encode())
                    .execute(pg)?;
            }
        }
        Ok(())
    }

    /// After the writing transaction committed: on SQLite, the events to this instance's sockets.
    pub fn committed(&self, events: Vec<ChatEvent>) {
        if self.inner.postgres.is_none() {
            for event in events {
                self.inner.publish(event);
            }
        }
    }
}

/// The instance's listening connection: a thread with its own PostgreSQL connection that relays notifications
/// to the broadcast channel, reconnecting after a failure, until the hub is dropped.
fn spawn_listener(url: String, hub: Weak<Inner>, ready: oneshot::Sender<()>) {
    std::thread::Builder::new()
        .name("chat-listener".into())
        .spawn(move || {
            let mut ready = Some(ready);
            while hub.strong_count() > 0 {
                if let Err(e) = listen(&url, &hub, &mut ready) {
                    tracing::warn!("chat listener: {e}; reconnecting");
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
        })
        .expect("spawn the chat listener thread");
}

fn listen(url: &str, hub: &Weak<Inner>, ready: &mut Option<oneshot::Sender<()>>) -> Result<(), String> {
    let mut conn = diesel::PgConnection::establish(url).map_err(|e| e.to_string())?;
    diesel::sql_query(format!("LISTEN {CHANNEL}")).execute(&mut conn).map_err(|e| e.to_string())?;
    if let Some(ready) = ready.take() {
        let _ = ready.send(());
    }
    loop {
        let Some(inner) = hub.upgrade() else { return Ok(()) };
        for notification in conn.notifications_iter() {
            let notification = notification.map_err(|e| e.to_string())?;
            if let Some(event) = ChatEvent::decode(&notification.payload) {
                inner.publish(event);
            }
        }
        drop(inner);
        std::thread::sleep(POLL_EVERY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_travel_as_ids_and_come_back_the_same() {
        let events = [
            ChatEvent::Message { chat: "0193-a".into(), seq: 42 },
            ChatEvent::Typing { chat: "0193-a".into(), author: AuthorKind::Staff },
            ChatEvent::Status { chat: "0193-a".into() },
            ChatEvent::Queue { msp: "0193-m".into() },
        ];
        for event in events {
            assert_eq!(ChatEvent::decode(&event.encode()), Some(event));
        }
        assert_eq!(ChatEvent::decode("m|x|notanumber"), None);
        assert_eq!(ChatEvent::decode("z|x"), None);
        assert_eq!(ChatEvent::decode(""), None);
    }
}
