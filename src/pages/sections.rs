//! The console's sections that gather components of their own: the older billing families,
//! support cases, the event log, and the seller's data.

use leptos::prelude::*;

use crate::components::aws_import::ImportFromAws;
use crate::components::devpay_customers::DevPayCustomers;
use crate::components::event_log::EventLog;
use crate::components::evidence::EvidencePacks;
use crate::components::fps_actions::FpsSubscriptions;
use crate::components::page_title::PageTitle;
use crate::components::reset_demo::ResetDemo;
use crate::components::support_cases::SupportCases;
use crate::components::your_data::YourData;

/// /seller/fps: the subscriptions the seller bills through Amazon FPS, and DevPay's
/// customers, whom the seller watches but cannot cancel for.
#[component]
pub fn FpsPage() -> impl IntoView {
    view! {
        <PageTitle text="FPS subscriptions"/>
        <h1>"FPS subscriptions"</h1>
        <p class="lede">"The older billing families: Amazon FPS subscriptions, which you cancel and refund at once, and your DevPay customers, who cancel on their own."</p>
        <FpsSubscriptions/>
        <DevPayCustomers/>
    }
}

/// /seller/support: the refunds asked for through AWS Support, and what AWS answered.
#[component]
pub fn SupportPage() -> impl IntoView {
    view! {
        <PageTitle text="Support cases"/>
        <h1>"Support cases"</h1>
        <p class="lede">"Refunds and cancellations you asked AWS for through a support case, and what AWS answered. A case in Action Required waits for your reply."</p>
        <SupportCases/>
    }
}

/// /seller/events: what both event buses received.
#[component]
pub fn EventLogPage() -> impl IntoView {
    view! {
        <PageTitle text="Event log"/>
        <h1>"Event log"</h1>
        <p class="lede">"Every event the seller's and the buyer's buses received, newest first, as EventBridge delivers them."</p>
        <EventLog/>
    }
}

/// /seller/data: the import from AWS, evidence packs, export and import, and the demo data.
#[component]
pub fn DataPage() -> impl IntoView {
    view! {
        <PageTitle text="Data"/>
        <h1>"Data"</h1>
        <p class="lede">"Your own agreements from AWS, evidence packs for a case, everything this browser holds as one file, and the demo data."</p>
        <ImportFromAws/>
        <EvidencePacks/>
        <YourData/>
        <ResetDemo/>
    }
}
