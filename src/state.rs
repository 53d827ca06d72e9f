//! The app's one source of truth, shared through context: the book, the clock and the
//! notices, with the only paths by which they change: a person's command, the clock's tick,
//! and another tab's write. Each path runs the core, then storage, then the signals.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use leptos::prelude::*;
use workbench_core::book::{Actor, Book, Command, Outcome, Reply};
use workbench_core::cancellation::RequestStatus;
use workbench_core::confirmation::Settled;
use workbench_core::demo;
use workbench_core::ids::{uuid_from_bytes, AccountId, AgreementId, IdSource, RequestId};
use workbench_core::link::{self, LinkSecret};
use workbench_link::clock::{real_now, SimulatedClock};
use workbench_link::handoff;
use workbench_link::share::origin;

use crate::components::download::save_file;
use crate::storage::exchange::{self, Imported};
use crate::storage::{BrowserStorage, Kind, Notice, SaveError, Store, Usage, PREFIX};

/// Identifiers drawn from the browser's cryptographic random source.
#[derive(Debug, Default, Clone, Copy)]
pub struct BrowserIds;

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())
        .is_some();
    assert!(filled, "the browser's crypto.getRandomValues is required");
    bytes
}

impl IdSource for BrowserIds {
    fn next_suffix(&mut self) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        random_bytes::<16>()
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
            .collect()
    }

    fn next_uuid(&mut self) -> String {
        uuid_from_bytes(&random_bytes::<16>())
    }

    /// 128 bits, as the issue asks and HMAC-SHA-256 needs; more would only cost storage,
    /// where each request keeps its own.
    fn link_secret(&mut self) -> LinkSecret {
        LinkSecret::from_bytes(&random_bytes::<16>()).expect("16 bytes is a valid secret")
    }
}

/// A notice shown at the top of every page until dismissed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub id: u64,
    pub notice: ShownNotice,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShownNotice {
    Stored(Notice),
    NotSaved(String),
    /// 80 % of the quota or more is used: archiving closed cases makes room.
    NearlyFull(Usage),
    Done(String),
}

#[derive(Clone, Copy)]
pub struct AppState {
    pub book: RwSignal<Book>,
    pub clock: RwSignal<SimulatedClock>,
    /// The app's time, real or simulated, ticking every second.
    pub now: RwSignal<DateTime<Utc>>,
    pub notices: RwSignal<Vec<Shown>>,
    /// The last notice ID handed out. IDs are never reused: the list is keyed by them, and
    /// a notice replacing a dismissed one in the same moment must not pass for it.
    notice_ids: StoredValue<u64>,
    /// Which demo seller the console acts as.
    pub seller: RwSignal<Option<AccountId>>,
    store: StoredValue<Store<BrowserStorage>, LocalStorage>,
}

impl AppState {
    /// Loads what the browser holds (or the demo data on a first visit) and starts the clock.
    pub fn start() -> AppState {
        let real = real_now();
        let (store, loaded) = Store::open(BrowserStorage, real, || fresh_demo(real));
        let now = loaded.clock.now(real);
        let seller = loaded
            .book
            .directory
            .sellers
            .first()
            .map(|p| p.account.clone());
        let state = AppState {
            book: RwSignal::new(loaded.book),
            clock: RwSignal::new(loaded.clock),
            now: RwSignal::new(now),
            notices: RwSignal::new(Vec::new()),
            notice_ids: StoredValue::new(0),
            seller: RwSignal::new(seller),
            store: StoredValue::new_local(store),
        };
        for notice in loaded.notices {
            state.notify(ShownNotice::Stored(notice));
        }
        state.check_usage();
        state.advance(now);
        handoff::publish_clock_offset(loaded.clock.offset_seconds);
        state.listen_to_other_tabs();
        set_interval(move || state.tick(), StdDuration::from_secs(1));
        state
    }

    pub fn notify(&self, notice: ShownNotice) {
        self.notice_ids.update_value(|last| *last += 1);
        let id = self.notice_ids.get_value();
        self.notices.update(|n| n.push(Shown { id, notice }));
    }

    pub fn dismiss(&self, id: u64) {
        self.notices.update(|n| n.retain(|s| s.id != id));
    }

    pub fn is_read_only(&self) -> bool {
        self.store.with_value(|s| s.is_read_only())
    }

    fn tick(&self) {
        let now = self.clock.get_untracked().now(real_now());
        self.now.set(now);
        self.advance(now);
    }

