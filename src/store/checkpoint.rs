//! SQLite's write-ahead log copied back into the database file by a thread of its own.
//!
//! By default SQLite checkpoints inside the commit that takes the log past 1,000 pages, so one
//! request in every few dozen also copied 4 MB and waited for two `fsync`s (16 % of a push's
//! CPU). The writer connection's automatic checkpoint is off instead, and this thread runs a
//! passive checkpoint (it never blocks readers or the writer) a moment after writes, so pages
//! written again and again meanwhile are copied once.

use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::time::Duration;

/// How long after a write the checkpoint waits, gathering the writes that follow (under a
/// steady load, one checkpoint about every 100 ms).
const GATHER: Duration = Duration::from_millis(200);

/// Wakes the checkpoint thread after writes; the thread stops (after a last checkpoint) once
/// every copy of this is dropped.
#[derive(Clone, Debug)]
pub struct Checkpointer(SyncSender<()>);

impl Checkpointer {
    /// Starts the thread for the SQLite file at `path` with its own connection.
    pub fn start(path: &str) -> anyhow::Result<Self> {
        let mut conn = SqliteConnection::establish(path)?;
        conn.batch_execute("PRAGMA busy_timeout = 5000;")?;
        let (wake, woken) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("unknot-checkpoint".into())
            .spawn({
                let path = path.to_string();
                move || run(conn, &path, woken)
            })?;
        Ok(Self(wake))
    }

    /// Tells the thread a write was committed.
    pub fn wrote(&self) {
        match self.0.try_send(()) {
            Ok(()) | Err(TrySendError::Full(())) | Err(TrySendError::Disconnected(())) => {}
        }
    }
}

fn run(mut conn: SqliteConnection, path: &str, woken: Receiver<()>) {
    let file = std::path::Path::new(path);
    // A plain path names the file (a `file:` URI or `:memory:` does not).
    let named = file.exists();
    let mut failing = false;
    while woken.recv().is_ok() {
        std::thread::sleep(GATHER);
        let _ = woken.try_recv();
        if named && !file.exists() {
            // The database file was removed (a test's, once it is done): nothing to copy into.
            return;
        }
        failing = checkpoint(&mut conn, failing);
    }
    checkpoint(&mut conn, failing);
}

/// Runs a passive checkpoint; says whether it failed. A failure is logged when it follows a
/// success, not again while the failures last.
fn checkpoint(conn: &mut SqliteConnection, failing: bool) -> bool {
    match conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE);") {
        Ok(()) => false,
        Err(e) => {
            if !failing {
                tracing::warn!(error = %e, "the checkpoint failed; the next write tries again");
            }
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::DatabaseUrl;
    use crate::store::{Db, StoreError};
    use diesel::connection::SimpleConnection;
    use std::time::{Duration, Instant};

    #[test]
    fn what_is_written_reaches_the_database_file_soon_after() {
        let path = std::env::temp_dir().join(format!(
            "unknot-checkpoint-{}.db",
            uuid::Uuid::new_v4().simple()
        ));
        let name = path.to_string_lossy().into_owned();
        let db = Db::connect(&DatabaseUrl::Sqlite(name.clone())).expect("connects");
        let size = || std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let before = size();
        db.write_blocking(|c| {
            c.batch_execute(
                "CREATE TABLE filler (x BLOB); \
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 8000) \
                 INSERT INTO filler SELECT randomblob(400) FROM n;",
            )
            .map_err(StoreError::from)
        })
        .expect("writes");
        // The commits leave the log to the checkpoint thread, which copies it back.
        let started = Instant::now();
        while size() < before + 3_000_000 && started.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let after = size();
        drop(db);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{name}{suffix}"));
        }
        assert!(after >= before + 3_000_000, "{before} -> {after} bytes");
    }
}
