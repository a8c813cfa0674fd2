//! The response slot: the runner leaves a command's final answer here and the command holder
//! parses it where it lies, so a response is copied once, from the ingress buffer to here.
//!
//! One answer at a time, as the module gives them: the runner only fills an empty slot, the
//! holder only reads a filled one and empties it when it sends the next command. The async
//! mutex makes that safe without holding a critical section while a response is parsed.

use atat::InternalError;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::mutex::Mutex;
use embassy_sync::signal::Signal;

/// What the slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held {
    /// A success response of this many bytes (information lines, CR LF between them).
    Lines(usize),
    /// The `>` prompt.
    Prompt,
    /// An error final result passed on as its line (`SEND FAIL`, `+CME ERROR: <n>`), this many
    /// bytes long.
    ErrorLine(usize),
    /// An error final result without text of its own.
    Error(Fault),
    /// A response longer than the slot: refused, never cut.
    TooLong,
}

/// atat's error results without borrowed text (kept as [`Held::ErrorLine`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Error,
    Cme(atat::CmeError),
    Cms(atat::CmsError),
    Connection(atat::ConnectionError),
    InvalidResponse,
    Other,
}

/// What reads an answer where it lies.
pub(crate) type Reader<'r> = dyn FnMut(Result<&[u8], InternalError<'_>>) + 'r;

/// The slot's storage: `N` bytes (the largest response the application accepts).
pub struct SlotBuf<const N: usize> {
    bytes: [u8; N],
    held: Held,
}

/// The slot as the stack uses it, whatever its size.
pub(crate) trait Slot: Sync {
    /// The runner: stores an answer; `false` when the last one was not taken yet (the
    /// module answered twice: the second answer is dropped, as atat does).
    fn put(&self, answer: Result<&[u8], InternalError<'_>>) -> bool;
    /// The runner: stores the prompt.
    fn put_prompt(&self) -> bool;
    /// The holder, once [`Response::ready`] fired: hands the answer to `read`.
    fn read(&self, read: &mut Reader<'_>);
    /// Its capacity in bytes.
    fn capacity(&self) -> usize;
}

/// A slot and the signal that it was filled.
pub(crate) struct Response<'d> {
    pub(crate) slot: &'d dyn Slot,
    ready: &'d Signal<CriticalSectionRawMutex, ()>,
}

impl<'d> Response<'d> {
    pub(crate) fn new(slot: &'d dyn Slot, ready: &'d Signal<CriticalSectionRawMutex, ()>) -> Self {
        Response { slot, ready }
    }

    /// The holder, before it writes a command: an answer left over belongs to no one.
    pub(crate) fn reset(&self) {
        self.ready.reset();
    }

    /// The runner: an answer came.
    pub(crate) fn answer(&self, answer: Result<&[u8], InternalError<'_>>) {
        if self.ready.signaled() || !self.slot.put(answer) {
            warn_!("a response came while the last one was not taken: dropped");
            return;
        }
        self.ready.signal(());
    }

    /// The runner: the prompt came.
    pub(crate) fn prompt(&self) {
        if self.ready.signaled() || !self.slot.put_prompt() {
            warn_!("a prompt came while a response was not taken: dropped");
            return;
        }
        self.ready.signal(());
    }

    /// The holder: waits for the answer.
    pub(crate) async fn ready(&self) {
        self.ready.wait().await;
    }
}

impl<const N: usize> SlotBuf<N> {
    /// Empty.
    pub const fn new() -> Self {
        SlotBuf {
            bytes: [0; N],
            held: Held::Lines(0),
        }
    }
}

impl<const N: usize> Default for SlotBuf<N> {
    fn default() -> Self {
        Self::new()
    }
}

fn fault(e: &InternalError<'_>) -> Fault {
    match e {
        InternalError::Error => Fault::Error,
        InternalError::CmeError(c) => Fault::Cme(*c),
        InternalError::CmsError(c) => Fault::Cms(*c),
        InternalError::ConnectionError(c) => Fault::Connection(*c),
        InternalError::InvalidResponse => Fault::InvalidResponse,
        _ => Fault::Other,
    }
}

impl<const N: usize> SlotBuf<N> {
    fn store(&mut self, answer: Result<&[u8], InternalError<'_>>) {
        let (bytes, line) = match answer {
            Ok(b) => (b, true),
            Err(InternalError::Custom(b)) => (b, false),
            // The digester refused a response longer than this slot (`with_max_response`).
            Err(InternalError::Capacity) => {
                self.held = Held::TooLong;
                return;
            }
            Err(e) => {
                self.held = Held::Error(fault(&e));
                return;
            }
        };
        let Some(dst) = self.bytes.get_mut(..bytes.len()) else {
            self.held = Held::TooLong;
            return;
        };
        dst.copy_from_slice(bytes);
        self.held = if line {
            Held::Lines(bytes.len())
        } else {
            Held::ErrorLine(bytes.len())
        };
    }