    /// Lets the model catch up with `now`: deadlines that passed approve at their own time,
    /// and AWS reads the support cases due.
    fn advance(&self, now: DateTime<Utc>) {
        let due = self
            .book
            .with_untracked(|b| b.next_due().is_some_and(|d| d <= now));
        if !due {
            return;
        }
        let mut outcome = Default::default();
        self.book.update(|b| outcome = b.advance_to(now));
        self.save(&outcome);
    }

    fn save(&self, outcome: &Outcome) {
        if outcome.changed.is_empty() && outcome.cases.is_empty() {
            return;
        }
        if let Err(error) = self.save_outcome(outcome) {
            self.after_failed_save(error, &outcome.changed);
        }
        self.check_usage();
    }

    /// Writes what a change touched: its agreements, then the support cases AWS moved.
    fn save_outcome(&self, outcome: &Outcome) -> Result<(), SaveError> {
        self.book.with_untracked(|b| {
            self.store
                .try_update_value(|s| {
                    s.save_agreements(b, &outcome.changed)?;
                    outcome
                        .cases
                        .iter()
                        .try_for_each(|id| s.save_family(b, Kind::SupportCase, id))
                })
                .unwrap_or(Ok(()))
        })
    }

    /// Warns once the quota is 80 % used (again after it fell below and rose again).
    fn check_usage(&self) {
        let usage = self.store.with_value(|s| s.usage());
        let shown = self.notices.with_untracked(|n| {
            n.iter()
                .any(|s| matches!(s.notice, ShownNotice::NearlyFull(_)))
        });
        if usage.nearly_full() && !shown {
            self.notify(ShownNotice::NearlyFull(usage));
        } else if !usage.nearly_full() && shown {
            self.notices
                .update(|n| n.retain(|s| !matches!(s.notice, ShownNotice::NearlyFull(_))));
        }
    }

    /// Everything this browser holds, as one file the person keeps.
    pub fn export_all(&self) -> Result<(), String> {
        let now = self.now.get_untracked();
        let text = self
            .book
            .with_untracked(|b| exchange::export(b, &self.clock.get_untracked(), now));
        save_file(
            &format!("workbench-{}.json", now.format("%Y-%m-%d")),
            "application/json",
            &text,
        )
    }

    /// Replaces everything with an imported file. The new data is written first; if that
    /// fails part-way, the old data is written back, and the person is told nothing changed.
    pub fn import(&self, imported: Imported) -> Result<(), String> {
        let now = self.now.get_untracked();
        let (old_book, old_clock) = (self.book.get_untracked(), self.clock.get_untracked());
        let result = self
            .store
            .try_update_value(|s| s.replace_all(&imported.book, &imported.clock, now));
        if let Some(Err(error)) = result {
            let restored = self
                .store
                .try_update_value(|s| s.replace_all(&old_book, &old_clock, now));
            return Err(match restored {
                Some(Ok(())) => format!("Nothing was imported: {error} Your data is as it was."),
                _ => format!("The import failed part-way ({error}) and your earlier data could not all be written back. Export now to keep what is shown."),
            });
        }
        self.book.set(imported.book);
        self.clock.set(imported.clock);
        self.tick();
        self.check_usage();
        Ok(())
    }

    /// Downloads the closed cases as one file, then removes them from this browser.
    pub fn archive_closed(&self) -> Result<String, String> {
        let now = self.now.get_untracked();
        let (archive, ids) = self.book.with_untracked(|b| {
            let mut archive = Book {
                directory: b.directory.clone(),
                ..Book::default()
            };
            let ids: Vec<AgreementId> = b
                .records
                .values()
                .filter(|v| workbench_core::case::is_closed(&v.record))
                .map(|v| v.record.agreement.id.clone())
                .collect();
            for id in &ids {
                archive.records.insert(id.clone(), b.records[id].clone());
            }
            (archive, ids)
        });
        if ids.is_empty() {
            return Ok("There are no closed cases to archive: every agreement is still running or has something waiting.".into());
        }
        let file = format!("workbench-archive-{}.json", now.format("%Y-%m-%d"));
        let text = exchange::export(&archive, &self.clock.get_untracked(), now);
        save_file(&file, "application/json", &text)?;
        if let Some(Err(error)) = self.store.try_update_value(|s| s.remove_agreements(&ids)) {
            return Err(format!(
                "The archive {file} was downloaded, but the cases could not be removed: {error}"
            ));
        }
        self.book.update(|b| {
            for id in &ids {
                b.records.remove(id);
            }
        });
        self.check_usage();
        Ok(format!(
            "Archived {} closed cases into {file} and removed them from this browser. Import that file to see them again.",
            ids.len()
        ))
    }

