//! The evidence pack: a case's whole history as JSON lines in which every line is chained
//! to the one before it by SHA-256, so that a later edit shows.
//!
//! A chain without a secret can be rebuilt whole by whoever edits it; what a pack proves is
//! that it is the file whose last hash was noted when it was downloaded.
//!
//! [`chain`] writes and checks such a chain of any entries; [`case`] says what a case's pack
//! holds, and what the person is told about a file they verify.

pub mod case;
pub mod chain;

pub use case::{
    case_entries, case_pack, check, file_name, verdict, Entry, Named, PackAbout, Verdict,
};
pub use chain::{pack, verify, EvidenceError, Verification, GENESIS, MAX_PACK_BYTES};
