//! Where the stored text physically lives: the browser's localStorage, or memory in native
//! tests. Everything above this trait is plain Rust and tested natively; only
//! `BrowserStorage` touches the browser.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use thiserror::Error;

/// Why the browser's storage refused a read or a write, in words for the person.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BackendError {
    #[error(
        "This browser does not let the workbench use its storage (a private window or a site \
         setting can block it), so nothing can be saved here."
    )]
    Unavailable,
    #[error("The browser's storage for this site is full, so this change was not saved.")]
    QuotaFull,
}

/// A string key-value store with localStorage's semantics.
pub trait Backend {
    fn get(&self, key: &str) -> Result<Option<String>, BackendError>;
    fn set(&self, key: &str, value: &str) -> Result<(), BackendError>;
    fn remove(&self, key: &str) -> Result<(), BackendError>;
    fn keys(&self) -> Result<Vec<String>, BackendError>;
}

/// An in-memory store with an optional quota counted as browsers count it: characters of
/// keys plus values. Clones share the same entries, like two tabs share localStorage.
#[derive(Debug, Default, Clone)]
pub struct MemoryBackend {
    entries: Rc<RefCell<BTreeMap<String, String>>>,
    /// Characters of every key and value, kept as entries change: counted afresh on each
    /// write, filling it with 10,000 records took quadratic time.
    used: Rc<Cell<usize>>,
    quota_chars: Option<usize>,
    unavailable: bool,
    writes: Rc<Cell<usize>>,
}

impl MemoryBackend {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_quota(quota_chars: usize) -> Self {
        MemoryBackend {
            quota_chars: Some(quota_chars),
            ..Self::default()
        }
    }

    /// A store whose every access fails, like a browser that blocks storage.
    pub fn unavailable() -> Self {
        MemoryBackend {
            unavailable: true,
            ..Self::default()
        }
    }

    /// How many writes and removals it has taken.
    pub fn writes(&self) -> usize {
        self.writes.get()
    }

    pub fn used_chars(&self) -> usize {
        self.used.get()
    }

    fn check(&self) -> Result<(), BackendError> {
        if self.unavailable {
            Err(BackendError::Unavailable)
        } else {
            Ok(())
        }
    }
}

impl Backend for MemoryBackend {
    fn get(&self, key: &str) -> Result<Option<String>, BackendError> {
        self.check()?;
        Ok(self.entries.borrow().get(key).cloned())
    }

    fn set(&self, key: &str, value: &str) -> Result<(), BackendError> {
        self.check()?;
        let replaced = self
            .entries
            .borrow()
            .get(key)
            .map_or(0, |old| key.chars().count() + old.chars().count());
        let after = self.used.get() - replaced + key.chars().count() + value.chars().count();
        if self.quota_chars.is_some_and(|quota| after > quota) {
            return Err(BackendError::QuotaFull);
        }
        self.entries
            .borrow_mut()
            .insert(key.to_string(), value.to_string());
        self.used.set(after);
        self.writes.set(self.writes.get() + 1);
        Ok(())
    }

    fn remove(&self, key: &str) -> Result<(), BackendError> {
        self.check()?;
        if let Some(old) = self.entries.borrow_mut().remove(key) {
            self.used
                .set(self.used.get() - key.chars().count() - old.chars().count());
        }
        self.writes.set(self.writes.get() + 1);
        Ok(())
    }

    fn keys(&self) -> Result<Vec<String>, BackendError> {
        self.check()?;
        Ok(self.entries.borrow().keys().cloned().collect())
    }
}

/// The browser's localStorage. It is reached anew on every call because access itself can
/// throw (blocked storage), which must become an error, never a panic.
#[derive(Debug, Default, Clone, Copy)]
pub struct BrowserStorage;

impl BrowserStorage {
    fn storage() -> Result<web_sys::Storage, BackendError> {
        web_sys::window()
            .ok_or(BackendError::Unavailable)?
            .local_storage()
            .map_err(|_| BackendError::Unavailable)?
            .ok_or(BackendError::Unavailable)
    }
}

fn write_error(error: wasm_bindgen::JsValue) -> BackendError {
    use wasm_bindgen::JsCast;
    match error.dyn_ref::<web_sys::DomException>() {
        Some(e) if e.name() == "QuotaExceededError" => BackendError::QuotaFull,
        _ => BackendError::Unavailable,
    }
}

impl Backend for BrowserStorage {
    fn get(&self, key: &str) -> Result<Option<String>, BackendError> {
        Self::storage()?
            .get_item(key)
            .map_err(|_| BackendError::Unavailable)
    }

    fn set(&self, key: &str, value: &str) -> Result<(), BackendError> {
        Self::storage()?.set_item(key, value).map_err(write_error)
    }

    fn remove(&self, key: &str) -> Result<(), BackendError> {
        Self::storage()?
            .remove_item(key)
            .map_err(|_| BackendError::Unavailable)
    }

    fn keys(&self) -> Result<Vec<String>, BackendError> {
        let storage = Self::storage()?;
        let length = storage.length().map_err(|_| BackendError::Unavailable)?;
        (0..length)
            .map(|i| {
                storage
                    .key(i)
                    .map_err(|_| BackendError::Unavailable)
                    .map(Option::unwrap_or_default)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_past_the_quota_is_refused_and_leaves_the_old_value() {
        let store = MemoryBackend::with_quota(20);
        store.set("k", "0123456789").unwrap();
        assert_eq!(
            store.set("k", "0123456789012345678901"),
            Err(BackendError::QuotaFull)
        );
        assert_eq!(store.get("k").unwrap().as_deref(), Some("0123456789"));
    }

    #[test]
    fn replacing_a_value_counts_only_the_difference_against_the_quota() {
        let store = MemoryBackend::with_quota(12);
        store.set("k", "0123456789").unwrap();
        store.set("k", "abcdefghij").unwrap();
        assert_eq!(store.used_chars(), 11);
    }

    #[test]
    fn an_unavailable_store_fails_every_access() {
        let store = MemoryBackend::unavailable();
        assert_eq!(store.get("k"), Err(BackendError::Unavailable));
        assert_eq!(store.set("k", "v"), Err(BackendError::Unavailable));
        assert_eq!(store.keys(), Err(BackendError::Unavailable));
    }
}
