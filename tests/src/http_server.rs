//! A small HTTP/1.1 server on loopback for the third-party client tests: large deterministic
//! bodies to GET, with a `Content-Length` or chunked, and a POST that echoes its body.
//!
//! - `GET /bytes/<n>`: [`body`]`(n)` with `Content-Length`;
//! - `GET /chunked/<n>`: the same bytes with `Transfer-Encoding: chunked`, in chunks of
//!   [`CHUNK_SIZES`] in turn;
//! - `POST /echo`: the request's body back, with `Content-Length`;
//! - anything else: `404`.
//!
//! Connections are kept alive until the client closes or sends `Connection: close`. Every
//! request is recorded ([`HttpServer::requests`]), so a test checks what the server received,
//! not only what came back. Every blocking wait is bounded by [`WAIT`].

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::e2e::{fnv1a, random_bytes};
pub use crate::peers::WAIT;

/// The seed of every body the server sends.
pub const BODY_SEED: u64 = 0x5EED_B0D1;
/// The chunk sizes of a chunked response, in turn.
pub const CHUNK_SIZES: [usize; 5] = [1, 1000, 4096, 17, 16_384];
/// The longest request body the server takes.
pub const MAX_BODY: usize = 16 << 20;
/// The longest request head (request line and headers).
const MAX_HEAD: usize = 16 * 1024;

/// The bytes `GET /bytes/<n>` and `GET /chunked/<n>` answer with.
pub fn body(n: usize) -> Vec<u8> {
    random_bytes(BODY_SEED, n)
}

/// One request as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method, as sent.
    pub method: String,
    /// The path, as sent.
    pub path: String,
    /// Which connection it came on (counted from 0, in accept order).
    pub connection: usize,
    /// The body's length.
    pub body_len: usize,
    /// FNV-1a of the body.
    pub body_hash: u64,
}

#[derive(Default)]
struct Log {
    requests: Vec<Request>,
    connections: usize,
}

/// The server; dropping it stops accepting (open connections end when their client goes).
pub struct HttpServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Log>>,
    thread: Option<JoinHandle<()>>,
}

impl HttpServer {
    /// Listens on a free loopback port.
    pub fn start() -> io::Result<HttpServer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Log::default()));
        let thread = {
            let (stop, log) = (stop.clone(), log.clone());
            std::thread::Builder::new()
                .name("http server".into())
                .spawn(move || {
                    for conn in listener.incoming() {
                        if stop.load(Ordering::SeqCst) {
                            return;
                        }
                        let Ok(conn) = conn else { continue };
                        let id = {
                            let mut l = log.lock().unwrap_or_else(|e| e.into_inner());
                            l.connections += 1;
                            l.connections - 1
                        };
                        let log = log.clone();
                        let _ = std::thread::Builder::new()
                            .name("http connection".into())
                            .spawn(move || {
                                let _ = serve(conn, id, &log);
                            });
                    }
                })?
        };
        Ok(HttpServer {
            addr,
            stop,
            log,
            thread: Some(thread),
        })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port())
    }

    /// `http://localhost:<port><path>`: the client resolves the name.
    pub fn url_by_name(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.port())
    }

    /// The requests received so far, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .requests
            .clone()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .connections
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which then sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, WAIT);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A request's head, parsed.
struct Head {
    method: String,
    path: String,
    content_length: Option<usize>,
    chunked: bool,
    close: bool,
}

/// Serves requests on one connection until the client closes it or asks to.
fn serve(conn: TcpStream, id: usize, log: &Mutex<Log>) -> io::Result<()> {
    conn.set_read_timeout(Some(WAIT))?;
    conn.set_write_timeout(Some(WAIT))?;
    conn.set_nodelay(true)?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut writer = conn;
    while let Some(head) = read_head(&mut reader)? {
        if head.chunked {
            respond(&mut writer, "501 Not Implemented", &[], true)?;
            return Ok(());
        }
        let len = head.content_length.unwrap_or(0);
        if len > MAX_BODY {
            respond(&mut writer, "413 Content Too Large", &[], true)?;
            return Ok(());
        }
        let mut request_body = vec![0u8; len];
        reader.read_exact(&mut request_body)?;
        log.lock()
            .unwrap_or_else(|e| e.into_inner())
            .requests
            .push(Request {
                method: head.method.clone(),
                path: head.path.clone(),
                connection: id,
                body_len: request_body.len(),
                body_hash: fnv1a(&request_body),
            });
        let route = (head.method.as_str(), head.path.as_str());
        match route {
            ("GET", p) if p.starts_with("/bytes/") => match size(&p["/bytes/".len()..]) {
                Some(n) => respond(&mut writer, "200 OK", &body(n), head.close)?,
                None => respond(&mut writer, "400 Bad Request", &[], head.close)?,
            },
            ("GET", p) if p.starts_with("/chunked/") => match size(&p["/chunked/".len()..]) {
                Some(n) => respond_chunked(&mut writer, &body(n), head.close)?,
                None => respond(&mut writer, "400 Bad Request", &[], head.close)?,
            },
            ("POST", "/echo") => respond(&mut writer, "200 OK", &request_body, head.close)?,
            _ => respond(&mut writer, "404 Not Found", &[], head.close)?,
        }
        if head.close {
            break;
        }
    }
    Ok(())
}

