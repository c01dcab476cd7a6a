//! SQLite's writes to the write-ahead log, gathered into one system call per commit.
//!
//! SQLite writes each frame of the log with two `pwrite`s: its 24-byte header, then the page.
//! A push of 100 entries spread over a year commits about 100 frames, so about 200 calls, and
//! those calls were 28 % of the server's CPU during a push (`perf`), most of it spent per call
//! (entering the kernel, finding and locking the page-cache page, ext4's per-write
//! bookkeeping), not per byte (docs/PERFORMANCE.md).
//!
//! This module registers a VFS that wraps the platform's default one and becomes the default.
//! Every file goes to the wrapped VFS unchanged except a write-ahead log, whose contiguous
//! writes are gathered in memory and written with one call:
//! - when the header of a commit frame arrives (a frame header whose "database size" field is
//!   not zero; SQLite sets it only on the last frame of a transaction). The gathered frames and
//!   that header are written then, and the commit frame's page, which follows, is written
//!   straight through. Both happen inside SQLite's commit, before it publishes the new frames in
//!   the shared index, so no reader (in this process or another) can look for a frame that is
//!   still in memory; a failed write fails the commit exactly as an unbuffered one would;
//! - before anything else is done with the log file (read, sync, truncate, size, lock, file
//!   control, close), and before a write that does not continue the gathered bytes;
//! - when 256 KiB have gathered (a transaction larger than that is written in pieces).
//!
//! Nothing that was acknowledged can be lost: a frame is only ever in memory during the
//! transaction that writes it, and SQLite recovers a log after a crash by checksums, dropping
//! any frames after the last valid commit, buffered or not.
#![allow(unsafe_code)]

use libsqlite3_sys as ffi;
use std::ffi::{c_int, c_void};
use std::ptr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicPtr, Ordering};

/// A frame header: page number, database size after a commit (0 otherwise), salts, checksums.
const FRAME_HEADER: usize = 24;
/// The most bytes gathered before they are written anyway (a push of 100 entries commits about
/// 200 KiB; the buffer, kept between commits, stays this small).
const LIMIT: usize = 256 << 10;
/// The most bytes written by one call: SQLite's unix VFS writes at most 128 KiB - 1 per call
/// (it masks the length to 17 bits, its pages being at most 64 KiB).
const PIECE: usize = 1 << 16;

/// The VFS this one wraps (the platform's default).
static INNER_VFS: AtomicPtr<ffi::sqlite3_vfs> = AtomicPtr::new(ptr::null_mut());

/// What this VFS allocates for a file: SQLite's base, then the log's buffer (write-ahead logs
/// only), then the wrapped VFS's own file at [`INNER`].
#[repr(C)]
struct File {
    base: ffi::sqlite3_file,
    log: Option<Box<Log>>,
}

/// Where the wrapped VFS's file starts inside ours.
const INNER: usize = std::mem::size_of::<File>().next_multiple_of(16);

/// The bytes gathered for a write-ahead log.
#[derive(Default)]
struct Log {
    pending: Vec<u8>,
    /// The file offset of `pending[0]`.
    start: i64,
    /// Where a commit frame's page goes, once its header is written: that page, if it is the next
    /// write, goes straight to the file.
    through: Option<i64>,
}

impl Log {
    fn end(&self) -> i64 {
        self.start + self.pending.len() as i64
    }

    /// Writes what has gathered.
    ///
    /// # Safety
    /// `inner` is the wrapped VFS's open file.
    unsafe fn flush(&mut self, inner: *mut ffi::sqlite3_file) -> c_int {
        if self.pending.is_empty() {
            return ffi::SQLITE_OK;
        }
        let mut rc = ffi::SQLITE_OK;
        let mut offset = self.start;
        for piece in self.pending.chunks(PIECE) {
            // SAFETY: `inner` is open (the caller's contract) and `piece` outlives the call.
            rc = unsafe {
                ((*(*inner).pMethods).xWrite.expect("every VFS writes"))(
                    inner,
                    piece.as_ptr().cast(),
                    piece.len() as c_int,
                    offset,
                )
            };
            if rc != ffi::SQLITE_OK {
                break;
            }
            offset += piece.len() as i64;
        }
        self.pending.clear();
        rc
    }
}

