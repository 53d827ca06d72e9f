//! The browser app: the shell around `workbench_core`. It reads the clock, draws random
//! identifiers, talks to localStorage and renders; every rule is the core's.

pub mod app;
pub mod browser_ids;
pub mod chosen_files;
pub mod components;
pub mod download;
pub mod error;
pub mod focus;
pub mod notice;
pub mod pages;
pub mod state;
pub mod work_queue;

/// Storage is a crate of its own (`storage/`), compiled for speed where the views are
/// compiled for size; the app reaches it under its old name.
pub use workbench_storage as storage;

#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests;
