//! The app shell: routes, the header, the `<main>` landmark, and on the buyer's pages the
//! demo clock below them.

use leptos::prelude::*;
use leptos_meta::provide_meta_context;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

use crate::components::apply_receipt::HandedReceipts;
use crate::components::clock_control::BuyersDemoClock;
use crate::components::notices::StorageNotices;
use crate::components::site_header::SiteHeader;
use crate::pages::attention::NeedsAttentionPage;
use crate::pages::console::SellerConsole;
use crate::pages::sections::{DataPage, EventLogPage, FpsPage, SupportPage};
use crate::pages::{
    agreement::AgreementPage, buyer::BuyerPage, from_buyer::FromBuyerPage, home::HomePage,
    not_found::NotFoundPage, receipt::ReceiptPage, reports::ReportsPage, seller::AgreementsPage,
};
use crate::state::{is_the_agreement_list, use_app, AppState};
use crate::work_queue::WorkQueue;

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let app = AppState::start();
    provide_context(app);
    provide_context(WorkQueue::new(app));
    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <WholeBookOffTheList/>
            <SiteHeader/>
            <main id="main" tabindex="-1">
                <StorageNotices/>
                <HandedReceipts/>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage/>
                    <ParentRoute path=path!("/seller") view=SellerConsole>
                        <Route path=path!("") view=AgreementsPage/>
                        <Route path=path!("attention") view=NeedsAttentionPage/>
                        <Route path=path!("fps") view=FpsPage/>
                        <Route path=path!("support") view=SupportPage/>
                        <Route path=path!("events") view=EventLogPage/>
                        <Route path=path!("data") view=DataPage/>
                        <Route path=path!("reports") view=ReportsPage/>
                        <Route path=path!("agreements/:id") view=AgreementPage/>
                        <Route path=path!("from-buyer") view=FromBuyerPage/>
                    </ParentRoute>
                    <Route path=path!("/buyer") view=BuyerPage/>
                    <Route path=path!("/receipt") view=ReceiptPage/>
                </Routes>
            </main>
            <BuyersDemoClock/>
        </Router>
    }
}

/// Only the agreement list is drawn from part of a large book: leaving it for any other
/// page reads the rest first.
#[component]
fn WholeBookOffTheList() -> impl IntoView {
    let app = use_app();
    let location = use_location();
    Effect::new(move |_| {
        if !is_the_agreement_list(&location.pathname.get()) {
            app.finish_reading();
        }
    });
}