/// Registers the VFS as SQLite's default, once; later calls return the first call's result.
/// Connections opened before this write each frame as SQLite does.
pub fn register() -> Result<(), String> {
    static REGISTERED: OnceLock<c_int> = OnceLock::new();
    let rc = *REGISTERED.get_or_init(|| {
        // SAFETY: SQLite is initialized before its VFS list is read; the registered struct is
        // leaked, so it lives as long as the process, as SQLite requires.
        unsafe {
            let rc = ffi::sqlite3_initialize();
            if rc != ffi::SQLITE_OK {
                return rc;
            }
            let inner = ffi::sqlite3_vfs_find(ptr::null());
            if inner.is_null() {
                return ffi::SQLITE_ERROR;
            }
            INNER_VFS.store(inner, Ordering::Release);
            // The wrapped VFS's other methods are kept: they read only `mxPathname` and
            // `pAppData` from the struct they are given, which are copied with them.
            let mut vfs = ptr::read(inner);
            vfs.szOsFile = INNER as c_int + (*inner).szOsFile;
            vfs.zName = c"unknot".as_ptr();
            vfs.pNext = ptr::null_mut();
            vfs.xOpen = Some(open);
            ffi::sqlite3_vfs_register(Box::leak(Box::new(vfs)), 1)
        }
    });
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(format!(
            "registering SQLite's log writer failed (code {rc})"
        ))
    }
}

/// The wrapped VFS's file inside ours.
///
/// # Safety
/// `file` was allocated by SQLite with this VFS's `szOsFile`.
unsafe fn inner(file: *mut ffi::sqlite3_file) -> *mut ffi::sqlite3_file {
    // SAFETY: the allocation is `INNER` bytes longer than the wrapped file (`register`).
    unsafe { file.cast::<u8>().add(INNER).cast() }
}

/// The wrapped file's methods.
///
/// # Safety
/// `file` is open.
unsafe fn methods(file: *mut ffi::sqlite3_file) -> &'static ffi::sqlite3_io_methods {
    // SAFETY: an open wrapped file has methods, which the wrapped VFS keeps for its lifetime.
    unsafe { &*(*inner(file)).pMethods }
}

/// The log's buffer, for a write-ahead log.
///
/// # Safety
/// `file` is open, and no other reference to its buffer is live.
unsafe fn log<'a>(file: *mut ffi::sqlite3_file) -> Option<&'a mut Log> {
    // SAFETY: `open` wrote `log` before setting our methods.
    unsafe { (*file.cast::<File>()).log.as_deref_mut() }
}

/// Writes what a write-ahead log has gathered (nothing for other files).
///
/// # Safety
/// `file` is open.
unsafe fn flush(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: the caller's contract.
    unsafe {
        match log(file) {
            Some(log) => log.flush(inner(file)),
            None => ffi::SQLITE_OK,
        }
    }
}

unsafe extern "C" fn open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    // SAFETY: SQLite allocated `file` with our `szOsFile`; the wrapped VFS opens its part.
    unsafe {
        let vfs = INNER_VFS.load(Ordering::Acquire);
        let rc = ((*vfs).xOpen.expect("every VFS opens"))(vfs, name, inner(file), flags, out_flags);
        if (*inner(file)).pMethods.is_null() {
            // Not opened: SQLite will not call xClose.
            (*file).pMethods = ptr::null();
            return rc;
        }
        let log = (flags & ffi::SQLITE_OPEN_WAL != 0).then(Box::<Log>::default);
        ptr::write(&raw mut (*file.cast::<File>()).log, log);
        (*file).pMethods = &METHODS;
        rc
    }
}

static METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 3,
    xClose: Some(close),
    xRead: Some(read),
    xWrite: Some(write),
    xTruncate: Some(truncate),
    xSync: Some(sync),
    xFileSize: Some(file_size),
    xLock: Some(lock),
    xUnlock: Some(unlock),
    xCheckReservedLock: Some(check_reserved_lock),
    xFileControl: Some(file_control),
    xSectorSize: Some(sector_size),
    xDeviceCharacteristics: Some(device_characteristics),
    xShmMap: Some(shm_map),
    xShmLock: Some(shm_lock),
    xShmBarrier: Some(shm_barrier),
    xShmUnmap: Some(shm_unmap),
    xFetch: Some(fetch),
    xUnfetch: Some(unfetch),
};

