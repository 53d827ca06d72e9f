//! The app's one source of truth, shared through context: the book, the clock and the
//! notices, with the only paths by which they change: a person's command, the clock's tick,
//! and another tab's write. Each path runs the core, then storage, then the signals, and
//! tells the views once, only when something changed.

use std::collections::BTreeSet;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use workbench_core::book::{Actor, ApplyReceipt, ArchiveClosed, Book, Command, Outcome};
use workbench_core::cancellation::RequestStatus;
use workbench_core::confirmation::Settled;
use workbench_core::demo;
use workbench_core::ids::{AccountId, AgreementId, RequestId};
use workbench_core::key::RecordKey;
use workbench_core::link;
use workbench_link::clock::{real_now, SimulatedClock};
use workbench_link::handoff;
use workbench_link::share::origin;
use workbench_link::timing;

use crate::browser_ids::BrowserIds;
use crate::download::save_file;
use crate::error::AppError;
use crate::notice::{Shown, ShownNotice};
use crate::storage::exchange::{self, Imported};
use crate::storage::{BrowserStorage, ReadingProgress, SaveError, Store, Usage, PREFIX};

/// How long one slice of writing time's changes may hold the page: with the drawing
/// around it, a frame stays well under the 50 ms of a long one.
const WRITE_SLICE_MS: f64 = 10.0;

/// How long a cold start on the agreement list reads a large book before drawing the list:
/// at 10,000 agreements, in Chromium on the 2-core build machine, 250-900 agreements,
/// which hold the first page of each scale-demo seller (a third of the book each). A
/// seller with fewer among them sees those, counted "so far", until the whole book is
/// read. Reading all of it took 1-1.6 s.
const FIRST_READ_MS: f64 = 60.0;

/// And at least this many, however slow the machine: a fresh browser profile on a busy
/// machine read only 130 in those 60 ms, less than one seller's page.
const FIRST_READ_AT_LEAST: usize = 300;

/// How long one slice of reading the rest of a large book may hold the page.
const READ_SLICE_MS: f64 = 20.0;

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
    /// How full the browser's storage is, kept as writes happen.
    pub usage: RwSignal<Usage>,
    /// While a large book is still being read after the agreement list was drawn from its
    /// first agreements: how far it has come.
    pub reading: RwSignal<Option<ReadingProgress>>,
    store: StoredValue<Store<BrowserStorage>, LocalStorage>,
}

