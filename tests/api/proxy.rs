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