unsafe extern "C" fn close(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: SQLite closes an open file once; its buffer is dropped after the last write.
    unsafe {
        let written = flush(file);
        let closed = (methods(file).xClose.expect("every file closes"))(inner(file));
        ptr::drop_in_place(&raw mut (*file.cast::<File>()).log);
        (*file).pMethods = ptr::null();
        if written != ffi::SQLITE_OK {
            written
        } else {
            closed
        }
    }
}

unsafe extern "C" fn write(
    file: *mut ffi::sqlite3_file,
    data: *const c_void,
    amount: c_int,
    offset: i64,
) -> c_int {
    // SAFETY: SQLite passes an open file and `amount` readable bytes at `data`.
    unsafe {
        let inner = inner(file);
        let direct = methods(file).xWrite.expect("every file writes");
        let Some(log) = log(file) else {
            return direct(inner, data, amount, offset);
        };
        if log.through.take() == Some(offset) {
            // The page of a commit frame, whose header (with every frame before it) is written.
            return direct(inner, data, amount, offset);
        }
        if !log.pending.is_empty() && offset != log.end() {
            let rc = log.flush(inner);
            if rc != ffi::SQLITE_OK {
                return rc;
            }
        }
        let bytes = std::slice::from_raw_parts(data.cast::<u8>(), amount as usize);
        if log.pending.is_empty() {
            log.start = offset;
        }
        log.pending.extend_from_slice(bytes);
        if bytes.len() == FRAME_HEADER && bytes[4..8] != [0; 4] {
            // A commit frame's header: the last frame, or a checksum rewritten after it, or a
            // frame repeated to pad the log to a sector. Whatever SQLite writes next, this
            // commit must be on file before it publishes the commit.
            log.through = Some(offset + FRAME_HEADER as i64);
            return log.flush(inner);
        }
        if log.pending.len() >= LIMIT {
            return log.flush(inner);
        }
        ffi::SQLITE_OK
    }
}

/// Methods that write what has gathered, then do what the wrapped file does.
macro_rules! flushing {
    ($name:ident, $method:ident ( $($arg:ident : $ty:ty),* )) => {
        unsafe extern "C" fn $name(file: *mut ffi::sqlite3_file $(, $arg: $ty)*) -> c_int {
            // SAFETY: SQLite passes an open file and the method's own arguments.
            unsafe {
                let rc = flush(file);
                if rc != ffi::SQLITE_OK {
                    return rc;
                }
                match methods(file).$method {
                    Some(method) => method(inner(file) $(, $arg)*),
                    None => ffi::SQLITE_IOERR,
                }
            }
        }
    };
}

flushing!(read, xRead(data: *mut c_void, amount: c_int, offset: i64));
flushing!(truncate, xTruncate(size: i64));
flushing!(sync, xSync(flags: c_int));
flushing!(file_size, xFileSize(size: *mut i64));
flushing!(lock, xLock(level: c_int));
flushing!(unlock, xUnlock(level: c_int));
flushing!(check_reserved_lock, xCheckReservedLock(out: *mut c_int));
flushing!(file_control, xFileControl(op: c_int, arg: *mut c_void));
flushing!(shm_map, xShmMap(region: c_int, size: c_int, extend: c_int, out: *mut *mut c_void));
flushing!(shm_lock, xShmLock(offset: c_int, n: c_int, flags: c_int));
flushing!(shm_unmap, xShmUnmap(delete: c_int));
flushing!(fetch, xFetch(offset: i64, amount: c_int, out: *mut *mut c_void));
flushing!(unfetch, xUnfetch(offset: i64, page: *mut c_void));

unsafe extern "C" fn sector_size(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: SQLite passes an open file.
    unsafe {
        (methods(file)
            .xSectorSize
            .expect("every file has a sector size"))(inner(file))
    }
}

unsafe extern "C" fn device_characteristics(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: SQLite passes an open file.
    unsafe {
        (methods(file)
            .xDeviceCharacteristics
            .expect("every file has characteristics"))(inner(file))
    }
}

