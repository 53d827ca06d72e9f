//! The buyer's page, the whole of the link's bundle: what the seller asked, the time left,
//! and the decision, which becomes a receipt for the seller. It follows its address, so a
//! link put into the address bar of an open page is read afresh; the demo clock and the
//! workbench's results, from other tabs of this browser, as they change.
//!
//! The page is drawn with plain DOM calls: its state is one [`Page`], and each change
//! (a click, a second passing, another tab's write) updates just the elements it concerns.
//! One listener of each kind, on the page, finds the control an event concerns among those
//! drawn, so no listener is made per control and none outlives its element.

use std::cell::RefCell;
use std::rc::Rc;

use chrono::{DateTime, Duration, Utc};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, UnwrapThrowExt};
use web_sys::{Element, Event, HtmlTextAreaElement, StorageEvent};
use workbench_core::link::{self, LinkSecret, Opened};

use crate::case;
use crate::clock::{real_now, SimulatedClock};
use crate::clock_face::{ClockFace, Move};
use crate::decision::{DecisionForm, Mode};
use crate::dom::{document, el, listen};
use crate::handoff;
use crate::request::{self, Act, Drawn, Receipt, Shown};
use crate::share::{copy_text, origin};
use crate::timing::mark_once;
use crate::words::local_time;

/// Draws the page a confirmation link opens into the document's body.
pub fn start() {
    if let Some(body) = document().body() {
        mount(&body);
    }
}

/// Draws the page a confirmation link opens at the end of `host`, and keeps it up to date
/// for as long as the page lives.
pub fn mount(host: &Element) {
    document().set_title("Confirm cancellation · Cancellation workbench");
    let clock = SimulatedClock {
        offset_seconds: handoff::clock_offset().unwrap_or(0),
    };
    let main = el("main")
        .attr("id", "main")
        .class("buyer-page")
        .attr("tabindex", "-1")
        .done();
    let mut clock_buttons = Vec::new();
    let (demo_clock, face) = ClockFace::draw(&mut clock_buttons);
    for part in [
        el("a")
            .class("skip-link")
            .attr("href", "#main")
            .text("Skip to content")
            .done(),
        el("header")
            .class("site-header buyer-header")
            .child(el("p").class("brand").text("Cancellation workbench"))
            .done(),
        main.clone(),
        demo_clock,
    ] {
        host.append_with_node_1(&part).unwrap_throw();
    }
    let page = Rc::new(RefCell::new(Page {
        main,
        face,
        clock_buttons,
        clock,
        now: clock.now(real_now()),
        acts: Vec::new(),
        request: None,
    }));
    page.borrow_mut().follow_address();
    page.borrow().face.show(clock, page.borrow().now);
    listen_to(&page, host);
}

/// The page's listeners: its controls, its address, other tabs, and the clock's second.
fn listen_to(page: &Rc<RefCell<Page>>, host: &Element) {
    let on = |page: &Rc<RefCell<Page>>, f: fn(&mut Page, Event)| {
        let page = Rc::clone(page);
        move |event: Event| f(&mut page.borrow_mut(), event)
    };
    listen(host, "click", on(page, Page::clicked));
    listen(host, "submit", on(page, Page::submitted));
    listen(host, "input", on(page, Page::typed));
    let Some(window) = web_sys::window() else {
        return;
    };
    listen(&window, "popstate", on(page, |p, _| p.follow_address()));
    listen(&window, "hashchange", on(page, |p, _| p.follow_address()));
    listen(&window, "storage", on(page, Page::stored));
    let ticking = Rc::clone(page);
    let tick = Closure::<dyn FnMut()>::new(move || ticking.borrow_mut().tick());
    window
        .set_interval_with_callback_and_timeout_and_arguments_0(
            tick.as_ref().unchecked_ref(),
            1_000,
        )
        .unwrap_throw();
    // The tick runs as long as the page.
    tick.forget();
}

