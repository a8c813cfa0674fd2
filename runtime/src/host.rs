//! A stack on a std host (feature `host`): a serial port (or any `std::io` stream, such as a
//! TCP connection to `qi sim --tcp`) becomes a ready [`Stack`] in one call, with a reader
//! thread and a runner thread behind it, and a blocking flavour whose calls park the thread
//! while they wait.
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use quectel_qi::host;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let modem = host::open_serial("/dev/ttyUSB2", 115_200, Default::default())?;
//! let net = modem.blocking();
//! net.activate("internet")?;
//! let mut socket = net.connect("example.com", 80)?;
//! socket.write_all(b"GET / HTTP/1.0\r\nHost: example.com\r\n\r\n")?;
//! let mut page = Vec::new();
//! socket.read_to_end(&mut page)?;
//! # Ok(()) }
//! ```
//!
//! Async code (tokio, or any executor) uses [`HostStack::stack`] directly: its futures are
//! `Send`.
//!
//! Port read timeouts are retried, not fatal; when the port fails or ends, the reader
//! thread stops and every call fails with
//! [`Error::ReaderStopped`](crate::stack::Error::ReaderStopped), not with a module timeout.

use std::boxed::Box;
use std::io;
use std::thread::JoinHandle;

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::channel::Channel;
use embedded_io::ErrorKind;

use crate::stack::{self, Config, Error, Stack, StackResources, TcpSocket};

/// Bytes one read of the port hands to the runner.
const CHUNK: usize = 1024;
/// Chunks in flight between the reader thread and the runner.
const CHUNKS: usize = 8;

/// What the reader thread hands over: bytes, or why the port stopped. (The channel holds a
/// few values; boxing the bytes would allocate per read for nothing.)
#[allow(clippy::large_enum_variant)]
enum Input {
    Bytes(heapless::Vec<u8, CHUNK>),
    End(Option<ErrorKind>),
}

type InputChannel = Channel<CriticalSectionRawMutex, Input, CHUNKS>;

/// The runner's end of the reader thread, as an async stream.
pub struct ThreadReader {
    input: &'static InputChannel,
    held: heapless::Vec<u8, CHUNK>,
    at: usize,
}

impl embedded_io::ErrorType for ThreadReader {
    type Error = ErrorKind;
}

impl embedded_io_async::Read for ThreadReader {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        if self.at == self.held.len() {
            match self.input.receive().await {
                Input::Bytes(b) => {
                    self.held = b;
                    self.at = 0;
                }
                Input::End(None) => return Ok(0),
                Input::End(Some(kind)) => return Err(kind),
            }
        }
        let n = buf.len().min(self.held.len() - self.at);
        buf[..n].copy_from_slice(&self.held[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A `std::io::Write` as the stack's async writer (the write blocks the calling thread: a
/// serial port takes a command in well under a millisecond a byte).
pub struct StdWriter<W>(pub W);

impl<W> embedded_io::ErrorType for StdWriter<W> {
    type Error = io::Error;
}

impl<W: io::Write> embedded_io_async::Write for StdWriter<W> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, io::Error> {
        self.0.write(buf)
    }

    async fn flush(&mut self) -> Result<(), io::Error> {
        self.0.flush()
    }
}

/// Reads the port until it fails or ends; timeouts are the port's way of saying "nothing
/// yet".
fn read_port(mut port: impl io::Read, input: &'static InputChannel) {
    let mut buf = [0u8; CHUNK];
    let end = loop {
        match port.read(&mut buf) {
            Ok(0) => break None,
            Ok(n) => {
                let bytes = heapless::Vec::from_slice(&buf[..n]).unwrap_or_default();
                pollster::block_on(input.send(Input::Bytes(bytes)));
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut
                        | io::ErrorKind::WouldBlock
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(e) => break Some(embedded_io::Error::kind(&e)),
        }
    };
    pollster::block_on(input.send(Input::End(end)));
}

/// The stack of a host program, with its threads.
pub struct HostStack<W: io::Write + Send + 'static> {
    stack: &'static Stack<'static, StdWriter<W>>,
    runner: Option<JoinHandle<stack::Stopped>>,
}

/// Starts a stack over a stream to the module: `reader` and `writer` are its two directions
/// (for a serial port, the port and its `try_clone`). The stack's buffers live as long as the
/// program (they are leaked: a host program has one modem, or a few).
pub fn spawn<R, W>(reader: R, writer: W, config: Config) -> io::Result<HostStack<W>>
where
    R: io::Read + Send + 'static,
    W: io::Write + Send + 'static,
{
    let resources: &'static mut StackResources = Box::leak(Box::default());
    let input: &'static InputChannel = Box::leak(Box::new(Channel::new()));
    let rx = ThreadReader {
        input,
        held: heapless::Vec::new(),
        at: 0,
    };
    let (stack, runner) = stack::new(resources, StdWriter(writer), rx, config);
    std::thread::Builder::new()
        .name("quectel-qi reader".into())
        .spawn(move || read_port(reader, input))?;
    let runner = std::thread::Builder::new()
        .name("quectel-qi runner".into())
        .spawn(move || pollster::block_on(runner.run()))?;
    Ok(HostStack {
        stack: Box::leak(Box::new(stack)),
        runner: Some(runner),
    })
}

/// Opens a serial port (8N1, no flow control) and starts a stack on it.
pub fn open_serial(
    path: &str,
    baud: u32,
    config: Config,
) -> io::Result<HostStack<Box<dyn serialport::SerialPort>>> {
    let port = serialport::new(path, baud)
        .timeout(core::time::Duration::from_millis(100))
        .open()?;
    let reader = port.try_clone()?;
    spawn(reader, port, config)
}

/// Connects to a module served over TCP (`qi sim --tcp ADDR`, or a serial-to-TCP bridge) and
/// starts a stack on it.
pub fn connect_tcp(
    addr: impl std::net::ToSocketAddrs,
    config: Config,
) -> io::Result<HostStack<std::net::TcpStream>> {
    let stream = std::net::TcpStream::connect(addr)?;
    stream.set_nodelay(true)?;
    let reader = stream.try_clone()?;
    spawn(reader, stream, config)
}

impl<W: io::Write + Send + 'static> HostStack<W> {
    /// The stack, for async code.
    pub fn stack(&self) -> &'static Stack<'static, StdWriter<W>> {
        self.stack
    }

    /// The blocking flavour.
    pub fn blocking(&self) -> BlockingStack<W> {
        BlockingStack { stack: self.stack }
    }

    /// Whether the runner is still reading the port.
    pub fn is_running(&self) -> bool {
        self.runner.as_ref().is_some_and(|r| !r.is_finished())
    }

    /// Waits for the runner to stop (the port ended or failed) and says why.
    pub fn join(mut self) -> Option<stack::Stopped> {
        self.runner.take()?.join().ok()
    }
}

/// The stack's calls, blocking: each parks the thread until its answer (no spinning).
#[derive(Clone, Copy)]
pub struct BlockingStack<W: io::Write + Send + 'static> {
    stack: &'static Stack<'static, StdWriter<W>>,
}

