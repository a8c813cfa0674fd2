//! A pseudo-terminal: any serial program (picocom, pyserial, a third-party driver) can open
//! its slave side like a serial port.

use super::duplex::Running;
use crate::config::Config;
use crate::module::Module;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::termios::{cfmakeraw, tcgetattr, tcsetattr, SetArg};
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// How often a waiting read looks at its stop flag (ms).
const POLL_MS: u16 = 100;

/// Reads the master side, ending (EOF) once `stop` is set.
struct PtyReader {
    file: File,
    stop: Arc<AtomicBool>,
}

impl Read for PtyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.stop.load(Ordering::SeqCst) {
                return Ok(0);
            }
            let mut fds = [PollFd::new(self.file.as_fd(), PollFlags::POLLIN)];
            let ready = poll(&mut fds, PollTimeout::from(POLL_MS)).map_err(io::Error::from)?;
            if ready == 0 {
                continue;
            }
            match self.file.read(buf) {
                Ok(n) => return Ok(n),
                // EIO: no process has the slave open; keep waiting for one.
                Err(e) if e.raw_os_error() == Some(nix::libc::EIO) => {
                    std::thread::sleep(std::time::Duration::from_millis(u64::from(POLL_MS)));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// Opens a pseudo-terminal and runs a module on it. Returns the path serial programs open
/// (like `/dev/pts/3`) and the running module; it runs until [`crate::Control::shutdown`].
pub fn serve_pty(config: Config) -> io::Result<(PathBuf, Running)> {
    let pty = nix::pty::openpty(None, None).map_err(io::Error::from)?;
    let path = nix::unistd::ttyname(&pty.slave).map_err(io::Error::from)?;
    // Raw: no echo, no line editing, no CR/LF translation; bytes pass as they are.
    let mut t = tcgetattr(&pty.slave).map_err(io::Error::from)?;
    cfmakeraw(&mut t);
    tcsetattr(&pty.slave, SetArg::TCSANOW, &t).map_err(io::Error::from)?;
    let master = File::from(pty.master);
    let writer = master.try_clone()?;
    let stop = Arc::new(AtomicBool::new(false));
    let reader = PtyReader {
        file: master,
        stop: stop.clone(),
    };
    let module = Module::new(config);
    let control = module.control();
    let slave: OwnedFd = pty.slave;
    let thread = std::thread::Builder::new()
        .name("qi-sim pty".into())
        .spawn(move || {
            module.run(reader, writer);
            stop.store(true, Ordering::SeqCst);
            // Held open until here so that the master never sees a hang-up between clients.
            drop(slave);
        })?;
    Ok((path, Running::new(control, thread)))
}