    /// Runs an action a notice offers, and shows what came of it.
    pub fn archive_from_notice(&self, id: u64) {
        self.dismiss(id);
        match self.archive_closed() {
            Ok(message) => self.notify(ShownNotice::Done(message)),
            Err(message) => self.notify(ShownNotice::NotSaved(message)),
        }
    }

    fn after_failed_save(
        &self,
        error: SaveError,
        changed: &std::collections::BTreeSet<AgreementId>,
    ) {
        if let SaveError::Conflict { .. } = error {
            let now = self.now.get_untracked();
            self.book.update(|b| {
                self.store.update_value(|s| {
                    for id in changed {
                        s.refresh(b, id, now);
                    }
                })
            });
        }
        self.notify(ShownNotice::NotSaved(error.to_string()));
    }

    /// Runs a person's command: picks up other tabs' writes to that agreement first, then
    /// the core decides, then storage keeps it. Errors come back in words for the person.
    pub fn act(&self, command: Command, actor: &Actor) -> Result<Reply, String> {
        let agreement = agreement_of(&command);
        self.run(agreement, |book, now| {
            book.apply(command, actor, now, &mut BrowserIds)
                .map_err(|e| e.to_string())
        })
    }

    /// Whether a receipt was sealed with a secret this workbench kept.
    pub fn holds_receipt(&self, code: &str) -> bool {
        self.book.with_untracked(|b| b.holds_receipt(code))
    }

    /// The status of a request and when it last changed.
    pub fn request_status(&self, request: &RequestId) -> Option<(RequestStatus, DateTime<Utc>)> {
        self.book.with_untracked(|b| {
            b.request_by_id(request)
                .map(|(_, r)| (r.status, r.updated_at))
        })
    }

    /// A decision receipt the buyer sent from another device, pasted or opened as a link.
    pub fn apply_receipt(&self, code: &str) -> Result<Settled, String> {
        let agreement = link::receipt_request_id(code.trim()).ok().and_then(|id| {
            self.book
                .with_untracked(|b| b.request_by_id(&id).map(|(r, _)| r.agreement.id.clone()))
        });
        self.run(agreement, |book, now| {
            book.apply_receipt(code, now, &mut BrowserIds)
                .map_err(|e| e.to_string())
        })
    }

    /// A change to a record of another billing family (FPS, DevPay, Alibaba Cloud, support
    /// cases): `change` runs the core's command and names the record it changed, which
    /// storage then writes. Refusals come back in words for the person.
    pub fn act_on_family<T>(
        &self,
        kind: Kind,
        change: impl FnOnce(&mut Book, DateTime<Utc>, &mut dyn IdSource) -> Result<(T, String), String>,
    ) -> Result<T, String> {
        let now = self.now.get_untracked();
        let mut result = Err(String::new());
        self.book
            .update(|b| result = change(b, now, &mut BrowserIds));
        let (reply, id) = result?;
        let saved = self
            .book
            .with_untracked(|b| self.store.try_update_value(|s| s.save_family(b, kind, &id)));
        if let Some(Err(error)) = saved {
            let message = error.to_string();
            self.notify(ShownNotice::NotSaved(message.clone()));
            return Err(message);
        }
        self.check_usage();
        Ok(reply)
    }

    /// The confirmation link of a request, whole, for this app's origin.
    pub fn confirmation_url(
        &self,
        agreement: &AgreementId,
        request: &RequestId,
    ) -> Result<String, String> {
        let link = self
            .book
            .with_untracked(|b| b.confirmation_link(agreement, request))
            .map_err(|e| e.to_string())?;
        Ok(format!("{}{}", origin(), link.href()))
    }