/// The page's state, and the elements that show it.
struct Page {
    main: Element,
    face: ClockFace,
    clock_buttons: Vec<(Element, Move)>,
    /// The page's time: real, or the demo clock shared with a workbench in this browser.
    clock: SimulatedClock,
    now: DateTime<Utc>,
    /// The request's controls drawn now, with what each asks for.
    acts: Vec<(Element, Act)>,
    /// The link's request, or none for a link that cannot be read.
    request: Option<Request>,
}

/// A genuine link's question (a request's, or a support case's), the buyer's answer to it,
/// and how it is drawn.
struct Request {
    opened: Opened,
    secret: LinkSecret,
    /// When a request approves itself, and that in the buyer's words, written once (the time
    /// left is written each second); none for a case, which waits for the buyer.
    deadline: Option<(DateTime<Utc>, String)>,
    form: DecisionForm,
    receipt: Option<Receipt>,
    /// What a workbench in this browser made of the answer.
    settled: Option<String>,
    drawn: Drawn,
}

impl Page {
    /// Reads the address, and draws what it holds.
    fn follow_address(&mut self) {
        let location = document().location();
        let part = |get: fn(&web_sys::Location) -> Result<String, wasm_bindgen::JsValue>| {
            location
                .as_ref()
                .and_then(|l| get(l).ok())
                .unwrap_or_default()
        };
        let opened = link::read_address(
            &part(web_sys::Location::pathname),
            &part(web_sys::Location::hash),
        );
        self.main.set_text_content(None);
        self.acts.clear();
        self.request = match opened {
            Ok((opened, secret)) => {
                let (drawn, deadline) = match &opened {
                    Opened::Request(payload) => {
                        let deadline = payload.auto_approval_at();
                        let words = local_time(deadline);
                        let drawn = request::draw_request(&self.main, payload, &words);
                        (drawn, Some((deadline, words)))
                    }
                    Opened::Case(payload) => (case::draw_case(&self.main, payload), None),
                };
                let settled = handoff::result_for(opened.subject().as_str());
                Some(Request {
                    opened,
                    secret,
                    deadline,
                    form: DecisionForm::default(),
                    receipt: None,
                    settled,
                    drawn,
                })
            }
            Err(_) => {
                request::draw_damaged(&self.main);
                None
            }
        };
        self.show();
    }

    /// Brings what the request's page shows up to date with the state and the time.
    fn show(&mut self) {
        let Some(request) = &mut self.request else {
            return;
        };
        let expired = request
            .deadline
            .as_ref()
            .is_some_and(|(deadline, _)| self.now >= *deadline);
        let shown = Shown {
            settled: request.settled.clone(),
            receipt: request.receipt.is_some(),
            deciding: (request.receipt.is_none() && request.settled.is_none() && !expired)
                .then(|| request.form.mode()),
        };
        let drawn = &mut request.drawn;
        drawn
            .next_step
            .toggle_attribute_with_force("hidden", shown.settled.is_some())
            .ok();
        let words = match &request.deadline {
            _ if shown.settled.is_some() => String::new(),
            Some((deadline, words)) => {
                request::next_step(shown.receipt, self.now, *deadline, words)
            }
            None => case::next_step(shown.receipt).to_string(),
        };
        crate::dom::set_text(&drawn.next_step, &words);
        if drawn.shown.as_ref() != Some(&shown) {
            request::draw_answer(
                drawn,
                &shown,
                &request.form,
                request.receipt.as_ref(),
                request.opened.agreement_id(),
                &mut self.acts,
            );
            self.acts.retain(|(element, _)| element.is_connected());
            if shown.deciding.is_some() {
                // The buyer can act from here on.
                mark_once("confirm-ready");
            }
        }
        if let Some(error) = &request.drawn.error {
            crate::dom::set_text(error, request.form.error().unwrap_or_default());
        }
    }

    fn tick(&mut self) {
        self.now = self.clock.now(real_now());
        self.face.show(self.clock, self.now);
        self.show();
    }

