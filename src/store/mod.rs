//! Persistence: one diesel `MultiConnection` over SQLite and PostgreSQL, pools, migrations.
//! May import `domain` and `config`; never `error`, `auth`, `app`, `web` or `api`.

/// Marks statements whose SQL text never changes (written as `QueryFragment`s of their own), so
/// diesel keeps each prepared per connection by its type, and lets them run on `$conn`. Diesel's
/// own `UPDATE`s and `sql_query`s are prepared again at every run.
macro_rules! fixed_text {
    ($conn:ty => $($t:ident),+) => {$(
        impl diesel::query_builder::QueryId for $t {
            type QueryId = $t;
            const HAS_STATIC_QUERY_ID: bool = true;
        }
        impl diesel::RunQueryDsl<$conn> for $t {}
    )+};
    ($conn:ty => $t:ident<'_>) => {
        impl diesel::query_builder::QueryId for $t<'_> {
            type QueryId = $t<'static>;
            const HAS_STATIC_QUERY_ID: bool = true;
        }
        impl diesel::RunQueryDsl<$conn> for $t<'_> {}
    };
    // A statement whose text is fixed for each `N` (one prepared statement per size).
    ($conn:ty => $t:ident<'_, const N>) => {
        impl<const N: usize> diesel::query_builder::QueryId for $t<'_, N> {
            type QueryId = $t<'static, N>;
            const HAS_STATIC_QUERY_ID: bool = true;
        }
        impl<const N: usize> diesel::RunQueryDsl<$conn> for $t<'_, N> {}
    };
}

mod checkpoint;
pub mod entries;
mod error;
pub mod notes;
pub mod recent;
pub mod report_links;
pub mod rows;
pub mod schema;
pub mod server_keys;
pub mod shares;
pub mod sync;
pub mod times;
pub mod users;

pub use error::StoreError;

use crate::config::DatabaseUrl;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::time::Duration;

/// Migrations for SQLite.
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
/// Migrations for PostgreSQL (same names as SQLite's).
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to either backend.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    /// PostgreSQL, the scale-out path.
    Postgresql(PgConnection),
    /// Embedded SQLite, the default.
    Sqlite(SqliteConnection),
}

/// Opens connections for r2d2, choosing the backend from the URL and setting SQLite pragmas.
#[derive(Clone, Debug)]
pub struct Manager {
    url: DatabaseUrl,
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let mut c =
                    SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                // A new file gets pages of 2 KiB (SQLite's default is 4): each commit writes
                // every B-tree page it touched to the log and a checkpoint writes it again, so
                // smaller pages write less for the same rows (docs/PERFORMANCE.md). The size
                // must be set before the file's first page; on an existing file this is a no-op.
                c.batch_execute(
                    "PRAGMA page_size = 2048; PRAGMA journal_mode = WAL; \
                     PRAGMA busy_timeout = 5000; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                     PRAGMA wal_autocheckpoint = 0;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(c))
            }
            DatabaseUrl::Postgres(url) => PgConnection::establish(url)
                .map(DbConn::Postgresql)
                .map_err(r2d2::Error::ConnectionError),
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

pub(crate) type Pool = r2d2::Pool<Manager>;

/// Which backend is in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database: a read pool and a write pool (one connection on SQLite, which has one writer).
#[derive(Clone)]
pub struct Db {
    read: Pool,
    write: Pool,
    /// The backend behind the pools.
    pub backend: Backend,
    /// SQLite: the thread that checkpoints the write-ahead log.
    checkpoint: Option<checkpoint::Checkpointer>,
    /// The thread that adds the waiting entry times of big pushes once they stop.
    settler: times::Settler,
}

impl Db {
    /// Connects, creating the SQLite file if needed, and runs pending migrations.
    pub fn connect(url: &DatabaseUrl) -> anyhow::Result<Self> {
        let manager = Manager { url: url.clone() };
        let (backend, read_size, write) = match url {
            DatabaseUrl::Sqlite(_) => {
                let write = r2d2::Pool::builder()
                    .max_size(1)
                    .connection_timeout(Duration::from_secs(30))
                    .build(manager.clone())?;
                (Backend::Sqlite, 8, Some(write))
            }
            DatabaseUrl::Postgres(_) => (Backend::Postgres, 16, None),
        };
        let read = r2d2::Pool::builder()
            .max_size(read_size)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(30))
            .build(manager)?;
        let write = write.unwrap_or_else(|| read.clone());
        let checkpoint = match url {
            DatabaseUrl::Sqlite(path) => Some(checkpoint::Checkpointer::start(path)?),
            DatabaseUrl::Postgres(_) => None,
        };
        let settler = times::Settler::start(write.clone(), {
            let checkpoint = checkpoint.clone();
            move || {
                if let Some(c) = &checkpoint {
                    c.wrote();
                }
            }
        })?;
        let db = Self {
            read,
            write,
            backend,
            checkpoint,
            settler,
        };
        db.migrate()?;
        Ok(db)
    }

