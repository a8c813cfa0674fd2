//! An `Option` whose empty state is zero bytes, for what a `static` holds.
//!
//! `Option<T>` keeps `None` in a niche of `T` when `T` has one: `Option<AccessMode>`'s `None`
//! is the byte 3. One such byte makes a whole `static` initialized data, which the linker
//! keeps in flash as well as in RAM. [`ZeroOption`] has a tag of its own, 0 when empty, so
//! that [`StackResources::new`](crate::stack::StackResources::new) is all zeros and lands in
//! `.bss` (`firmware/qemu` measures it).

/// `None` or `Some(T)`, `None` being zero bytes.
#[repr(u8)]
#[derive(Debug)]
pub(crate) enum ZeroOption<T> {
    None = 0,
    Some(T) = 1,
}

impl<T> ZeroOption<T> {
    pub(crate) const fn as_ref(&self) -> Option<&T> {
        match self {
            ZeroOption::None => None,
            ZeroOption::Some(t) => Some(t),
        }
    }

    pub(crate) const fn is_some(&self) -> bool {
        matches!(self, ZeroOption::Some(_))
    }

    /// The value, made by `f` first when there is none.
    pub(crate) fn get_or_insert_with(&mut self, f: impl FnOnce() -> T) -> &mut T {
        if let ZeroOption::None = self {
            *self = ZeroOption::Some(f());
        }
        match self {
            ZeroOption::Some(t) => t,
            ZeroOption::None => unreachable!("filled above"),
        }
    }
}
