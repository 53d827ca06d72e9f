//! Why something the person asked for did not happen, typed so that a form can put each
//! error beside the field it is about, and worded for the person.

use thiserror::Error;
use workbench_core::book::DomainError;
use workbench_core::confirmation::ConfirmationError;

use crate::download::DownloadError;
use crate::storage::SaveError;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AppError {
    /// The marketplace's rules refused it; nothing changed.
    #[error("{0}")]
    Domain(#[from] DomainError),
    /// A confirmation link or receipt could not be made or applied.
    #[error("{0}")]
    Link(#[from] ConfirmationError),
    /// The change was decided but could not be kept in this browser.
    #[error("{0}")]
    Save(#[from] SaveError),
    /// The browser did not hand the person a file.
    #[error("{0}")]
    Download(#[from] DownloadError),
    /// An imported file could not be written whole.
    #[error("{}", import_words(.error, *.restored))]
    Import { error: SaveError, restored: bool },
    /// Closed cases were downloaded into an archive but stay in this browser.
    #[error("The archive {file} was downloaded, but the cases could not be removed: {error}")]
    NotRemoved { file: String, error: Box<AppError> },
}

fn import_words(error: &SaveError, restored: bool) -> String {
    if restored {
        format!("Nothing was imported: {error} Your data is as it was.")
    } else {
        format!("The import failed part-way ({error}) and your earlier data could not all be written back. Export now to keep what is shown.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_download_is_told_in_the_same_words() {
        assert_eq!(
            AppError::from(DownloadError::PageNotReady).to_string(),
            "The page is not ready for a download."
        );
        assert_eq!(
            AppError::Download(DownloadError::Refused).to_string(),
            "The browser refused to start the download."
        );
    }
}
