//! The app shell: routes, the header with navigation, and the `<main>` landmark.

use leptos::prelude::*;
use leptos_meta::provide_meta_context;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::apply_receipt::HandedReceipts;
use crate::components::notices::StorageNotices;
use crate::components::site_header::SiteHeader;
use crate::pages::{
    agreement::AgreementPage, buyer::BuyerPage, home::HomePage, not_found::NotFoundPage,
    receipt::ReceiptPage, seller::SellerPage,
};
use crate::state::AppState;

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(AppState::start());
    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <SiteHeader/>
            <main id="main" tabindex="-1">
                <StorageNotices/>
                <HandedReceipts/>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/seller") view=SellerPage/>
                    <Route path=path!("/seller/agreements/:id") view=AgreementPage/>
                    <Route path=path!("/buyer") view=BuyerPage/>
                    <Route path=path!("/receipt") view=ReceiptPage/>
                </Routes>
            </main>
        </Router>
    }
}
