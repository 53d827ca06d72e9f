//! A person's changes: each is one command through [`AppState::act`], and storage keeps
//! what the core changed; so are the few that replace or remove records wholesale (an
//! import, an archive, a reset), which storage writes whole.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use workbench_core::book::{Actor, ApplyReceipt, ArchiveClosed, Command, Outcome};
use workbench_core::cancellation::RequestStatus;
use workbench_core::confirmation::Settled;
use workbench_core::demo;
use workbench_core::ids::{AgreementId, RequestId};
use workbench_core::key::{RecordKey, SupportCaseId};
use workbench_core::link::{self, Subject};
use workbench_link::clock::{real_now, SimulatedClock};
use workbench_link::share::origin;

use super::time::{mark_start, measure_since_start};
use super::{fresh_demo, AppState};
use crate::browser_ids::BrowserIds;
use crate::download::save_file;
use crate::error::AppError;
use crate::notice::ShownNotice;
use crate::storage::exchange::{self, Imported};

/// A person's change under way: when it happens, and whether another tab's write to its
/// record was picked up first.
#[derive(Clone, Copy)]
struct Change {
    now: DateTime<Utc>,
    refreshed: bool,
}

impl AppState {
    /// Runs a person's command, of any family: picks up other tabs' writes to its record
    /// first, then the core decides, then storage keeps it. The reply is the command's own.
    /// Only the core's `apply` is compiled once per command; the shell's part around it
    /// is one copy for all of them.
    pub fn act<C: Command>(&self, command: C, actor: &Actor) -> Result<C::Reply, AppError>
    where
        AppError: From<C::Error>,
    {
        let record = self.book.with_untracked(|b| command.record(b));
        let change = self.begin_change(record);
        let applied = self
            .book_rw
            .try_update_untracked(|b| b.apply(command, actor, change.now, &mut BrowserIds))
            .expect("the book lives as long as the app");
        match applied {
            Ok((reply, outcome)) => self.keep_change(change, &outcome).map(|()| reply),
            Err(error) => Err(self.refuse_change(change, error.into())),
        }
    }

    /// Every change a person makes starts here: another tab's write to the record first.
    fn begin_change(&self, record: Option<RecordKey>) -> Change {
        let now = self.now.get_untracked();
        mark_start("workbench: change");
        let refreshed = record.is_some_and(|record| {
            self.book_rw
                .try_update_untracked(|b| {
                    self.store
                        .try_update_value(|s| s.refresh(b, &record, now))
                        .expect("the store lives as long as the app")
                })
                .expect("the book lives as long as the app")
        });
        Change { now, refreshed }
    }

    /// After the core: storage keeps what changed, and may refuse (another tab won, or no
    /// room).
    fn keep_change(&self, change: Change, outcome: &Outcome) -> Result<(), AppError> {
        let kept = self
            .book_rw
            .try_update_untracked(|b| {
                self.store
                    .try_update_value(|s| s.keep(b, &outcome.changed, change.now))
                    .expect("the store lives as long as the app")
            })
            .expect("the book lives as long as the app")
            .map_err(AppError::from);
        let changed = change.refreshed || !outcome.changed.is_empty();
        self.end_change(change, changed, kept.as_ref().err());
        kept
    }

    fn refuse_change(&self, change: Change, error: AppError) -> AppError {
        self.end_change(change, change.refreshed, Some(&error));
        error
    }

    /// The views hear of a change once, if anything changed.
    fn end_change(&self, change: Change, changed: bool, error: Option<&AppError>) {
        if changed {
            self.book_rw.notify();
        }
        measure_since_start("workbench: change");
        if let Some(error) = error {
            // A failed write is told in a notice as well as beside the form. So is a
            // refusal right after another tab's write was picked up: the form that asked
            // is redrawn from the new record (often gone) and cannot show it.
            if change.refreshed || matches!(error, AppError::Save(_)) {
                self.notices.notify(ShownNotice::NotSaved(error.clone()));
            }
        }
        self.check_usage();
    }

    /// A decision receipt the buyer sent from another device, pasted or opened as a link.
    pub fn apply_receipt(&self, code: &str) -> Result<Settled, AppError> {
        self.finish_reading();
        self.act(ApplyReceipt { code: code.into() }, &Actor::System)
    }

    /// Applies the receipts the buyer's page of this browser handed over, as if pasted, and
    /// tells that page what became of each request in the words `told` gives, from its
    /// status now and when it took it. A receipt sealed with a secret this workbench did not
    /// keep is another browser's, and is left alone.
    pub fn apply_handed_receipts(
        &self,
        told: impl Fn(&Result<Settled, AppError>, Option<(RequestStatus, DateTime<Utc>)>) -> String,
    ) -> Vec<Result<Settled, AppError>> {
        let codes = self.store.try_update_value(|s| s.take_handed_receipts());
        let mut applied = Vec::new();
        for code in codes.into_iter().flatten() {
            self.finish_reading();
            let Ok(subject) = link::receipt_subject(&code) else {
                continue;
            };
            if !self.book.with_untracked(|b| b.holds_receipt(&code)) {
                continue;
            }
            let result = self.apply_receipt(&code);
            let status = match &subject {
                Subject::Request(request) => self.book.with_untracked(|b| {
                    b.request_by_id(request)
                        .map(|(_, r)| (r.status, r.updated_at))
                }),
                Subject::Case(_) => None,
            };
            let words = told(&result, status);
            self.store
                .update_value(|s| s.tell_buyers_page(subject.as_str(), &words));
            applied.push(result);
        }
        applied
    }

