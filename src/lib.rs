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
pub mod storage;
pub mod work_queue;

#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests;
