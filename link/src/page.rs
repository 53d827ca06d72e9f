//! The buyer's page, the whole of the link's bundle: what the seller asked, the time left,
//! and the decision, which becomes a receipt for the seller. It follows its address, so a
//! link put into the address bar of an open page is read afresh.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use workbench_core::link::{self, Decision, LinkPayload, LinkSecret};

use crate::clock::{real_now, SimulatedClock};
use crate::clock_face::ClockFace;
use crate::decision::ApproveOrReject;
use crate::handoff;
use crate::share::{origin, LinkToSend};
use crate::timing::mark_once;
use crate::words::{duration_words, local_time};

/// The page's time: real, or the demo clock shared with a workbench in this browser.
#[derive(Clone, Copy)]
struct LinkClock {
    clock: RwSignal<SimulatedClock>,
    now: RwSignal<DateTime<Utc>>,
}

impl LinkClock {
    fn start() -> LinkClock {
        let clock = SimulatedClock {
            offset_seconds: handoff::clock_offset().unwrap_or(0),
        };
        let link_clock = LinkClock {
            clock: RwSignal::new(clock),
            now: RwSignal::new(clock.now(real_now())),
        };
        set_interval(move || link_clock.tick(), std::time::Duration::from_secs(1));
        link_clock
    }

    fn tick(&self) {
        self.now.set(self.clock.get_untracked().now(real_now()));
    }

    fn set(&self, clock: SimulatedClock) {
        self.clock.set(clock);
        handoff::publish_clock_offset(clock.offset_seconds);
        self.tick();
    }

    /// Another tab (this page's or the workbench's) moved the demo clock.
    fn follow(&self) {
        self.clock.set(SimulatedClock {
            offset_seconds: handoff::clock_offset().unwrap_or(0),
        });
        self.tick();
    }
}

/// Where the page is: the path and the fragment, kept in step with the address bar.
#[derive(Clone, Copy)]
struct Address(RwSignal<(String, String)>);

impl Address {
    fn read() -> (String, String) {
        let location = web_sys::window().map(|w| w.location());
        let part = |get: fn(&web_sys::Location) -> Result<String, wasm_bindgen::JsValue>| {
            location
                .as_ref()
                .and_then(|l| get(l).ok())
                .unwrap_or_default()
        };
        (
            part(web_sys::Location::pathname),
            part(web_sys::Location::hash),
        )
    }
}

/// The whole page a confirmation link opens.
#[component]
pub fn LinkApp() -> impl IntoView {
    let clock = LinkClock::start();
    let address = Address(RwSignal::new(Address::read()));
    let results = Trigger::new();
    let follow_address = move || address.0.set(Address::read());
    // Handles live as long as the page.
    std::mem::forget(window_event_listener(leptos::ev::popstate, move |_| {
        follow_address()
    }));
    std::mem::forget(window_event_listener(leptos::ev::hashchange, move |_| {
        follow_address()
    }));
    std::mem::forget(window_event_listener(
        leptos::ev::storage,
        move |event: web_sys::StorageEvent| match event.key().as_deref() {
            Some(handoff::CLOCK_KEY) => clock.follow(),
            Some(handoff::RESULTS_KEY) => results.notify(),
            _ => {}
        },
    ));
    provide_context(clock);
    provide_context(Results(results));
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title("Confirm cancellation · Cancellation workbench");
    }
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header buyer-header">
            <p class="brand">"Cancellation workbench"</p>
        </header>
        <main id="main" class="buyer-page" tabindex="-1">
            {move || {
                let (path, hash) = address.0.get();
                let token = path.strip_prefix("/confirm/").unwrap_or_default().to_string();
                let fragment = hash.trim_start_matches('#').to_string();
                match (link::decode(&token, &fragment), LinkSecret::from_fragment(&fragment)) {
                    (Ok(payload), Ok(secret)) => view! { <RequestFromLink payload=payload secret=secret/> }.into_any(),
                    _ => view! { <DamagedLink/> }.into_any(),
                }
            }}
        </main>
        <DemoClock/>
    }
}

/// Fires on each write of the workbench's results, so a page waiting for one looks again.
#[derive(Clone, Copy)]
struct Results(Trigger);

