//! A tiny HTTP/1.1 proxy in front of moto that injects faults per AWS service (the
//! service is read from the SigV4 `Authorization` header's credential scope). One
//! request per connection: every answer carries `Connection: close`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What to do with the requests of one service.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer the first `count` requests with a throttling error, then forward.
    Throttle {
        count: usize,
        body: &'static str,
        content_type: &'static str,
    },
    /// Always answer with this status and body.
    Fail {
        status: u16,
        body: &'static str,
        content_type: &'static str,
    },
    /// Wait this long before forwarding (longer than the client's timeout).
    Delay(Duration),
    /// Answer 200 with a body no parser accepts.
    Garbage,
}

/// A running proxy.
pub struct Proxy {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// Requests seen per service.
    pub seen: Arc<Mutex<HashMap<String, usize>>>,
}

impl Proxy {
    /// Starts a proxy to `upstream` (`127.0.0.1:PORT`) with faults per service prefix.
    pub fn start(upstream: String, faults: HashMap<&'static str, Fault>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let seen: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let faults = Arc::new(faults);
        let seen_by_threads = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let upstream = upstream.clone();
                let faults = faults.clone();
                let seen = seen_by_threads.clone();
                std::thread::spawn(move || {
                    let _ = handle(stream, &upstream, &faults, &seen);
                });
            }
        });
        Proxy { endpoint, seen }
    }
}

fn handle(
    mut client: TcpStream,
    upstream: &str,
    faults: &HashMap<&'static str, Fault>,
    seen: &Mutex<HashMap<String, usize>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut head = Vec::new();
    let mut content_length = 0usize;
    let mut service = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let lower = line.to_ascii_lowercase();
        if let Some(value) = lower.strip_prefix("content-length:") {
            content_length = value.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("authorization:") {
            // Credential=KEY/DATE/REGION/SERVICE/aws4_request
            if let Some(scope) = line.split("Credential=").nth(1) {
                service = scope.split('/').nth(3).unwrap_or_default().to_string();
            }
        }
        if lower.starts_with("connection:") {
            continue;
        }
        if line == "\r\n" {
            head.extend_from_slice(b"Connection: close\r\n\r\n");
            break;
        }
        head.extend_from_slice(line.as_bytes());
    }
    let mut body = vec![0u8; content_length];
    reader.read_exact(&mut body)?;
    let count = {
        let mut seen = seen.lock().unwrap();
        let entry = seen.entry(service.clone()).or_default();
        *entry += 1;
        *entry
    };
    match faults.get(service.as_str()) {
        Some(Fault::Throttle {
            count: limit,
            body,
            content_type,
        }) if count <= *limit => {
            return respond(&mut client, 400, content_type, body);
        }
        Some(Fault::Fail {
            status,
            body,
            content_type,
        }) => {
            return respond(&mut client, *status, content_type, body);
        }
        Some(Fault::Delay(delay)) => std::thread::sleep(*delay),
        Some(Fault::Garbage) => return respond(&mut client, 200, "text/xml", "<<<this is not xml"),
        _ => {}
    }
    let mut server = TcpStream::connect(upstream)?;
    server.write_all(&head)?;
    server.write_all(&body)?;
    let mut response = Vec::new();
    server.read_to_end(&mut response)?;
    client.write_all(&response)?;
    client.flush()
}

fn respond(
    client: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &str,
) -> std::io::Result<()> {
    let text = format!(
        "HTTP/1.1 {status} Fault\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    client.write_all(text.as_bytes())?;
    client.flush()
}
