//! A loopback TCP proxy in front of a test server that can be taken down and brought back, as a
//! server that stops and restarts looks to a browser that still believes it is online. Its
//! control port answers `GET /down` and `GET /up`.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

/// The proxy's address (`http://127.0.0.1:port`) and its control address.
pub struct Proxy {
    pub addr: String,
    pub control: String,
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// Starts a proxy to `backend` (`http://127.0.0.1:port`); it lives as long as the test process.
pub fn start(backend: &str) -> Proxy {
    let target = backend.trim_start_matches("http://").to_string();
    let up = Arc::new(AtomicBool::new(true));
    let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
    let addr = format!("http://{}", listener.local_addr().expect("addr"));
    {
        let (up, open) = (up.clone(), open.clone());
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if !up.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&target) else {
                    continue;
                };
                if let (Ok(tracked), Ok(back), Ok(s2)) =
                    (client.try_clone(), client.try_clone(), server.try_clone())
                {
                    open.lock().expect("lock").push(tracked);
                    thread::spawn(move || pipe(client, server));
                    thread::spawn(move || pipe(s2, back));
                }
            }
        });
    }
    let control = TcpListener::bind("127.0.0.1:0").expect("bind control");
    let control_addr = format!("http://{}", control.local_addr().expect("addr"));
    thread::spawn(move || {
        for mut s in control.incoming().flatten() {
            let mut buf = [0u8; 1024];
            let n = s.read(&mut buf).unwrap_or(0);
            let line = String::from_utf8_lossy(&buf[..n]);
            if line.starts_with("GET /down") {
                up.store(false, Ordering::SeqCst);
                for c in open.lock().expect("lock").drain(..) {
                    let _ = c.shutdown(Shutdown::Both);
                }
            } else if line.starts_with("GET /up") {
                up.store(true, Ordering::SeqCst);
            }
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
            );
        }
    });
    Proxy {
        addr,
        control: control_addr,
    }
}

/// What the faulty proxy did, counted.
#[derive(Default, Debug)]
pub struct Faults {
    pub requests: AtomicU64,
    pub dropped_requests: AtomicU64,
    pub dropped_responses: AtomicU64,
    pub duplicated: AtomicU64,
    pub delayed: AtomicU64,
}

use std::sync::atomic::AtomicU64;

/// Reads one HTTP/1.1 request (head and `Content-Length` body); `None` at end of stream.
fn read_request(s: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut byte).ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&byte[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = s.read(&mut byte).ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&byte[..n]);
    }
    // One request per upstream connection: the answer is everything until it closes.
    let text = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines: Vec<&str> = text
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:") && !l.is_empty())
        .collect();
    lines.push("Connection: close");
    let mut out = lines.join("\r\n").into_bytes();
    out.extend_from_slice(b"\r\n\r\n");
    out.extend_from_slice(&buf[head_end..]);
    Some(out)
}

fn forward(target: &str, request: &[u8]) -> Option<Vec<u8>> {
    let mut up = TcpStream::connect(target).ok()?;
    up.write_all(request).ok()?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer).ok()?;
    Some(answer)
}

/// A proxy that, for each request, by a seeded random draw: drops it, forwards it and drops the
/// answer (the server acted, the client never hears), sends it twice, or delays it; the rest
/// pass untouched. `rate` is the share of requests that meet a fault.
pub fn start_faulty(backend: &str, seed: u64, rate: f64) -> (String, Arc<Faults>) {
    let target = backend.trim_start_matches("http://").to_string();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
    let addr = format!("http://{}", listener.local_addr().expect("addr"));
    let faults = Arc::new(Faults::default());
    let counts = faults.clone();
    let draws = Arc::new(Mutex::new(seed.max(1)));
    thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let (target, counts, draws) = (target.clone(), counts.clone(), draws.clone());
            thread::spawn(move || {
                let mut client = client;
                // One request per connection (upstream is asked to close after answering).
                if let Some(request) = read_request(&mut client) {
                    counts.requests.fetch_add(1, Ordering::SeqCst);
                    // xorshift: the same seed injects the same faults in the same order.
                    let draw = {
                        let mut x = draws.lock().expect("lock");
                        *x ^= *x << 13;
                        *x ^= *x >> 7;
                        *x ^= *x << 17;
                        (*x % 10_000) as f64 / 10_000.0
                    };
                    let share = draw / rate;
                    if share < 0.25 {
                        counts.dropped_requests.fetch_add(1, Ordering::SeqCst);
                        return;
                    }
                    if share < 0.5 {
                        forward(&target, &request);
                        counts.dropped_responses.fetch_add(1, Ordering::SeqCst);
                        return;
                    }
                    if share < 0.75 {
                        forward(&target, &request);
                        counts.duplicated.fetch_add(1, Ordering::SeqCst);
                    } else if share < 1.0 {
                        thread::sleep(std::time::Duration::from_millis(
                            (draw * 1000.0) as u64 % 60,
                        ));
                        counts.delayed.fetch_add(1, Ordering::SeqCst);
                    }
                    if let Some(answer) = forward(&target, &request) {
                        let _ = client.write_all(&answer);
                    }
                }
            });
        }
    });
    (addr, faults)
}
