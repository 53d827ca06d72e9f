//! What the notices at the top of every page say: about stored data, a change not saved,
//! storage nearly full, or an action done elsewhere than where the person clicked.

use crate::error::AppError;
use crate::storage::{Notice, Usage};

/// A notice shown at the top of every page until dismissed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedNotice {
    pub id: u64,
    pub notice: ShownNotice,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShownNotice {
    Stored(Notice),
    NotSaved(AppError),
    /// 80 % of the quota or more is used: archiving closed cases makes room.
    NearlyFull(Usage),
    Done(String),
}
