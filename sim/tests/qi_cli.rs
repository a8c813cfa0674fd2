//! `qi send` and `qi run` against fake modules: a pseudo-terminal for the serial port, a TCP
//! listener for `--tcp`. Every wait is bounded.

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::pty::openpty;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::os::fd::{AsFd, OwnedFd};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn qi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qi"))
        .args(args)
        .output()
        .unwrap()
}

/// A pty pair: the master end (the fake module) and the path of the slave (the port).
fn pty() -> (std::fs::File, String) {
    let p = openpty(None, None).unwrap();
    let path = nix::unistd::ttyname(p.slave.as_fd()).unwrap();
    let slave: OwnedFd = p.slave;
    // Keep the slave open for the test's life so the master never sees a hang-up.
    std::mem::forget(slave);
    (
        std::fs::File::from(p.master),
        path.to_string_lossy().into_owned(),
    )
}

/// What arrives on `f` within `wait`, until `done` holds.
fn read_for(f: &mut std::fs::File, wait: Duration, done: impl Fn(&[u8]) -> bool) -> Vec<u8> {
    let end = Instant::now() + wait;
    let mut got = Vec::new();
    loop {
        if done(&got) {
            return got;
        }
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return got;
        }
        let ms = u16::try_from(left.as_millis()).unwrap_or(u16::MAX);
        let mut fds = [PollFd::new(f.as_fd(), PollFlags::POLLIN)];
        if poll(&mut fds, PollTimeout::from(ms)).unwrap() == 0 {
            return got;
        }
        let mut buf = [0u8; 256];
        match f.read(&mut buf) {
            Ok(0) | Err(_) => return got,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
}

#[test]
fn send_refuses_invalid_lines_and_writes_nothing() {
    let (mut master, path) = pty();
    let out = qi(&[
        "send",
        "--port",
        &path,
        "AT+QIACT=1",
        "AT+QIOPEN=1,12,\"TCP\",\"127.0.0.1\",7,0,0",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("<connectID> = 12"), "{err}");
    assert!(err.contains("nothing was sent"), "{err}");
    assert!(read_for(&mut master, Duration::from_millis(200), |_| false).is_empty());
}

#[test]
fn send_writes_valid_lines_and_decodes_the_reply() {
    let (mut master, path) = pty();
    let child = std::thread::spawn(move || qi(&["send", "--port", &path, "AT+QIACT?"]));
    let got = read_for(&mut master, Duration::from_secs(5), |g| g.contains(&b'\r'));
    assert!(got.starts_with(b"AT+QIACT?\r"), "{got:?}");
    master
        .write_all(b"\r\n+QIACT: 1,1,1,\"10.7.157.1\"\r\n\r\nOK\r\n")
        .unwrap();
    let out = child.join().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("ip_address=\"10.7.157.1\""), "{text}");
}

#[test]
fn send_usage_errors() {
    assert_eq!(qi(&["send", "AT+QIACT?"]).status.code(), Some(2));
    assert_eq!(
        qi(&["send", "--port", "/nonexistent/tty", "AT+QIACT?"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(qi(&["bogus"]).status.code(), Some(2));
}

/// A fake module on TCP: `OK` to commands that decode, `ERROR` to the rest; one connection.
fn fake_module() -> (String, std::thread::JoinHandle<Vec<String>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let h = std::thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut w = s.try_clone().unwrap();
        let mut seen = Vec::new();
        let mut r = BufReader::new(s);
        let mut line = Vec::new();
        while r.read_until(b'\r', &mut line).unwrap_or(0) > 0 {
            let cmd = String::from_utf8_lossy(line.trim_ascii()).into_owned();
            let ok = quectel_qi::Request::decode(cmd.as_bytes()).is_ok();
            let reply: &[u8] = if ok {
                b"\r\nOK\r\n"
            } else {
                b"\r\n+CME ERROR: 552\r\n"
            };
            w.write_all(reply).unwrap();
            seen.push(cmd);
            line.clear();
        }
        seen
    });
    (addr, h)
}

#[test]
fn run_reports_cases_over_tcp() {
    let dir = std::env::temp_dir().join(format!("qi-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("cases.qi");
    std::fs::write(
        &script,
        "# activate\nAT+QIACT=1\nOK\n\n# out of range is rejected\nAT+QIOPEN=1,12,\"TCP\",\"127.0.0.1\",7,0,0\nERROR\n# wrong on purpose\nAT+QIACT?\nERROR\n",
    )
    .unwrap();
    let (addr, module) = fake_module();
    let out = qi(&["run", script.to_str().unwrap(), "--tcp", &addr]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("pass  activate"), "{text}");
    assert!(text.contains("pass  out of range is rejected"), "{text}");
    assert!(text.contains("FAIL  wrong on purpose"), "{text}");
    assert!(text.contains("2 passed, 1 failed"), "{text}");
    // The invalid command reached the module: `qi run` sends what the script says.
    let seen = module.join().unwrap();
    assert_eq!(seen.len(), 3);
    assert!(seen[1].starts_with("AT+QIOPEN=1,12"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn run_rejects_malformed_scripts() {
    let dir = std::env::temp_dir().join(format!("qi-run-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("bad.qi");
    std::fs::write(&script, "AT+QIACT=1\nMAYBE\n").unwrap();
    let out = qi(&["run", script.to_str().unwrap(), "--tcp", "127.0.0.1:9"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn run_against_the_in_process_virtual_module() {
    let dir = std::env::temp_dir().join(format!("qi-run-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("sim.qi");
    std::fs::write(
        &script,
        "# activate\nAT+QIACT=1\nOK\n# read the contexts\nAT+QIACT?\nOK\n\
# the module rejects an out-of-range connectID\nAT+QIOPEN=1,12,\"TCP\",\"127.0.0.1\",7,0,0\nERROR\n",
    )
    .unwrap();
    let out = qi(&["run", script.to_str().unwrap(), "--sim"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("3 passed, 0 failed"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sim_over_tcp_serves_qi_run() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qi"))
        .args(["sim", "--tcp", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let addr = first.trim().strip_prefix("tcp: ").map(str::to_string);
    let dir = std::env::temp_dir().join(format!("qi-sim-tcp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("tcp.qi");
    std::fs::write(&script, "AT+QIACT=1\nOK\nAT+QIDEACT=16\nERROR\n").unwrap();
    let out = addr
        .as_deref()
        .map(|a| qi(&["run", script.to_str().unwrap(), "--tcp", a]));
    let _ = child.kill();
    let _ = child.wait();
    std::fs::remove_dir_all(&dir).unwrap();
    let out = out.unwrap_or_else(|| panic!("qi sim printed {first:?}"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("2 passed, 0 failed"), "{text}");
}

#[test]
fn send_answers_the_prompt_with_the_next_line() {
    let (mut master, path) = pty();
    // A payload of the wrong length is refused before anything is written.
    let out = qi(&["send", "--port", &path, "AT+QISEND=0,5", "hi"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 bytes, not 5"));
    assert!(read_for(&mut master, Duration::from_millis(100), |_| false).is_empty());

    let child =
        std::thread::spawn(move || qi(&["send", "--port", &path, "AT+QISEND=0,5", "hello"]));
    let got = read_for(&mut master, Duration::from_secs(5), |g| g.contains(&b'\r'));
    assert_eq!(got, b"AT+QISEND=0,5\r");
    master.write_all(b"\r\n> ").unwrap();
    let got = read_for(&mut master, Duration::from_secs(5), |g| g.len() >= 5);
    assert_eq!(got, b"hello");
    master.write_all(b"\r\nSEND OK\r\n").unwrap();
    let out = child.join().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("SEND OK"), "{text}");
}

#[test]
fn sim_help_lists_its_options_and_bad_ones_exit_2() {
    let out = qi(&["sim", "--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for option in [
        "--pty",
        "--tcp",
        "--baud",
        "--echo",
        "--guard-ms",
        "--rdy",
        "--no-sim",
        "--sim-pin",
        "--registration",
        "--rssi",
        "--ber",
        "--iccid",
        "--imei",
        "--restart-ms",
        "--response-delay-ms",
        "--control",
        "--name",
        "--allow",
        "--host-resolver",
        "--real-network",
    ] {
        assert!(help.contains(option), "{option} is not in `qi sim --help`");
    }
    for bad in [
        &["sim", "--registration", "sideways"][..],
        &["sim", "--rssi"],
        &["sim", "--baud", "fast"],
        &["sim", "--bogus"],
        &["sim", "--name", "echo.test"],
        &["sim", "--name", "echo.test=::1"],
        &["sim", "--allow", "somewhere"],
        &["sim", "--allow"],
    ] {
        let out = qi(bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(!out.stderr.is_empty(), "{bad:?}");
    }
}

/// Kills the child when the test ends, however it ends.
struct Kill(std::process::Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn sim_on_tcp_takes_start_up_state_and_faults() {
    use std::process::Stdio;
    let mut child = Kill(
        Command::new(env!("CARGO_BIN_EXE_qi"))
            .args([
                "sim",
                "--tcp",
                "127.0.0.1:0",
                "--no-sim",
                "--control",
                "127.0.0.1:0",
            ])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    let mut announced = |prefix: &str| {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        line.trim().strip_prefix(prefix).unwrap().to_string()
    };
    let module = announced("tcp: ");
    let control = announced("control: ");
    let mut conn = std::net::TcpStream::connect(&module).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut say = |line: &str, end: &[u8]| -> Vec<u8> {
        conn.write_all(format!("{line}\r\n").as_bytes()).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 256];
        while !got.ends_with(end) {
            let n = conn.read(&mut buf).unwrap();
            assert!(n > 0, "closed; got {got:?}");
            got.extend_from_slice(&buf[..n]);
        }
        got
    };
    assert_eq!(say("AT+CMEE=1", b"OK\r\n"), b"\r\nOK\r\n");
    assert_eq!(say("AT+CPIN?", b"\r\n"), b"\r\n+CME ERROR: 10\r\n");
    // The test inserts the SIM through the fault port.
    let mut faults = BufReader::new(std::net::TcpStream::connect(&control).unwrap());
    writeln!(faults.get_mut(), "sim ready").unwrap();
    let mut answer = String::new();
    faults.read_line(&mut answer).unwrap();
    assert_eq!(answer.trim(), "ok");
    assert_eq!(
        say("AT+CPIN?", b"OK\r\n"),
        b"\r\n+CPIN: READY\r\n\r\nOK\r\n"
    );
}

#[test]
fn every_subcommand_answers_help() {
    for sub in ["decode", "send", "run", "sim", "probe"] {
        let out = qi(&[sub, "--help"]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "qi {sub} --help: {text}");
        assert!(text.contains(&format!("Usage: qi {sub}")), "{text}");
    }
    let decode = String::from_utf8_lossy(&qi(&["decode", "--help"]).stdout).into_owned();
    assert!(decode.contains("--json"), "{decode}");
}

#[test]
fn probe_finds_nothing_to_report_on_the_virtual_module() {
    let out = qi(&["probe", "--sim", "--profile", "eg800q"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("profile: eg800q"), "{text}");
    assert!(text.contains("differences: []"), "{text}");
}

#[test]
fn probe_drafts_a_profile_where_the_firmware_differs() {
    // A fake firmware: five sockets instead of twelve, no AT+QPING, OK to the rest.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let module = std::thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut w = s.try_clone().unwrap();
        let mut r = BufReader::new(s);
        let mut line = Vec::new();
        while r.read_until(b'\r', &mut line).unwrap_or(0) > 0 {
            let cmd = String::from_utf8_lossy(&line).trim().to_owned();
            line.clear();
            let answer = match cmd.as_str() {
                "AT+QIOPEN=?" => "\r\n+QIOPEN: (1-15),(0-5),\"TCP/UDP/TCP LISTENER/UDP SERVICE\",\"<IP_address>/<domain_name>\",<remote_port>,<local_port>,(0-2)\r\n\r\nOK\r\n",
                "AT+QPING=?" => "\r\nERROR\r\n",
                _ => "\r\nOK\r\n",
            };
            if w.write_all(answer.as_bytes()).is_err() {
                break;
            }
        }
    });
    let out = qi(&["probe", "--tcp", &addr]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("command: 'AT+QIOPEN=?', field: connect_id, doc: connectID, module: '(0-5)'"),
        "{text}"
    );
    assert!(text.contains("the spec (0-11)"), "{text}");
    assert!(
        text.contains("command: 'AT+QPING=?', result: 'ERROR'"),
        "{text}"
    );
    assert_eq!(text.matches("command:").count(), 2, "{text}");
    module.join().unwrap();
}

#[test]
fn probe_reports_a_range_changed_in_the_virtual_module() {
    use std::process::Stdio;
    // `qi sim` as a firmware with five sockets and text-only received data.
    let mut child = Kill(
        Command::new(env!("CARGO_BIN_EXE_qi"))
            .args([
                "sim",
                "--tcp",
                "127.0.0.1:0",
                "--test-reply",
                "QIOPEN.connect_id=(0-4)",
                "--test-reply",
                "QICFG.recv_data_format=(0)",
            ])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr = line.trim().strip_prefix("tcp: ").unwrap().to_string();
    let out = qi(&["probe", "--tcp", &addr, "--profile", "eg800q"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("command: 'AT+QIOPEN=?', field: connect_id, doc: connectID, module: '(0-4)', why: 'the module shows (0-4), the spec (0-11)'"),
        "{text}"
    );
    assert!(
        text.contains("command: 'AT+QICFG=?', field: recv_data_format, doc: recv_data_format, module: '(0)', why: 'the module shows (0), the spec (0-1)'"),
        "{text}"
    );
    // Every other list (enumerations printed as `(0,1)`, gaps as `(0,20-86400)`) agrees.
    assert_eq!(text.matches("command:").count(), 2, "{text}");
}

#[test]
fn sim_refuses_a_malformed_test_reply() {
    let out = qi(&["sim", "--tcp", "127.0.0.1:0", "--test-reply", "QIOPEN(0-4)"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("COMMAND"),
        "{out:?}"
    );
}
