//! The app shell: routes, the header, the `<main>` landmark, and on the buyer's pages the
//! demo clock below them.

use leptos::prelude::*;
use leptos_meta::provide_meta_context;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{lazy_route, path, Lazy, LazyRoute};

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
                        <Route path=path!("fps") view={Lazy::<FpsRoute>::new()}/>
                        <Route path=path!("support") view={Lazy::<SupportRoute>::new()}/>
                        <Route path=path!("events") view={Lazy::<EventLogRoute>::new()}/>
                        <Route path=path!("data") view={Lazy::<DataRoute>::new()}/>
                        <Route path=path!("reports") view={Lazy::<ReportsRoute>::new()}/>
                        <Route path=path!("agreements/:id") view=AgreementPage/>
                        <Route path=path!("from-buyer") view={Lazy::<FromBuyerRoute>::new()}/>
                    </ParentRoute>
                    <Route path=path!("/buyer") view={Lazy::<BuyerRoute>::new()}/>
                    <Route path=path!("/receipt") view={Lazy::<ReceiptRoute>::new()}/>
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

/// A page the console's first download leaves out: a wasm module of its own, cut from the
/// build at this route (scripts/split.sh) and fetched on the page's first visit. The pages
/// a seller works in every day (the agreement list, the work queue, an agreement) stay in
/// the first download; those opened now and then, and the buyer's view, wait to be asked for.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    };
}

lazy_page!(FpsRoute, FpsPage);
lazy_page!(SupportRoute, SupportPage);
lazy_page!(EventLogRoute, EventLogPage);
lazy_page!(DataRoute, DataPage);
lazy_page!(ReportsRoute, ReportsPage);
lazy_page!(FromBuyerRoute, FromBuyerPage);
lazy_page!(BuyerRoute, BuyerPage);
lazy_page!(ReceiptRoute, ReceiptPage);
