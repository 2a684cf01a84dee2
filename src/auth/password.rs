//! Password hashing (argon2id with the crate's recommended parameters) and the password rules.

use std::sync::{Arc, Mutex, OnceLock, mpsc};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::error::AppError;

pub const MIN_PASSWORD_LEN: usize = 10;
pub const MAX_PASSWORD_LEN: usize = 200;

pub fn hash_password(password: &str) -> String {
    let mut salt_bytes = [0u8; 16];
    rand::Rng::fill(&mut rand::rng(), &mut salt_bytes[..]);
    let salt = SaltString::encode_b64(&salt_bytes).unwrap_or_else(|e| unreachable!("16 bytes always encode: {e}"));
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_else(|e| unreachable!("argon2 with default parameters cannot fail: {e}"))
}

pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

/// Hashes on the hashing threads (argon2 takes tens of milliseconds of CPU: never on an async worker, never
/// while holding a database connection).
pub async fn hash_blocking(password: String) -> Result<String, AppError> {
    blocking(move || hash_password(&password)).await
}

/// Verifies on the hashing threads; `stored` None verifies against a dummy hash, so that an unknown
/// account costs the same time as a known one.
pub async fn verify_blocking(password: String, stored: Option<String>) -> Result<bool, AppError> {
    blocking(move || {
        let known = stored.is_some();
        let ok = verify_password(&password, stored.as_deref().unwrap_or_else(|| dummy_hash()));
        ok && known
    })
    .await
}

/// Runs `f` on the hashing threads and waits for it without blocking the async worker.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    let (done, result) = tokio::sync::oneshot::channel();
    let job: HashingJob = Box::new(move || {
        let _ = done.send(f());
    });
    hashing_threads().send(job).map_err(|_| AppError::internal("password hashing threads are gone"))?;
    result.await.map_err(|e| AppError::internal_from("password hashing task failed", e))
}

type HashingJob = Box<dyn FnOnce() + Send>;

/// Argon2 runs on one thread per core of its own, fed by a queue. Each call takes 19 MiB and a core for tens of
/// milliseconds: on the shared blocking pool a burst of sign-ins ran on dozens of threads at once, starved the
/// database work queued behind them, and left the allocator holding 19 MiB per thread (a server grew to 750 MB
/// after 210 sign-ins). Here a burst waits its turn and the memory is that of a few threads.
fn hashing_threads() -> &'static mpsc::Sender<HashingJob> {
    static QUEUE: OnceLock<mpsc::Sender<HashingJob>> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let (queue, jobs) = mpsc::channel::<HashingJob>();
        let jobs = Arc::new(Mutex::new(jobs));
        for n in 0..std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get) {
            let jobs = jobs.clone();
            let work = move || {
                loop {
                    let next = jobs.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    let Ok(job) = next else { return };
                    // A panicking job fails only its own caller (its result channel drops).
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                }
            };
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(work)
                .unwrap_or_else(|e| panic!("cannot start a password hashing thread: {e}"));
        }
        queue
    })
}

/// A hash to verify against when the account does not exist, so that a miss costs the same time as a hit.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not-a-real-password-for-timing"))
}

/// Why a new password is refused, or None when it is acceptable.
pub fn password_problem(password: &str, email: &str) -> Option<String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_LEN {
        return Some(format!("Use at least {MIN_PASSWORD_LEN} characters."));
    }
    if chars > MAX_PASSWORD_LEN {
        return Some(format!("Use at most {MAX_PASSWORD_LEN} characters."));
    }
    if !email.is_empty() && password.eq_ignore_ascii_case(email) {
        return Some("Your password cannot be your email address.".into());
    }
    if password.chars().all(|c| c == password.chars().next().unwrap_or(' ')) {
        return Some("Use more than one repeated character.".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_reject() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_burst_of_hashings_each_gets_its_own_answer() {
        let stored = hash_password("correct horse battery");
        let checks: Vec<_> = (0..6)
            .map(|i| {
                let password = if i % 2 == 0 { "correct horse battery" } else { "wrong horse" };
                tokio::spawn(verify_blocking(password.to_string(), Some(stored.clone())))
            })
            .collect();
        let mut answers = Vec::new();
        for check in checks {
            answers.push(check.await.expect("the task ran").expect("hashing answered"));
        }
        assert_eq!(answers, [true, false, true, false, true, false]);
        assert!(!verify_blocking("correct horse battery".into(), None).await.expect("answered"));
        assert!(verify_password("long enough pass", &hash_blocking("long enough pass".into()).await.expect("hashed")));
    }

    #[test]
    fn password_rules() {
        assert!(password_problem("short", "a@b.c").is_some());
        assert!(password_problem("aaaaaaaaaaaa", "a@b.c").is_some());
        assert!(password_problem("someone@example.com", "someone@example.com").is_some());
        assert!(password_problem("long enough pass", "a@b.c").is_none());
    }
}