unsafe extern "C" fn shm_barrier(file: *mut ffi::sqlite3_file) {
    // SAFETY: SQLite passes an open file.
    unsafe {
        flush(file);
        if let Some(barrier) = methods(file).xShmBarrier {
            barrier(inner(file))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;
    use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};

    #[derive(QueryableByName, Debug, PartialEq)]
    struct Tally {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        rows: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        total: i64,
    }

    fn tally(c: &mut SqliteConnection) -> Tally {
        diesel::sql_query("SELECT COUNT(*) AS rows, COALESCE(SUM(n), 0) AS total FROM t")
            .get_result(c)
            .expect("a tally")
    }

    fn integrity(c: &mut SqliteConnection) -> String {
        #[derive(QueryableByName)]
        struct Check {
            #[diesel(sql_type = diesel::sql_types::Text)]
            integrity_check: String,
        }
        diesel::sql_query("PRAGMA integrity_check")
            .get_result::<Check>(c)
            .expect("a check")
            .integrity_check
    }

    fn open(path: &std::path::Path) -> SqliteConnection {
        let mut c = SqliteConnection::establish(&path.to_string_lossy()).expect("opens");
        // Checkpoints are left to the test, and a tiny page cache makes big transactions spill
        // frames to the log before they commit and then write some of them again.
        c.batch_execute(
            "PRAGMA page_size = 2048; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = 8; PRAGMA busy_timeout = 5000;",
        )
        .expect("pragmas");
        c
    }

    /// The files a crash would leave: the database and its log, copied while the writer is open.
    fn crash_copy(path: &std::path::Path, to: &std::path::Path) {
        for end in ["", "-wal"] {
            std::fs::copy(
                format!("{}{end}", path.to_string_lossy()),
                format!("{}{end}", to.to_string_lossy()),
            )
            .expect("copied");
        }
    }

    #[test]
    fn every_commit_is_in_the_log_on_disk_and_seen_by_other_connections_when_it_returns() {
        register().expect("registered");
        // SAFETY: reads the name of the default VFS, which is registered for good.
        let name = unsafe { std::ffi::CStr::from_ptr((*ffi::sqlite3_vfs_find(ptr::null())).zName) };
        assert_eq!(name, c"unknot", "new connections write through this module");

        let dir =
            std::env::temp_dir().join(format!("unknot-log-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("a directory");
        let path = dir.join("j.db");
        let mut writer = open(&path);
        let mut reader = open(&path);
        writer
            .batch_execute("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, pad TEXT);")
            .expect("a table");

        // A transaction larger than what is gathered at once, spilling on the way, that writes
        // pages it has already written (updates after the inserts), then many small ones.
        writer
            .transaction::<_, diesel::result::Error, _>(|c| {
                c.batch_execute(
                    "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 6000) \
                     INSERT INTO t (n, pad) SELECT i, printf('%.400c', 'x') FROM k; \
                     UPDATE t SET n = n + 1; UPDATE t SET pad = printf('%.300c', 'y') WHERE id % 3 = 0;",
                )
            })
            .expect("a big transaction");
        let mut expected = Tally {
            rows: 6000,
            total: (1..=6000).map(|i| i + 1).sum(),
        };
        assert_eq!(tally(&mut reader), expected);
        for i in 0..50_i64 {
            diesel::sql_query(format!(
                "INSERT INTO t (n, pad) VALUES ({i}, printf('%.200c', 'z'))"
            ))
            .execute(&mut writer)
            .expect("a small transaction");
            expected.rows += 1;
            expected.total += i;
            assert_eq!(
                tally(&mut reader),
                expected,
                "seen at once by another connection"
            );
        }

        // What a crash now leaves: SQLite rebuilds the log's index from the file alone and
        // keeps only frames whose checksums hold, so every commit must be whole on disk.
        let copy = dir.join("crash.db");
        crash_copy(&path, &copy);
        let mut recovered = open(&copy);
        assert_eq!(tally(&mut recovered), expected);
        assert_eq!(integrity(&mut recovered), "ok");

        writer
            .batch_execute("PRAGMA wal_checkpoint(TRUNCATE);")
            .expect("a checkpoint");
        assert_eq!(tally(&mut reader), expected);
        assert_eq!(integrity(&mut reader), "ok");
        drop((writer, reader, recovered));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
