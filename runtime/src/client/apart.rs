//! Polling a future in a frame of its own. With inlining, the poll of an awaited future
//! becomes part of its parent's poll, whose frame then holds the locals of every path it
//! may take, so every call below it pays for the rarest one. [`apart!`] awaits a future
//! whose poll is never inlined: a cold path (preparing the module after a restart, closing a
//! dropped socket) then costs stack only while it runs.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

/// A pinned future, polled by a function that is never inlined.
pub(crate) struct Apart<'f, F>(pub(crate) Pin<&'f mut F>);

impl<F: Future> Future for Apart<'_, F> {
    type Output = F::Output;

    #[inline(never)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.get_mut().0.as_mut().poll(cx)
    }
}

/// Awaits `$future` through [`Apart`]: its poll gets a frame of its own.
macro_rules! apart {
    ($future:expr) => {{
        let future = core::pin::pin!($future);
        $crate::client::apart::Apart(future).await
    }};
}
pub(crate) use apart;
