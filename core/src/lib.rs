//! The domain core of the cancellation workbench.
//!
//! Every rule of the product spec lives here and nowhere else. The crate never reads the
//! clock and never draws random numbers: `now` and new identifiers are arguments, so
//! every deadline and every event can be tested to the second.
//!
//! The shell calls [`book::Book`]: `apply(command, actor, now, ids)` for what a person does,
//! in any billing family, `advance_to(now, ids)` when its clock moves (cheap when nothing is
//! due: `book.next_due()` says when something will be, a deadline or a support case AWS
//! reads). Both return an [`book::Outcome`]: the bus events in time order, and the keys of
//! the records to write ([`key::RecordKey`]), each record with a version bumped on every
//! change for compare-and-set. The other modules hold the rules `Book` applies
//! (`cancellation`, `adjustment`), the shapes it speaks in (`agreement`, `ids`, `money`,
//! `events`, `api`), and what the UI shows before and around a decision (`preview`,
//! `case`), plus `demo` data from a seed and a moment. `aws` is the bridge to the real API:
//! the AWS CLI's output imported (previewed, then applied as one command), and actions
//! written out as AWS CLI commands and EventBridge rules.

pub mod adjustment;
pub mod agreement;
pub mod api;
pub mod aws;
pub mod book;
pub mod cancellation;
pub mod case;
pub mod case_link;
mod coded;
pub mod confirmation;
pub mod demo;
pub mod events;
pub mod evidence;
pub mod families;
pub mod ids;
pub mod key;
pub mod link;
pub mod money;
pub mod preview;
pub mod report;
mod secret;