    fn set_clock(&mut self, clock: SimulatedClock) {
        self.clock = clock;
        self.tick();
    }

    /// Another tab (this page's or the workbench's) moved the demo clock, or a workbench
    /// here settled a request from the inbox.
    fn stored(&mut self, event: Event) {
        let Some(event) = event.dyn_ref::<StorageEvent>() else {
            return;
        };
        match event.key().as_deref() {
            Some(handoff::CLOCK_KEY) => self.set_clock(SimulatedClock {
                offset_seconds: handoff::clock_offset().unwrap_or(0),
            }),
            Some(handoff::RESULTS_KEY) => {
                if let Some(request) = &mut self.request {
                    request.settled = handoff::result_for(request.opened.subject().as_str());
                }
                self.show();
            }
            _ => {}
        }
    }

    /// The control drawn as `target`, if any, and what it asks for.
    fn act_at(&self, event: &Event) -> Option<Act> {
        let target = event.target()?;
        self.acts
            .iter()
            .find(|(element, _)| is(element, &target))
            .map(|(_, act)| *act)
    }

    fn clicked(&mut self, event: Event) {
        let step = event.target().and_then(|target| {
            self.clock_buttons
                .iter()
                .find(|(button, _)| is(button, &target))
        });
        if let Some((_, step)) = step {
            let clock = match *step {
                Move::Forward(seconds) => self.clock.advanced(Duration::seconds(seconds)),
                Move::RealTime => SimulatedClock::real_time(),
            };
            handoff::publish_clock_offset(clock.offset_seconds);
            return self.set_clock(clock);
        }
        match self.act_at(&event) {
            Some(Act::Show(mode)) => self.show_mode(mode),
            Some(Act::Send) => self.send(),
            Some(Act::Copy) => self.copy_receipt(),
            Some(Act::Submit | Act::Type) | None => {}
        }
    }

    fn submitted(&mut self, event: Event) {
        if self.act_at(&event) == Some(Act::Submit) {
            event.prevent_default();
            self.send();
        }
    }

    fn typed(&mut self, event: Event) {
        if self.act_at(&event) != Some(Act::Type) {
            return;
        }
        let typed = event
            .target()
            .and_then(|t| t.dyn_into::<HtmlTextAreaElement>().ok());
        if let (Some(field), Some(request)) = (typed, &mut self.request) {
            request.form.type_reason(field.value());
        }
    }

    fn show_mode(&mut self, mode: Mode) {
        if let Some(request) = &mut self.request {
            request.form.show(mode);
        }
        self.show();
    }

    /// Seals the answer shown into a receipt for the seller. In a browser that also runs
    /// the workbench it is handed over at once, and the page says what the workbench made
    /// of it.
    fn send(&mut self) {
        let Some(request) = &mut self.request else {
            return;
        };
        let Some(answer) = request.form.decision() else {
            return;
        };
        let made = link::make_receipt(
            &request.opened.subject(),
            &answer,
            self.now,
            &request.secret,
        );
        request.form.settle(made.as_ref().map(|_| ()));
        if let Ok(code) = made {
            if handoff::workbench_here() {
                handoff::hand_receipt(&code);
            }
            let url = [&*origin(), "/receipt#", &code].concat();
            request.receipt = Some(Receipt {
                url,
                code,
                decision: answer,
            });
        }
        self.show();
    }

    fn copy_receipt(&self) {
        let Some(request) = &self.request else {
            return;
        };
        let (Some(receipt), Some(copied)) = (&request.receipt, &request.drawn.copied) else {
            return;
        };
        let copied = copied.clone();
        copy_text(&receipt.url, "receipt-link", "link", move |words| {
            crate::dom::set_text(&copied, &words);
        });
    }
}

/// Whether an event's target is `element`.
fn is(element: &Element, target: &web_sys::EventTarget) -> bool {
    let element: &wasm_bindgen::JsValue = element.as_ref();
    element == AsRef::<wasm_bindgen::JsValue>::as_ref(target)
}