/// What the seller asked, in words, with the time left before it approves itself.
#[component]
fn RequestFromLink(payload: LinkPayload, secret: LinkSecret) -> impl IntoView {
    let clock = expect_context::<LinkClock>();
    let Results(results) = expect_context::<Results>();
    let deadline = payload.auto_approval_at();
    let details = payload.details_for_buyer.clone();
    let request_id = payload.request_id.to_string();
    let settled_here = Memo::new(move |_| {
        results.track();
        handoff::result_for(&request_id)
    });
    let receipt = RwSignal::new(None::<ReceiptMade>);
    let days = workbench_core::cancellation::AUTO_APPROVAL_AFTER.num_days();
    // Once the buyer has answered, the time left no longer decides the request alone: the
    // receipt does, if it reaches the seller in time. Once a workbench here has applied it,
    // what it made of the answer is the page's only news.
    let next_step = move || {
        if settled_here.with(Option::is_some) {
            return String::new();
        }
        let now = clock.now.get();
        match (receipt.with(Option::is_some), now >= deadline) {
            (false, true) => format!("The {days} days ran out on {}: the request was approved automatically and the agreement is cancelled. There is nothing left to decide.", local_time(deadline)),
            (false, false) => format!("Without an answer, this request is approved automatically in {} ({}).", duration_words(deadline - now), local_time(deadline)),
            (true, false) => format!("Your decision counts once the seller opens your receipt. If it has not reached them by {}, the request is approved automatically then.", local_time(deadline)),
            (true, true) => format!("The {days} days ran out on {}. If your receipt reached the seller before then, your decision stands; if not, the request was approved automatically.", local_time(deadline)),
        }
    };
    let answer = view! { <Answering payload=payload.clone() secret=secret receipt=receipt settled_here=settled_here/> };
    // On a phone the question, the time left and the answer come first; the particulars
    // of the request follow.
    view! {
        <h1>{format!("{} asks to cancel {}", payload.seller_name, payload.product_name)}</h1>
        <p class="next-step" role="status" hidden=move || settled_here.with(Option::is_some)>{next_step}</p>
        {answer}
        <h2>"The request"</h2>
        <dl class="terms">
            <dt>"Reason"</dt><dd class="user-text">{payload.reason.clone()}</dd>
            <dt>"Reason code"</dt><dd>{payload.reason_code.label()}</dd>
            {(!details.trim().is_empty()).then(|| view! { <dt>"Details from the seller"</dt><dd class="user-text">{details.clone()}</dd> })}
            <dt>"Agreement"</dt><dd>{payload.agreement_id.to_string()}</dd>
            <dt>"Cancellation request"</dt><dd>{payload.request_id.to_string()}</dd>
            <dt>"Your AWS account"</dt><dd>{payload.buyer_account.to_string()}</dd>
            <dt>"Sent"</dt><dd>{local_time(payload.created_at)}</dd>
            <dt>"Approved automatically"</dt><dd>{local_time(deadline)}</dd>
        </dl>
    }
}

/// A decision sealed for the seller: the receipt link, its code, and what it says.
type ReceiptMade = (String, String, Decision);

/// The buyer's decision, sealed into a receipt for the seller. In a browser that also runs
/// the workbench it is handed over at once, and the page says what the workbench made of it.
#[component]
fn Answering(
    payload: LinkPayload,
    secret: LinkSecret,
    receipt: RwSignal<Option<ReceiptMade>>,
    settled_here: Memo<Option<String>>,
) -> impl IntoView {
    let clock = expect_context::<LinkClock>();
    let deadline = payload.auto_approval_at();
    let expired = Memo::new(move |_| clock.now.get() >= deadline);
    let payload = StoredValue::new(payload);
    let secret = StoredValue::new(secret);
    let decide = Callback::new(move |answer: Decision| -> Result<(), link::ReceiptError> {
        let code = payload.with_value(|p| {
            secret.with_value(|s| {
                link::make_receipt(&p.request_id, &answer, clock.now.get_untracked(), s)
            })
        })?;
        if handoff::workbench_here() {
            handoff::hand_receipt(&code);
        }
        receipt.set(Some((format!("{}/receipt#{code}", origin()), code, answer)));
        Ok(())
    });
    move || {
        let settled = settled_here.get().map(|words| {
            view! { <p role="status" class="next-step">{words}</p> }
        });
        if let Some((url, code, answer)) = receipt.get() {
            return view! { {settled} <ReceiptToSend url=url code=code answer=answer/> }.into_any();
        }
        if settled.is_some() {
            return settled.into_any();
        }
        if expired.get() {
            return ().into_any();
        }
        // The buyer can act once this is drawn; effects run after the drawing.
        Effect::new(|_| mark_once("confirm-ready"));
        view! {
            <section aria-labelledby="decide-heading">
                <h2 id="decide-heading">"Your decision"</h2>
                <ApproveOrReject agreement=payload.with_value(|p| p.agreement_id.clone()) decide=decide/>
            </section>
        }
        .into_any()
    }
}

/// The receipt a buyer sends back to the seller.
#[component]
fn ReceiptToSend(url: String, code: String, answer: Decision) -> impl IntoView {
    let decided = match answer {
        Decision::Approve => "You approved the cancellation.".to_string(),
        Decision::Reject(reason) => {
            format!("You rejected the cancellation: \u{201c}{reason}\u{201d}")
        }
    };
    view! {
        <section aria-labelledby="receipt-heading">
            <h2 id="receipt-heading">"Send your decision to the seller"</h2>
            <p class="next-step user-text" role="status">{decided}</p>
            <p>"Your decision is sealed in this receipt. Send the link (or the code) to the seller: their workbench applies it when they open it. Nothing is sent anywhere until you do."</p>
            <LinkToSend url=url id="receipt-link" label="Receipt link" openable=false/>
            <div class="field">
                <label for="receipt-code-to-send">"Receipt code"</label>
                <textarea id="receipt-code-to-send" readonly rows="2" class="link-text" prop:value=code></textarea>
            </div>
        </section>
    }
}

/// Shown when a confirmation link cannot be read: no decision can be taken from it.
#[component]
fn DamagedLink() -> impl IntoView {
    view! {
        <h1>"This link is damaged or altered"</h1>
        <p>
            "The confirmation link could not be read: part of it is missing or was changed. \
             No decision can be made from it."
        </p>
        <p>"Ask the seller to send the link again, and open it exactly as you received it."</p>
    }
}

/// The demo's simulated clock, out of the buyer's way: moving it shows a deadline pass.
#[component]
fn DemoClock() -> impl IntoView {
    let clock = expect_context::<LinkClock>();
    view! {
        <details class="demo-clock">
            <summary>"Demo clock"</summary>
            <ClockFace clock=clock.clock.into() now=clock.now.into() set=Callback::new(move |c| clock.set(c))/>
        </details>
    }
}