    /// Every change a person makes goes through here: other tabs' writes to the agreement
    /// first, then the core, then storage, which may refuse (another tab won, or no room).
    fn run<T>(
        &self,
        agreement: Option<AgreementId>,
        change: impl FnOnce(&mut Book, DateTime<Utc>) -> Result<(T, Outcome), String>,
    ) -> Result<T, String> {
        let now = self.now.get_untracked();
        let mut refreshed = false;
        if let Some(id) = agreement {
            self.book.update(|b| {
                self.store.update_value(|s| {
                    refreshed = s.refresh(b, &id, now);
                })
            });
        }
        let mut result = Err(String::new());
        self.book.update(|b| result = change(b, now));
        let (reply, outcome) = match result {
            Ok(done) => done,
            Err(message) => {
                // Another tab's write was picked up just now, so the form that asked is
                // redrawn from the new record (often gone) and cannot show the refusal:
                // a notice can, until the person dismisses it.
                if refreshed {
                    self.notify(ShownNotice::NotSaved(message.clone()));
                }
                return Err(message);
            }
        };
        mark_start("workbench: write");
        let saved = self.save_outcome(&outcome);
        measure_since_start("workbench: write");
        if let Err(error) = saved {
            let message = error.to_string();
            self.after_failed_save(error, &outcome.changed);
            return Err(message);
        }
        self.check_usage();
        Ok(reply)
    }

    /// Moves the simulated clock; everything due in between happens at its own time.
    pub fn set_clock(&self, clock: SimulatedClock) {
        self.clock.set(clock);
        handoff::publish_clock_offset(clock.offset_seconds);
        if let Some(Err(error)) = self.store.try_update_value(|s| s.save_clock(&clock)) {
            self.notify(ShownNotice::NotSaved(error.to_string()));
        }
        self.tick();
    }

    /// Replaces everything this browser holds with fresh demo data, on the real clock: the
    /// demo itself, or `scale` AWS agreements each with a full history, to see the
    /// workbench (and the storage quota) at scale.
    pub fn reset_demo(&self, scale: Option<usize>) -> Result<(), String> {
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
            return Err(error.to_string());
        }
        self.book.set(book);
        self.clock.set(clock);
        self.now.set(real);
        self.seller.set(
            self.book
                .with_untracked(|b| b.directory.sellers.first().map(|p| p.account.clone())),
        );
        self.check_usage();
        Ok(())
    }

    pub fn advance_clock(&self, by: Duration) {
        self.set_clock(self.clock.get_untracked().advanced(by));
    }

    fn listen_to_other_tabs(&self) {
        let state = *self;
        let handle =
            window_event_listener(leptos::ev::storage, move |event: web_sys::StorageEvent| {
                let Some(key) = event.key() else { return };
                if key == handoff::CLOCK_KEY {
                    // The buyer's page of this browser moved the demo clock.
                    let offset_seconds = handoff::clock_offset().unwrap_or(0);
                    if offset_seconds != state.clock.get_untracked().offset_seconds {
                        state.set_clock(SimulatedClock { offset_seconds });
                    }
                    return;
                }
                if !key.starts_with(PREFIX) {
                    return;
                }
                if key == crate::storage::CLOCK_KEY {
                    if let Some(clock) = state.store.with_value(|s| s.read_clock()) {
                        state.clock.set(clock);
                        state.tick();
                    }
                    return;
                }
                let now = state.now.get_untracked();
                let mut notices = None;
                state.book.update(|b| {
                    state.store.update_value(|s| {
                        notices = s.apply_external(b, &key, event.new_value().as_deref(), now)
                    })
                });
                for notice in notices.into_iter().flatten() {
                    state.notify(ShownNotice::Stored(notice));
                }
            });
        // The listener lives as long as the app.
        std::mem::forget(handle);
    }
}

fn agreement_of(command: &Command) -> Option<AgreementId> {
    match command {
        Command::SendCancellation { agreement_id, .. }
        | Command::AcceptCancellation { agreement_id, .. }
        | Command::RejectCancellation { agreement_id, .. }
        | Command::WithdrawCancellation { agreement_id, .. } => Some(agreement_id.clone()),
        Command::BatchCreateAdjustments { entries } => entries
            .first()
            .and_then(|e| AgreementId::parse(&e.agreement_id).ok()),
    }
}

/// User Timing: the browser's performance panel shows these steps, and the write-cost
/// benchmark reads them.
fn mark_start(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        performance.mark(&format!("{name} start")).ok();
    }
}

fn measure_since_start(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        performance
            .measure_with_start_mark(name, &format!("{name} start"))
            .ok();
    }
}

/// The demo data, with link secrets of this browser's own.
fn fresh_demo(now: DateTime<Utc>) -> Book {
    let mut book = demo::demo_book(now);
    demo::draw_secrets(&mut book, &mut BrowserIds);
    book
}

/// Where this app is served from, for links people send to each other.
pub fn use_app() -> AppState {
    expect_context::<AppState>()
}
