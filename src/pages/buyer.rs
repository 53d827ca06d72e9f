//! /buyer: a buyer's agreements in every family and the requests waiting for their answer.

use leptos::prelude::*;
use workbench_core::book::{
    AcceptCancellation, Actor, AgreementRecord, Directory, Page, RejectCancellation,
};
use workbench_core::families::alibaba::{AlibabaOrder, OrderStatus};
use workbench_core::families::devpay::{DevPayStatus, DevPaySubscription};
use workbench_core::families::fps::FpsSubscription;
use workbench_core::ids::{AccountId, AgreementId, RequestId};
use workbench_core::link::Decision;
use workbench_link::words::{duration_words, local_date, local_time};

use crate::components::approve_or_reject::ApproveOrReject;
use crate::components::ask_the_seller::{AskTheSellerCell, AskTheSellerPanel};
use crate::components::ask_the_seller_state::AskForm;
use crate::components::aws_cli::AwsCliCommand;
use crate::components::page_title::PageTitle;
use crate::components::pager::Pager;
use crate::components::self_cancel::{SelfCancel, SelfCancelCell, SelfCancelPanel};
use crate::error::AppError;
use crate::state::use_app;

/// The buyer's own view: their agreements in every family, and the cancellations waiting
/// for their answer.
#[component]
pub fn BuyerPage() -> impl IntoView {
    let app = use_app();
    let buyers = move || app.book.with(|b| b.directory().buyers.clone());
    let buyer = RwSignal::new(
        app.book
            .with_untracked(|b| b.directory().buyers.first().map(|p| p.account.clone())),
    );
    view! {
        <PageTitle text="Buyer view"/>
        <h1>"Buyer view"</h1>
        <div class="field inline">
            <label for="acting-buyer">"Signed in as buyer"</label>
            <select
                id="acting-buyer"
                prop:value=move || buyer.get().map(|a| a.to_string()).unwrap_or_default()
                on:change=move |ev| buyer.set(AccountId::parse(&event_target_value(&ev)).ok())
            >
                {move || buyers().into_iter().map(|p| {
                    let value = p.account.to_string();
                    view! { <option value=value>{format!("{} ({})", p.name, p.account)}</option> }
                }).collect_view()}
            </select>
        </div>
        {move || buyer.get().map(|account| view! {
            <PendingRequests account=account.clone()/>
            <crate::components::case_approvals::CaseApprovals account=account.clone()/>
            <BuyerAgreements account=account.clone()/>
            <crate::components::buyer_adjustments::AdjustmentsFromSellers account=account.clone()/>
            <crate::components::support_refunds::RefundsFromAws account=account.clone()/>
            <crate::components::family_actions::FamilyActions account=account.clone()/>
            <crate::components::received_events::ReceivedEvents account=account/>
        })}
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Waiting {
    agreement: workbench_core::ids::AgreementId,
    request: workbench_core::ids::RequestId,
    seller: String,
    product: String,
    reason_code: &'static str,
    reason: String,
    deadline: chrono::DateTime<chrono::Utc>,
    /// Made in AWS, so that AWS knows it by its ID and can be told the buyer's answer.
    from_aws: bool,
}

/// The cancellations waiting for this buyer's answer, soonest deadline first, a page at a
/// time: a buyer with thousands of agreements draws (and counts down) one page of them.
#[component]
fn PendingRequests(account: AccountId) -> impl IntoView {
    let app = use_app();
    let buyer = account.clone();
    let page = RwSignal::new(0usize);
    let waiting = Memo::new(move |_| {
        app.book.with(|b| {
            let mut all: Vec<_> = b
                .records()
                .of_buyer(&account)
                .iter()
                .filter_map(|id| {
                    let r = b.record(id)?;
                    Some((r.pending_request()?.deadline(), r))
                })
                .collect();
            all.sort_by(|x, y| (x.0, &x.1.agreement.id).cmp(&(y.0, &y.1.agreement.id)));
            Page::of(all, page.get()).map(|(deadline, r)| {
                let p = r.pending_request().expect("kept for its pending request");
                Waiting {
                    agreement: r.agreement.id.clone(),
                    request: p.id.clone(),
                    seller: b
                        .directory()
                        .seller(&r.agreement.seller)
                        .map_or(r.agreement.seller.to_string(), |s| s.name.clone()),
                    product: b
                        .directory()
                        .product(&r.agreement.product)
                        .map_or(r.agreement.product.to_string(), |p| p.name.clone()),
                    reason_code: p.reason_code.label(),
                    reason: p.description.clone(),
                    deadline,
                    from_aws: r.from_aws.request(&p.id),
                }
            })
        })
    });
    view! {
        <section aria-labelledby="waiting-heading">
            <h2 id="waiting-heading">{move || match waiting.with(|w| w.total) {
                0 => "No cancellation requests are waiting for you".to_string(),
                1 => "1 cancellation request is waiting for your answer".to_string(),
                n => format!("{n} cancellation requests are waiting for your answer"),
            }}</h2>
            <For each=move || waiting.get().items key=|w| w.clone() let:w>
                <article class="panel buyer-page" aria-label=format!("Request for agreement {}", w.agreement)>
                    <h3>{format!("{} asks to cancel {}", w.seller, w.product)}</h3>
                    <p class="deadline">
                        "Approved automatically on "{local_time(w.deadline)}" (in "{move || duration_words(w.deadline - app.now.get())}") unless you answer."
                    </p>
                    <ApproveOrReject agreement=w.agreement.clone() decide=act_as_buyer(w.agreement.clone(), w.request.clone(), buyer.clone())/>
                    {w.from_aws.then(|| view! { <AnswerInAws agreement=w.agreement.clone() request=w.request.clone()/> })}
                    <dl class="terms">
                        <dt>"Reason"</dt><dd class="user-text">{w.reason.clone()}</dd>
                        <dt>"Reason code"</dt><dd>{w.reason_code}</dd>
                        <dt>"Agreement"</dt><dd>{w.agreement.to_string()}</dd>
                    </dl>
                </article>
            </For>
            <Show when=move || waiting.with(|w| w.pages > 1)>
                <Pager label="Pages of requests waiting for you" page=page shown=Signal::derive(move || waiting.with(Page::at))/>
            </Show>
        </section>
    }
}

/// For a request AWS knows by its ID (imported from AWS): the AWS CLI commands that approve
/// it, and that reject it with the reason typed here, to run instead of answering here.
#[component]
fn AnswerInAws(agreement: AgreementId, request: RequestId) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let accept = AcceptCancellation {
        agreement_id: agreement.clone(),
        request_id: request.clone(),
    };
    let reason_id = format!("aws-reject-reason-{request}");
    let (accept_id, reject_id) = (
        format!("accept-cli-{request}"),
        format!("reject-cli-{request}"),
    );
    let reject = Signal::derive(move || {
        let reject = RejectCancellation {
            agreement_id: agreement.clone(),
            request_id: request.clone(),
            reason: reason.get(),
        };
        Some(reject.into())
    });
    view! {
        <details class="aws-cli">
            <summary>"Answer it in AWS instead"</summary>
            <AwsCliCommand id=accept_id command=Signal::stored(Some(accept.into()))/>
            <div class="field">
                <label for=reason_id.clone()>"Reason, to reject it in AWS"</label>
                <textarea id=reason_id rows="2" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
            </div>
            <AwsCliCommand id=reject_id command=reject/>
        </details>
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Line {
    family: &'static str,
    id: String,
    product: String,
    status: String,
    since: String,
    pending: Option<chrono::DateTime<chrono::Utc>>,
    /// An AWS Marketplace agreement, which its buyer may be able to cancel themselves and
    /// can ask its seller about.
    marketplace: Option<AgreementId>,
    /// How a buyer ends a record of another family.
    own_way: &'static str,
}

/// A record of any family the buyer holds, before it becomes a line of the table.
enum Held<'b> {
    Aws(&'b AgreementRecord),
    Fps(&'b FpsSubscription),
    DevPay(&'b DevPaySubscription),
    Alibaba(&'b AlibabaOrder),
}

impl Held<'_> {
    fn line(self, directory: &Directory) -> Line {
        match self {
            Held::Aws(r) => Line {
                family: if r.from_aws.agreement {
                    "AWS Marketplace (From AWS)"
                } else {
                    "AWS Marketplace"
                },
                id: r.agreement.id.to_string(),
                product: directory
                    .product(&r.agreement.product)
                    .map_or(r.agreement.product.to_string(), |p| p.name.clone()),
                status: r.agreement.status_label().into(),
                since: local_date(r.agreement.start),
                pending: r.pending_request().map(|p| p.deadline()),
                marketplace: Some(r.agreement.id.clone()),
                own_way: "",
            },
            Held::Fps(s) => Line {
                family: "Amazon FPS",
                id: s.id.to_string(),
                product: s.product_name.clone(),
                status: s.status.label().into(),
                since: local_date(s.last_payment_at),
                pending: None,
                marketplace: None,
                own_way: "Only the seller cancels an Amazon FPS subscription.",
            },
            Held::DevPay(s) => Line {
                family: "Amazon DevPay",
                id: s.id.to_string(),
                product: s.product_name.clone(),
                status: if s.status == DevPayStatus::Active {
                    "Active"
                } else {
                    "Cancelled"
                }
                .into(),
                since: local_date(s.period_start),
                pending: None,
                marketplace: None,
                own_way: "Below: \"View/Cancel Application\".",
            },
            Held::Alibaba(o) => Line {
                family: "Alibaba Cloud",
                id: o.id.to_string(),
                product: o.product_name.clone(),
                status: if o.status == OrderStatus::Active {
                    "Active"
                } else {
                    "Unsubscribed"
                }
                .into(),
                since: local_date(o.paid_at),
                pending: None,
                marketplace: None,
                own_way: "Below: \"Unsubscribe\".",
            },
        }
    }
}

/// Every agreement the buyer holds, in every family, a page at a time.
#[component]
fn BuyerAgreements(account: AccountId) -> impl IntoView {
    let app = use_app();
    let page = RwSignal::new(0usize);
    let self_cancel = RwSignal::new(SelfCancel::default());
    let ask = RwSignal::new(AskForm::default());
    let buyer = account.clone();
    let lines = Memo::new(move |_| {
        app.book.with(|b| {
            let mut held: Vec<Held> = b
                .records()
                .of_buyer(&account)
                .iter()
                .filter_map(|id| b.record(id).map(Held::Aws))
                .collect();
            let of_buyer = |buyer: &AccountId| buyer == &account;
            held.extend(
                b.fps()
                    .values()
                    .filter(|v| of_buyer(&v.record.buyer))
                    .map(|v| Held::Fps(&v.record)),
            );
            held.extend(
                b.devpay()
                    .values()
                    .filter(|v| of_buyer(&v.record.buyer))
                    .map(|v| Held::DevPay(&v.record)),
            );
            held.extend(
                b.alibaba()
                    .values()
                    .filter(|v| of_buyer(&v.record.buyer))
                    .map(|v| Held::Alibaba(&v.record)),
            );
            Page::of(held, page.get()).map(|h| h.line(b.directory()))
        })
    });
    view! {
        <section aria-labelledby="buyer-agreements">
            <h2 id="buyer-agreements">{move || format!("Your agreements ({})", lines.with(|l| l.total))}</h2>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Your agreements table">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Family"</th>
                            <th scope="col">"Agreement"</th>
                            <th scope="col">"Product"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Since"</th>
                            <th scope="col">"Cancellation request"</th>
                            <th scope="col">"Cancel it yourself"</th>
                            <th scope="col">"Ask the seller"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || lines.get().items key=|l| l.clone() let:line>
                            <tr>
                                <td>{line.family}</td>
                                <td>{line.id.clone()}</td>
                                <td>{line.product.clone()}</td>
                                <td>{line.status.clone()}</td>
                                <td>{line.since.clone()}</td>
                                <td>{move || line.pending.map(|d| format!("Waiting for your answer: approved automatically in {}", duration_words(d - app.now.get()))).unwrap_or_else(|| "None".into())}</td>
                                <td>{line.marketplace.clone().map_or_else(
                                    || view! { <span class="hint">{line.own_way}</span> }.into_any(),
                                    |id| view! { <SelfCancelCell agreement=id state=self_cancel/> }.into_any(),
                                )}</td>
                                <td>{line.marketplace.clone().map(|id| view! { <AskTheSellerCell agreement=id state=ask/> })}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
            </div>
            <Show when=move || lines.with(|l| l.pages > 1)>
                <Pager label="Pages of your agreements" page=page shown=Signal::derive(move || lines.with(Page::at))/>
            </Show>
            <SelfCancelPanel account=buyer.clone() state=self_cancel/>
            <AskTheSellerPanel account=buyer state=ask/>
        </section>
    }
}

/// The buyer's answer applied in this browser, as the buyer: refused by the rules, or
/// decided but not saved, it says so in an [`AppError`].
fn act_as_buyer(
    agreement_id: AgreementId,
    request_id: RequestId,
    buyer: AccountId,
) -> Callback<Decision, Result<(), AppError>> {
    let app = use_app();
    Callback::new(move |answer: Decision| {
        let (agreement_id, request_id) = (agreement_id.clone(), request_id.clone());
        let buyer = Actor::Buyer(buyer.clone());
        match answer {
            Decision::Approve => {
                let accept = AcceptCancellation {
                    agreement_id,
                    request_id,
                };
                app.act(accept, &buyer)
            }
            Decision::Reject(reason) => {
                let reject = RejectCancellation {
                    agreement_id,
                    request_id,
                    reason,
                };
                app.act(reject, &buyer)
            }
        }
    })
}