    /// The confirmation link of a request, whole, for this app's origin.
    pub fn confirmation_url(
        &self,
        agreement: &AgreementId,
        request: &RequestId,
    ) -> Result<String, AppError> {
        let link = self
            .book
            .with_untracked(|b| b.confirmation_link(agreement, request))?;
        Ok(format!("{}{}", origin(), link.href()))
    }

    /// The link to AWS's question on a support case for its buyer, whole, for this app's
    /// origin.
    pub fn case_url(&self, case: &SupportCaseId) -> Result<String, AppError> {
        let link = self.book.with_untracked(|b| b.case_link(case))?;
        Ok(format!("{}{}", origin(), link.href()))
    }

    /// Everything this browser holds, as one file the person keeps.
    pub fn export_all(&self) -> Result<(), AppError> {
        self.finish_reading();
        let now = self.now.get_untracked();
        let text = self
            .book
            .with_untracked(|b| exchange::export(b, &self.clock.get_untracked(), now));
        save_file(
            &format!("workbench-{}.json", now.format("%Y-%m-%d")),
            "application/json",
            &text,
        )
        .map_err(AppError::Download)
    }

    /// Replaces everything with an imported file. The new data is written first; if that
    /// fails part-way, the old data is written back, and the person is told nothing changed.
    pub fn import(&self, imported: Imported) -> Result<(), AppError> {
        self.finish_reading();
        let now = self.now.get_untracked();
        let (old_book, old_clock) = (self.book.get_untracked(), self.clock.get_untracked());
        let result = self
            .store
            .try_update_value(|s| s.replace_all(&imported.book, &imported.clock, now));
        if let Some(Err(error)) = result {
            let restored = self
                .store
                .try_update_value(|s| s.replace_all(&old_book, &old_clock, now));
            return Err(AppError::Import {
                error,
                restored: matches!(restored, Some(Ok(()))),
            });
        }
        self.book_rw.set(imported.book);
        self.clock.set(imported.clock);
        self.tick();
        self.check_usage();
        Ok(())
    }

    /// Downloads the closed cases as one file, then removes them from this browser.
    fn archive_closed(&self) -> Result<String, AppError> {
        self.finish_reading();
        let now = self.now.get_untracked();
        let archive = self
            .book
            .with_untracked(workbench_core::case::closed_archive);
        if archive.records().is_empty() {
            return Ok("There are no closed cases to archive: every agreement is still running or has something waiting.".into());
        }
        let file = format!("workbench-archive-{}.json", now.format("%Y-%m-%d"));
        let text = exchange::export(&archive, &self.clock.get_untracked(), now);
        save_file(&file, "application/json", &text).map_err(AppError::Download)?;
        let agreements = archive.records().keys().cloned().collect();
        let removed = self
            .act(ArchiveClosed { agreements }, &Actor::System)
            .map_err(|error| AppError::NotRemoved {
                file: file.clone(),
                error: Box::new(error),
            })?;
        Ok(format!(
            "Archived {removed} closed cases into {file} and removed them from this browser. Import that file to see them again."
        ))
    }

    /// Runs an action a notice offers, and shows what came of it.
    pub fn archive_from_notice(&self, id: u64) {
        self.notices.dismiss(id);
        match self.archive_closed() {
            Ok(message) => self.notices.notify(ShownNotice::Done(message)),
            Err(error) => self.notices.notify(ShownNotice::NotSaved(error)),
        }
    }

    /// Replaces everything this browser holds with fresh demo data, on the real clock: the
    /// demo itself, or `scale` AWS agreements each with a full history, to see the
    /// workbench (and the storage quota) at scale.
    pub fn reset_demo(&self, scale: Option<usize>) -> Result<(), AppError> {
        // A reset that fails part-way leaves the old records where they were: the book
        // must hold them all.
        self.finish_reading();
        let real = real_now();
        let book = match scale {
            None => fresh_demo(real),
            Some(n) => demo::scale_book(n, real, &mut BrowserIds),
        };
        let clock = SimulatedClock::real_time();
        let saved = self
            .store
            .try_update_value(|s| s.replace_all(&book, &clock, real));
        if let Some(Err(error)) = saved {
            return Err(error.into());
        }
        self.book_rw.set(book);
        self.clock.set(clock);
        self.now.set(real);
        self.seller.set(
            self.book
                .with_untracked(|b| b.directory().sellers.first().map(|p| p.account.clone())),
        );
        self.check_usage();
        Ok(())
    }
}