impl AppState {
    /// Loads what the browser holds (or the demo data on a first visit) and starts the clock.
    /// A cold start on the agreement list draws it once the first agreements of a large
    /// book are read, and reads the rest between frames; anywhere else reads all first.
    pub fn start() -> AppState {
        let real = real_now();
        let on_the_list = web_sys::window()
            .and_then(|w| w.location().pathname().ok())
            .is_some_and(|path| is_the_agreement_list(&path));
        // Timed from the first agreement read: listing the keys and reading the other
        // records come first.
        let (mut read, mut until) = (0, None);
        let (store, loaded) = Store::open_first(
            BrowserStorage,
            real,
            || fresh_demo(real),
            || {
                read += 1;
                let now = performance_now();
                !on_the_list
                    || read < FIRST_READ_AT_LEAST
                    || now < *until.get_or_insert(now + FIRST_READ_MS)
            },
        );
        let reading = store.reading().cloned();
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
            usage: RwSignal::new(store.usage()),
            reading: RwSignal::new(reading),
            store: StoredValue::new_local(store),
        };
        for notice in loaded.notices {
            state.notify(ShownNotice::Stored(notice));
        }
        state.check_usage();
        state.advance(now);
        state
            .store
            .update_value(|s| s.hand_clock_offset(loaded.clock.offset_seconds));
        state.listen_to_other_tabs();
        set_interval(move || state.tick(), StdDuration::from_secs(1));
        if state.reading.get_untracked().is_some() {
            state.read_some_soon();
        } else {
            timing::mark_once("book-read");
        }
        state
    }

    fn read_some_soon(&self) {
        let state = *self;
        set_timeout(
            move || {
                let until = performance_now() + READ_SLICE_MS;
                state.read_more(|| performance_now() < until);
            },
            StdDuration::ZERO,
        );
    }

    /// Reads the rest of a large book now, before anything that needs all of it: any page
    /// but the agreement list, a search by ID, a receipt, an export, an import, a reset.
    pub fn finish_reading(&self) {
        self.read_more(|| true);
    }

    /// Reads more of a large book while `go_on()` says so. The views hear of it once, when
    /// the last agreement is read and the book holds all of them.
    fn read_more(&self, go_on: impl FnMut() -> bool) {
        if self.reading.get_untracked().is_none() {
            return;
        }
        let now = self.now.get_untracked();
        let notices = self
            .book
            .try_maybe_update(|b| {
                self.store
                    .try_update_value(|s| s.read_some(b, now, go_on))
                    .expect("the store lives as long as the app")
            })
            .expect("the book lives as long as the app");
        for notice in notices {
            self.notify(ShownNotice::Stored(notice));
        }
        let progress = self.store.with_value(|s| s.reading().cloned());
        let done = progress.is_none();
        self.reading.set(progress);
        if done {
            self.check_usage();
            self.advance(now);
            timing::mark_once("book-read");
        } else {
            self.read_some_soon();
        }
    }

    pub fn notify(&self, notice: ShownNotice) {
        self.notice_ids.update_value(|last| *last += 1);
        let id = self.notice_ids.get_value();
        self.notices.update(|n| n.push(Shown { id, notice }));
    }

    /// A notice that slices of one write may each give: shown once while it is on screen.
    fn notify_once(&self, notice: ShownNotice) {
        if !self
            .notices
            .with_untracked(|n| n.iter().any(|s| s.notice == notice))
        {
            self.notify(notice);
        }
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
    /// and AWS reads the support cases due. The page shows it at once; the records it
    /// changed are written a slice at a time after.
    fn advance(&self, now: DateTime<Utc>) {
        let due = self
            .book
            .with_untracked(|b| b.next_due().is_some_and(|d| d <= now));
        if !due {
            return;
        }
        mark_start("workbench: time passes");
        let mut outcome = Outcome::default();
        self.book.update(|b| outcome = b.advance_to(now));
        // The views draw the change in this task's microtasks, so the next task starts
        // once the page shows it.
        set_timeout(
            || measure_since_start("workbench: time passes"),
            StdDuration::ZERO,
        );
        if outcome.changed.is_empty() {
            return;
        }
        let idle = self
            .store
            .try_update_value(|s| {
                let idle = !s.has_later();
                s.write_later(outcome.changed);
                idle
            })
            .unwrap_or(false);
        if idle {
            self.write_later_soon();
        }
    }

    fn write_later_soon(&self) {
        let state = *self;
        set_timeout(move || state.write_some(), StdDuration::ZERO);
    }

    /// Writes what time changed for a slice of a frame, then lets the page draw and answer
    /// before the next slice: at 10,000 agreements "+7 days" writes every one of them.
    fn write_some(&self) {
        let until = performance_now() + WRITE_SLICE_MS;
        let written = self.book.with_untracked(|b| {
            self.store
                .try_update_value(|s| s.write_some(b, || performance_now() < until))
        });
        match written {
            Some(Ok(beaten)) if !beaten.records.is_empty() => {
                // Another tab wrote first: take its records. Only when a person acted there
                // does this page show something other than it did, and say why.
                let records = beaten.records.into_iter().collect();
                self.book.update(|b| self.put_back(b, &records));
                if let Some(record) = beaten.overruled {
                    self.notify_once(ShownNotice::NotSaved(
                        SaveError::TimeOverruled { record }.to_string(),
                    ));
                }
            }
            // Any other refusal keeps what time did on screen; putting it back would only
            // have the next tick do it again, and fail again, every second.
            Some(Err(error)) => self.notify_once(ShownNotice::NotSaved(error.to_string())),
            _ => {}
        }
        self.check_usage();
        if self.store.with_value(|s| s.has_later()) {
            self.write_later_soon();
        } else {
            // From the same start as "workbench: time passes".
            measure_between(
                "workbench: time passes start",
                "workbench: time's changes written",
            );
        }
    }

    /// After a refused write, the records it touched become what storage holds again, so
    /// the page never shows a change that a reload would take back.
    fn put_back(&self, book: &mut Book, changed: &BTreeSet<RecordKey>) {
        let now = self.now.get_untracked();
        self.store.update_value(|s| s.restore(book, changed, now));
    }

    /// Warns once the quota is 80 % used (again after it fell below and rose again).
    fn check_usage(&self) {
        let usage = self.store.with_value(|s| s.usage());
        if self.usage.get_untracked() != usage {
            self.usage.set(usage);
        }
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
        self.book.set(imported.book);
        self.clock.set(imported.clock);
        self.tick();
        self.check_usage();
        Ok(())
    }

    /// Downloads the closed cases as one file, then removes them from this browser.
    pub fn archive_closed(&self) -> Result<String, AppError> {
        self.finish_reading();
        let now = self.now.get_untracked();
        let archive = self
            .book
            .with_untracked(workbench_core::case::closed_archive);
        if archive.records.is_empty() {
            return Ok("There are no closed cases to archive: every agreement is still running or has something waiting.".into());
        }
        let file = format!("workbench-archive-{}.json", now.format("%Y-%m-%d"));
        let text = exchange::export(&archive, &self.clock.get_untracked(), now);
        save_file(&file, "application/json", &text).map_err(AppError::Download)?;
        let agreements = archive.records.keys().cloned().collect();
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
        self.dismiss(id);
        match self.archive_closed() {
            Ok(message) => self.notify(ShownNotice::Done(message)),
            Err(error) => self.notify(ShownNotice::NotSaved(error.to_string())),
        }
    }

    /// Runs a person's command, of any family: picks up other tabs' writes to its record
    /// first, then the core decides, then storage keeps it. The reply is the command's own.
    pub fn act<C: Command>(&self, command: C, actor: &Actor) -> Result<C::Reply, AppError>
    where
        AppError: From<C::Error>,
    {
        let record = self.book.with_untracked(|b| command.record(b));
        self.run(record, |book, now| {
            Ok(book.apply(command, actor, now, &mut BrowserIds)?)
        })
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
            let Ok(request) = link::receipt_request_id(&code) else {
                continue;
            };
            if !self.book.with_untracked(|b| b.holds_receipt(&code)) {
                continue;
            }
            let result = self.apply_receipt(&code);
            let status = self.book.with_untracked(|b| {
                b.request_by_id(&request)
                    .map(|(_, r)| (r.status, r.updated_at))
            });
            let words = told(&result, status);
            self.store
                .update_value(|s| s.tell_buyers_page(request.as_str(), &words));
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

    /// Every change a person makes goes through here: another tab's write to the record
    /// first, then the core, then storage, which may refuse (another tab won, or no room);
    /// then the views hear of it once, if anything changed.
    fn run<T>(
        &self,
        record: Option<RecordKey>,
        change: impl FnOnce(&mut Book, DateTime<Utc>) -> Result<(T, Outcome), AppError>,
    ) -> Result<T, AppError> {
        let now = self.now.get_untracked();
        mark_start("workbench: change");
        let committed = self
            .book
            .try_maybe_update(|b| {
                let committed = self
                    .store
                    .try_update_value(|s| s.commit(b, record.as_ref(), now, |b| change(b, now)))
                    .expect("the store lives as long as the app");
                (committed.changed, committed)
            })
            .expect("the book lives as long as the app");
        measure_since_start("workbench: change");
        if let Err(error) = &committed.result {
            // A failed write is told in a notice as well as beside the form. So is a
            // refusal right after another tab's write was picked up: the form that asked
            // is redrawn from the new record (often gone) and cannot show it.
            if committed.refreshed || matches!(error, AppError::Save(_)) {
                self.notify(ShownNotice::NotSaved(error.to_string()));
            }
        }
        self.check_usage();
        committed.result
    }

    /// Moves the simulated clock; everything due in between happens at its own time.
    pub fn set_clock(&self, clock: SimulatedClock) {
        self.clock.set(clock);
        self.store
            .update_value(|s| s.hand_clock_offset(clock.offset_seconds));
        if let Some(Err(error)) = self.store.try_update_value(|s| s.save_clock(&clock)) {
            self.notify(ShownNotice::NotSaved(error.to_string()));
        }
        self.tick();
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

    fn listen_to_other_tabs(&self) {
        let state = *self;
        let handle =
            window_event_listener(leptos::ev::storage, move |event: web_sys::StorageEvent| {
                let Some(key) = event.key() else { return };
                if key == handoff::CLOCK_KEY {
                    // The buyer's page of this browser moved the demo clock.
                    let offset_seconds = state
                        .store
                        .with_value(|s| s.handed_clock_offset())
                        .unwrap_or(0);
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
                // Views hear of it only when a record was read or removed.
                let notices = state
                    .book
                    .try_maybe_update(|b| {
                        let notices = state
                            .store
                            .try_update_value(|s| s.catch_up(b, &key, now))
                            .flatten();
                        (notices.is_some(), notices)
                    })
                    .flatten();
                for notice in notices.into_iter().flatten() {
                    state.notify(ShownNotice::Stored(notice));
                }
            });
        // The listener lives as long as the app.
        std::mem::forget(handle);
    }
}

/// User Timing: the browser's performance panel shows these steps, and the write-cost
/// test and `make bench` ("+7 days" at 10,000 pending requests) read them.
fn mark_start(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        performance.mark(&format!("{name} start")).ok();
    }
}

fn measure_since_start(name: &str) {
    measure_between(&format!("{name} start"), name);
}

fn measure_between(start_mark: &str, name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        performance.measure_with_start_mark(name, start_mark).ok();
    }
}

fn performance_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// The demo data, with link secrets of this browser's own.
fn fresh_demo(now: DateTime<Utc>) -> Book {
    let mut book = demo::demo_book(now);
    demo::draw_secrets(&mut book, &mut BrowserIds);
    book
}

/// The agreement list's own address, the one page drawn from part of a large book.
pub fn is_the_agreement_list(path: &str) -> bool {
    path.trim_end_matches('/') == "/seller"
}

/// Where this app is served from, for links people send to each other.
pub fn use_app() -> AppState {
    expect_context::<AppState>()
}