    fn hand(&self, read: &mut Reader<'_>) {
        match self.held {
            Held::Lines(n) => read(Ok(&self.bytes[..n])),
            Held::Prompt => read(Ok(&[])),
            Held::ErrorLine(n) => read(Err(InternalError::Custom(&self.bytes[..n]))),
            Held::TooLong => read(Err(InternalError::Capacity)),
            Held::Error(f) => read(Err(match f {
                Fault::Error => InternalError::Error,
                Fault::Cme(c) => InternalError::CmeError(c),
                Fault::Cms(c) => InternalError::CmsError(c),
                Fault::Connection(c) => InternalError::ConnectionError(c),
                Fault::InvalidResponse => InternalError::InvalidResponse,
                Fault::Other => InternalError::Parse,
            })),
        }
    }
}

impl<const N: usize> Slot for Mutex<CriticalSectionRawMutex, SlotBuf<N>> {
    fn put(&self, answer: Result<&[u8], InternalError<'_>>) -> bool {
        match self.try_lock() {
            Ok(mut s) => {
                s.store(answer);
                true
            }
            Err(_) => false,
        }
    }

    fn put_prompt(&self) -> bool {
        match self.try_lock() {
            Ok(mut s) => {
                s.held = Held::Prompt;
                true
            }
            Err(_) => false,
        }
    }

    fn read(&self, read: &mut Reader<'_>) {
        match self.try_lock() {
            Ok(s) => s.hand(read),
            // Never: the runner only locks an empty slot, and this one was filled.
            Err(_) => read(Err(InternalError::Aborted)),
        }
    }

    fn capacity(&self) -> usize {
        N
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_back(slot: &dyn Slot) -> (bool, heapless::Vec<u8, 16>) {
        let mut out = (false, heapless::Vec::new());
        slot.read(&mut |r| match r {
            Ok(b) => out = (true, heapless::Vec::from_slice(b).unwrap()),
            Err(InternalError::Custom(b)) => out = (false, heapless::Vec::from_slice(b).unwrap()),
            Err(InternalError::Capacity) => {
                out = (false, heapless::Vec::from_slice(b"cap").unwrap())
            }
            Err(_) => out = (false, heapless::Vec::new()),
        });
        out
    }

    #[test]
    fn answers_come_back_as_they_were_put_and_too_long_is_refused_whole() {
        let slot: Mutex<CriticalSectionRawMutex, SlotBuf<8>> = Mutex::new(SlotBuf::new());
        assert!(slot.put(Ok(b"+QIRD: 0")));
        assert_eq!(
            read_back(&slot),
            (true, heapless::Vec::from_slice(b"+QIRD: 0").unwrap())
        );
        assert!(slot.put(Err(InternalError::Custom(b"SEND FAIL"[..8].as_ref()))));
        assert_eq!(
            read_back(&slot),
            (false, heapless::Vec::from_slice(b"SEND FAI").unwrap())
        );
        assert!(slot.put(Ok(b"123456789")));
        assert_eq!(
            read_back(&slot),
            (false, heapless::Vec::from_slice(b"cap").unwrap())
        );
        assert!(slot.put_prompt());
        assert_eq!(read_back(&slot), (true, heapless::Vec::new()));
    }

    #[test]
    fn error_results_come_back_as_atat_gave_them() {
        let slot: Mutex<CriticalSectionRawMutex, SlotBuf<8>> = Mutex::default();
        assert_eq!(slot.capacity(), 8);
        let cme = atat::CmeError::from(5u16);
        let cms = atat::CmsError::from(300u16);
        let no_carrier = InternalError::ConnectionError(atat::ConnectionError::NoCarrier);
        let cases = [
            (InternalError::Error, InternalError::Error),
            (InternalError::CmeError(cme), InternalError::CmeError(cme)),
            (InternalError::CmsError(cms), InternalError::CmsError(cms)),
            (no_carrier.clone(), no_carrier),
            (
                InternalError::InvalidResponse,
                InternalError::InvalidResponse,
            ),
            // What the stack has no use for comes back as a parse error.
            (InternalError::Timeout, InternalError::Parse),
            (InternalError::Capacity, InternalError::Capacity),
        ];
        for (error, back) in cases {
            assert!(slot.put(Err(error)));
            let mut same = false;
            slot.read(&mut |r| same = r == Err(back.clone()));
            assert!(same, "{back:?}");
        }
    }

    #[test]
    fn a_second_answer_or_a_prompt_before_the_first_is_taken_is_dropped() {
        let slot: Mutex<CriticalSectionRawMutex, SlotBuf<8>> = Mutex::new(SlotBuf::default());
        let ready = Signal::new();
        let response = Response::new(&slot, &ready);
        response.answer(Ok(b"first"));
        response.answer(Ok(b"second"));
        response.prompt();
        assert_eq!(
            read_back(&slot),
            (true, heapless::Vec::from_slice(b"first").unwrap())
        );
        // A slot the holder has locked takes nothing, and one the runner has locked hands
        // over nothing.
        response.reset();
        let held = slot.try_lock().unwrap();
        response.answer(Ok(b"third"));
        response.prompt();
        assert!(!ready.signaled());
        let mut aborted = false;
        slot.read(&mut |r| aborted = matches!(r, Err(InternalError::Aborted)));
        assert!(aborted);
        drop(held);
    }
}