fn size(s: &str) -> Option<usize> {
    s.parse().ok().filter(|n| *n <= MAX_BODY)
}

/// The next request's head; `None` when the client closed the connection between requests.
fn read_head(reader: &mut impl BufRead) -> io::Result<Option<Head>> {
    let mut lines = Vec::new();
    let mut total = 0;
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line)?;
        if n == 0 {
            return if lines.is_empty() {
                Ok(None)
            } else {
                Err(io::ErrorKind::UnexpectedEof.into())
            };
        }
        total += n;
        if total > MAX_HEAD {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "head too long"));
        }
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        if line.is_empty() {
            break;
        }
        lines.push(line);
    }
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
    let mut request_line = lines
        .first()
        .ok_or_else(|| bad("no request line"))?
        .split(' ');
    let method = request_line.next().ok_or_else(|| bad("no method"))?.into();
    let path = request_line.next().ok_or_else(|| bad("no path"))?.into();
    let mut head = Head {
        method,
        path,
        content_length: None,
        chunked: false,
        close: false,
    };
    for line in &lines[1..] {
        let Some((name, value)) = line.split_once(':') else {
            return Err(bad("a header without a colon"));
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => {
                head.content_length = Some(value.parse().map_err(|_| bad("content-length"))?)
            }
            "transfer-encoding" => head.chunked = value.eq_ignore_ascii_case("chunked"),
            "connection" => head.close = value.eq_ignore_ascii_case("close"),
            _ => {}
        }
    }
    Ok(Some(head))
}

fn connection_header(close: bool) -> &'static str {
    if close {
        "close"
    } else {
        "keep-alive"
    }
}

fn respond(w: &mut impl Write, status: &str, body: &[u8], close: bool) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\
         Connection: {}\r\n\r\n",
        body.len(),
        connection_header(close)
    );
    w.write_all(head.as_bytes())?;
    w.write_all(body)?;
    w.flush()
}

fn respond_chunked(w: &mut impl Write, body: &[u8], close: bool) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\
         Transfer-Encoding: chunked\r\nConnection: {}\r\n\r\n",
        connection_header(close)
    );
    w.write_all(head.as_bytes())?;
    let mut rest = body;
    for len in CHUNK_SIZES.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (chunk, tail) = rest.split_at((*len).min(rest.len()));
        write!(w, "{:x}\r\n", chunk.len())?;
        w.write_all(chunk)?;
        w.write_all(b"\r\n")?;
        rest = tail;
    }
    w.write_all(b"0\r\n\r\n")?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(server: &HttpServer, request: &[u8]) -> Vec<u8> {
        let mut c = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
        c.set_read_timeout(Some(WAIT)).unwrap();
        c.write_all(request).unwrap();
        let mut out = Vec::new();
        c.read_to_end(&mut out).unwrap();
        out
    }

    fn split_head(response: &[u8]) -> (String, &[u8]) {
        let at = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a complete head");
        (
            String::from_utf8(response[..at].to_vec()).unwrap(),
            &response[at + 4..],
        )
    }

    fn dechunk(mut raw: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let eol = raw.windows(2).position(|w| w == b"\r\n").unwrap();
            let len = usize::from_str_radix(std::str::from_utf8(&raw[..eol]).unwrap(), 16);
            let len = len.unwrap();
            raw = &raw[eol + 2..];
            if len == 0 {
                assert_eq!(raw, b"\r\n");
                return out;
            }
            out.extend_from_slice(&raw[..len]);
            assert_eq!(&raw[len..len + 2], b"\r\n");
            raw = &raw[len + 2..];
        }
    }

    #[test]
    fn get_sends_the_deterministic_body_with_a_length() {
        let server = HttpServer::start().unwrap();
        let response = exchange(
            &server,
            b"GET /bytes/100000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        let (head, rest) = split_head(&response);
        assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
        assert!(head.contains("Content-Length: 100000"), "{head}");
        assert_eq!(rest, body(100_000).as_slice());
    }

    #[test]
    fn chunked_get_sends_the_same_body_in_chunks() {
        let server = HttpServer::start().unwrap();
        let response = exchange(
            &server,
            b"GET /chunked/50000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        let (head, rest) = split_head(&response);
        assert!(head.contains("Transfer-Encoding: chunked"), "{head}");
        assert_eq!(dechunk(rest), body(50_000));
    }

    #[test]
    fn post_echoes_and_records_two_requests_on_one_connection() {
        let server = HttpServer::start().unwrap();
        let mut req = b"POST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello".to_vec();
        req.extend_from_slice(
            b"POST /echo HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi",
        );
        let response = exchange(&server, &req);
        let text = String::from_utf8(response).unwrap();
        assert!(text.contains("keep-alive\r\n\r\nhello"), "{text}");
        assert!(text.ends_with("close\r\n\r\nhi"), "{text}");
        let got = server.requests();
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].body_len, got[0].body_hash), (5, fnv1a(b"hello")));
        assert_eq!(got[1].connection, got[0].connection);
        assert_eq!(server.connections(), 1);
    }

    #[test]
    fn unknown_paths_are_not_found() {
        let server = HttpServer::start().unwrap();
        let response = exchange(
            &server,
            b"GET /nothing HTTP/1.1\r\nConnection: close\r\n\r\n",
        );
        assert!(response.starts_with(b"HTTP/1.1 404 Not Found"));
    }
}
