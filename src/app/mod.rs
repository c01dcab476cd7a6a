//! The application layer: one function per user operation, shared by the pages (`web`) and the
//! JSON API (`api`). Each takes typed input and what it needs from the state, runs its work in
//! one transaction and returns domain values or an `AppError`; each runs in a tracing span named
//! after the operation, so a failure in the log says which operation failed.
//! May import `domain`, `store`, `auth`, `config`, `state` and `error`; never `web` or `api`.

pub mod accounts;
pub mod export;
pub mod housekeeping;
pub mod insight;
pub mod journal;
pub mod notes;
pub mod report_links;
pub mod sharing;
pub mod sync;

use crate::error::AppError;
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, LazyLock, Mutex};

/// A record id from a path as the store holds it (a UUID); anything else names nothing, so it
/// is 404 and never reaches the database (where a NUL byte would be a PostgreSQL error).
pub(crate) fn record_id(raw: String) -> Result<String, AppError> {
    uuid::Uuid::parse_str(&raw)
        .map(|u| u.to_string())
        .map_err(|_| AppError::NotFound)
}

/// Threads for CPU-heavy work, one per core of the machine the targets are set for.
const CPU_THREADS: usize = 2;

type Job = Box<dyn FnOnce() + Send>;

/// The queue of the CPU threads. A password hash takes 19 MiB for its 20-odd ms: on the
/// blocking pool (up to 512 threads) a burst of sign-ins asked for 19 MiB per request at once
/// (ten at once: 412 MB resident). Here they wait their turn, two at a time.
static CPU: LazyLock<Sender<Job>> = LazyLock::new(|| {
    let (tx, rx) = channel::<Job>();
    let rx = Arc::new(Mutex::new(rx));
    for i in 0..CPU_THREADS {
        let rx = Arc::clone(&rx);
        let spawned = std::thread::Builder::new()
            .name(format!("unknot-cpu-{i}"))
            .spawn(move || {
                loop {
                    // The lock is held only while waiting, so the other thread takes the next job.
                    let job = match rx.lock() {
                        Ok(r) => r.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::error!("could not start a CPU thread: {e}");
        }
    }
    tx
});

/// Runs CPU-heavy work (password hashing, demo journals) on the CPU threads, off the async
/// workers. Should no CPU thread be running, it runs on the blocking pool instead.
pub async fn cpu<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    let span = tracing::Span::current();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| span.in_scope(f)));
        let _ = tx.send(out);
    });
    if let Err(refused) = CPU.send(job) {
        actix_web::web::block(refused.0)
            .await
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("blocking task failed: {e}")))?;
    }
    match rx.await {
        Ok(Ok(v)) => Ok(v),
        _ => Err(AppError::Unexpected(anyhow::anyhow!("CPU work failed"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[actix_web::test]
    async fn cpu_work_runs_at_most_two_at_a_time_and_a_panic_is_an_error_not_a_lost_thread() {
        static RUNNING: AtomicUsize = AtomicUsize::new(0);
        static MOST: AtomicUsize = AtomicUsize::new(0);
        let jobs = (0..6).map(|i| {
            cpu(move || {
                let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
                MOST.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(30));
                RUNNING.fetch_sub(1, Ordering::SeqCst);
                i * 10
            })
        });
        let done: Vec<usize> = futures_util::future::join_all(jobs)
            .await
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(done, vec![0, 10, 20, 30, 40, 50]);
        assert!(MOST.load(Ordering::SeqCst) <= CPU_THREADS);
        let panicked = cpu(|| -> usize { panic!("a bug in CPU work") }).await;
        assert!(panicked.is_err());
        for _ in 0..CPU_THREADS * 2 {
            let name = cpu(|| std::thread::current().name().map(String::from)).await;
            assert!(
                name.unwrap().unwrap_or_default().starts_with("unknot-cpu-"),
                "the CPU threads survive a panic"
            );
        }
    }
}