    fn migrate(&self) -> anyhow::Result<()> {
        let mut conn = self.write.get()?;
        let result = match &mut *conn {
            DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ()),
            DbConn::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|_| ()),
        };
        result.map_err(|e| anyhow::anyhow!("migrations failed: {e}"))
    }

    /// Runs read-only work off the async workers. `E` is the caller's error type: anything a
    /// store error converts into.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        Self::run(self.read.clone(), f).await
    }

    /// Runs a point read (a row or two found by key). On SQLite it runs on the calling thread
    /// when a connection is idle, because handing it to another thread and back costs more
    /// than the query; otherwise (and on PostgreSQL, where a read waits on the network) it
    /// goes off the async workers like [`Db::read`].
    pub async fn read_point<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        if self.backend == Backend::Sqlite
            && let Some(mut conn) = self.read.try_get()
        {
            return f(&mut conn);
        }
        self.read(f).await
    }

    /// Runs write work in one transaction off the async workers.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + From<diesel::result::Error> + Send + 'static,
    {
        let done = Self::run(self.write.clone(), move |conn| {
            conn.transaction::<T, E, _>(|c| f(c))
        })
        .await;
        self.wrote();
        done
    }

    /// Runs a short write (one entry, or a sync push of at most 500 changes) in one
    /// transaction. On SQLite it runs on the calling thread when the writer is idle, as
    /// [`Db::read_point`] does for reads: a commit waits on no disk there (the checkpoint thread
    /// syncs the log), and handing a push to another thread and back cost about a tenth of its
    /// CPU (`docs/PERFORMANCE.md`). Otherwise (a write under way, or PostgreSQL) it is
    /// [`Db::write`]. Long writes (imports, account deletion) go through [`Db::write`].
    pub async fn write_short<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + From<diesel::result::Error> + Send + 'static,
    {
        if self.backend == Backend::Sqlite
            && let Some(mut conn) = self.write.try_get()
        {
            let done = conn.transaction::<T, E, _>(|c| f(c));
            drop(conn);
            self.wrote();
            return done;
        }
        self.write(f).await
    }

    /// Says `user` just pushed changes whose times wait to be indexed ([`times`]): they are
    /// added once the user's pushes stop for a moment.
    pub fn pushed(&self, user: crate::domain::ids::UserId) {
        self.settler.pushed(user);
    }

    fn wrote(&self) {
        if let Some(c) = &self.checkpoint {
            c.wrote();
        }
    }

    /// Runs write work synchronously (start-up, demo loading, benchmarks).
    pub fn write_blocking<T, E>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError> + From<diesel::result::Error>,
    {
        let mut conn = self.write.get().map_err(StoreError::from)?;
        let done = conn.transaction::<T, E, _>(|c| f(c));
        self.wrote();
        done
    }

    async fn run<T, E, F>(pool: Pool, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let span = tracing::Span::current();
        actix_web::web::block(move || {
            let _guard = span.enter();
            let mut conn = pool.get().map_err(StoreError::from)?;
            f(&mut conn)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// Checks the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.read(|c| c.batch_execute("SELECT 1").map_err(StoreError::from))
            .await
    }
}

/// An update or delete that had to change a row: `NotFound` when it changed none (the row is
/// missing, or not the caller's).
pub fn changed_one(rows: usize) -> Result<(), StoreError> {
    if rows == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Whether a diesel error is a unique-constraint violation.
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::QueryableByName;

    fn page_size(db: &Db) -> i64 {
        #[derive(QueryableByName)]
        struct Size {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            page_size: i64,
        }
        let mut c = db.read.get().expect("a connection");
        match &mut *c {
            DbConn::Sqlite(c) => {
                diesel::RunQueryDsl::get_result::<Size>(diesel::sql_query("PRAGMA page_size"), c)
                    .expect("the page size")
                    .page_size
            }
            DbConn::Postgresql(_) => unreachable!("a SQLite file"),
        }
    }

    fn temp_file(what: &str) -> (std::path::PathBuf, DatabaseUrl) {
        let path = std::env::temp_dir().join(format!(
            "unknot-{what}-{}.db",
            uuid::Uuid::new_v4().simple()
        ));
        let url = DatabaseUrl::Sqlite(path.to_string_lossy().into_owned());
        (path, url)
    }

    #[test]
    fn a_new_sqlite_file_gets_small_pages_and_an_existing_file_keeps_its_own() {
        let (new_path, fresh) = temp_file("fresh");
        assert_eq!(page_size(&Db::connect(&fresh).expect("connects")), 2048);

        let (path, old) = temp_file("old");
        let mut c = SqliteConnection::establish(&path.to_string_lossy()).expect("opens");
        c.batch_execute("PRAGMA page_size = 4096; CREATE TABLE t (x INTEGER);")
            .expect("made with 4 KiB pages");
        drop(c);
        let db = Db::connect(&old).expect("an existing file migrates");
        assert_eq!(page_size(&db), 4096);
        drop(db);
        for p in [new_path, path] {
            for end in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{end}", p.to_string_lossy()));
            }
        }
    }
}
