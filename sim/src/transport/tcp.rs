//! A TCP port that runs a fresh virtual module for each connection.

use crate::config::Config;
use crate::module::{Control, Module};
use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A listening TCP port; each client talks to its own module.
pub struct TcpServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    sessions: Arc<Mutex<Vec<Control>>>,
    thread: JoinHandle<()>,
}

impl TcpServer {
    /// Where clients connect.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The fault handles of the modules started so far (one per connection).
    pub fn controls(&self) -> Vec<Control> {
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Stops accepting and stops every running module.
    pub fn shutdown(&self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(500));
        for c in self
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            c.shutdown();
        }
    }

    /// Waits until the server has stopped (after [`TcpServer::shutdown`]).
    pub fn join(self) {
        let _ = self.thread.join();
    }
}

/// Listens on `addr` (port 0 picks a free one) and runs a module per connection.
pub fn serve_tcp(addr: impl ToSocketAddrs, config: Config) -> io::Result<TcpServer> {
    let listener = TcpListener::bind(addr)?;
    let addr = listener.local_addr()?;
    let stop = Arc::new(AtomicBool::new(false));
    let sessions: Arc<Mutex<Vec<Control>>> = Arc::default();
    let thread = {
        let stop = stop.clone();
        let sessions = sessions.clone();
        std::thread::Builder::new()
            .name("qi-sim tcp server".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = conn else { continue };
                    let module = Module::new(config.clone());
                    sessions
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(module.control());
                    let _ = std::thread::Builder::new()
                        .name("qi-sim tcp session".into())
                        .spawn(move || run_session(module, stream));
                }
            })?
    };
    Ok(TcpServer {
        addr,
        stop,
        sessions,
        thread,
    })
}

fn run_session(module: Module, stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let (Ok(input), Ok(output)) = (stream.try_clone(), stream.try_clone()) else {
        return;
    };
    module.run(input, output);
    // Wakes the input thread, which may still wait for the client.
    let _ = stream.shutdown(Shutdown::Both);
}