impl<W: io::Write + Send + 'static> BlockingStack<W> {
    /// The async stack underneath.
    pub fn stack(&self) -> &'static Stack<'static, StdWriter<W>> {
        self.stack
    }

    /// [`Stack::activate`].
    pub fn activate(&self, apn: &str) -> Result<(), Error> {
        pollster::block_on(self.stack.activate(apn))
    }

    /// [`Stack::connect`].
    pub fn connect(&self, host: &str, port: u16) -> Result<BlockingTcpSocket<W>, Error> {
        let socket = pollster::block_on(self.stack.connect(host, port))?;
        Ok(BlockingTcpSocket(socket))
    }

    /// [`Stack::resolve`].
    pub fn resolve(
        &self,
        host: &str,
        kind: embedded_nal_async::AddrType,
    ) -> Result<core::net::IpAddr, Error> {
        pollster::block_on(self.stack.resolve(host, kind))
    }

    /// [`Stack::connect_udp`].
    pub fn connect_udp(
        &self,
        host: &str,
        port: u16,
        local_port: u16,
    ) -> Result<BlockingUdpSocket<W>, Error> {
        let socket = pollster::block_on(self.stack.connect_udp(host, port, local_port))?;
        Ok(BlockingUdpSocket(socket))
    }
}

/// A TCP connection with the blocking `embedded_io` traits (and `std::io`'s).
pub struct BlockingTcpSocket<W: io::Write + Send + 'static>(
    pub TcpSocket<'static, 'static, StdWriter<W>>,
);

impl<W: io::Write + Send + 'static> BlockingTcpSocket<W> {
    /// Closes the connection.
    pub fn close(self) -> Result<(), Error> {
        pollster::block_on(self.0.close())
    }
}

impl<W: io::Write + Send + 'static> embedded_io::ErrorType for BlockingTcpSocket<W> {
    type Error = Error;
}

impl<W: io::Write + Send + 'static> embedded_io::Read for BlockingTcpSocket<W> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        pollster::block_on(embedded_io_async::Read::read(&mut self.0, buf))
    }
}

impl<W: io::Write + Send + 'static> embedded_io::Write for BlockingTcpSocket<W> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Error> {
        pollster::block_on(embedded_io_async::Write::write(&mut self.0, buf))
    }

    fn flush(&mut self) -> Result<(), Error> {
        Ok(())
    }
}

fn to_io(e: Error) -> io::Error {
    io::Error::new(embedded_io::Error::kind(&e).into(), e)
}

impl<W: io::Write + Send + 'static> io::Read for BlockingTcpSocket<W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        embedded_io::Read::read(self, buf).map_err(to_io)
    }
}

impl<W: io::Write + Send + 'static> io::Write for BlockingTcpSocket<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        embedded_io::Write::write(self, buf).map_err(to_io)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A UDP socket bound to one peer, blocking.
pub struct BlockingUdpSocket<W: io::Write + Send + 'static>(
    pub stack::UdpSocket<'static, 'static, StdWriter<W>>,
);

impl<W: io::Write + Send + 'static> BlockingUdpSocket<W> {
    /// Sends one datagram.
    pub fn send(&mut self, data: &[u8]) -> Result<(), Error> {
        pollster::block_on(self.0.send(data))
    }

    /// Receives one datagram.
    pub fn receive(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        pollster::block_on(self.0.receive(buf))
    }

    /// Closes the socket.
    pub fn close(self) -> Result<(), Error> {
        pollster::block_on(self.0.close())
    }
}
