//! Reading the book: the seller's search, pages of agreements, a request by its ID, and the
//! event log of each side.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::command::DomainError;
use super::directory::Directory;
use super::record::AgreementRecord;
use super::records::NONE;
use super::Book;
use crate::adjustment::{AdjustmentReasonCode, AdjustmentStatus, RefundDestination};
use crate::agreement::{Agreement, AgreementStatus};
use crate::cancellation::CancellationRequest;
use crate::events::{BusEvent, Side};
use crate::ids::{AccountId, AdjustmentId, AgreementId, InvoiceId, ProductId, RequestId};
use crate::money::Money;

/// The most items a page of results holds, as the API's `maxResults` allows.
pub const PAGE_MAX: usize = 50;

/// A billing adjustment of one of the buyer's agreements, as the buyer sees it: it needs
/// no approval of theirs, so the buyer is told what it gives back, why, and where and
/// when the money goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyerAdjustment {
    pub agreement: AgreementId,
    pub id: AdjustmentId,
    pub invoice: InvoiceId,
    pub amount: Money,
    pub reason_code: AdjustmentReasonCode,
    pub reason: String,
    pub status: AdjustmentStatus,
    /// Why billing refused it, when it did.
    pub status_message: String,
    pub destination: RefundDestination,
    /// When the money arrives, where source 001 says.
    pub timing: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Book {
    /// Whether the agreement's offer is public, as the directory knows it; `None` for an
    /// offer it does not hold (an agreement imported from AWS: neither its description nor
    /// its terms say).
    pub fn offer_public(&self, agreement: &Agreement) -> Option<bool> {
        self.directory.offer(&agreement.offer).map(|o| !o.private)
    }

    /// Whether the buyer may cancel the agreement themselves at `now`, and if not, why:
    /// where this is `Ok`, [`CancelAgreementAsBuyer`](super::CancelAgreementAsBuyer) by its
    /// buyer succeeds. A seller's request waiting for the buyer's answer comes first: its
    /// approval ends the agreement the same way, and AWS says nothing of what a
    /// cancellation by the buyer would do to it.
    pub fn buyer_may_cancel(
        &self,
        id: &AgreementId,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        let record = self
            .record(id)
            .ok_or_else(|| DomainError::AgreementNotFound(id.clone()))?;
        let agreement = &record.agreement;
        agreement.self_service(self.offer_public(agreement), now)?;
        match record.pending_request() {
            Some(pending) => Err(DomainError::SellerRequestWaiting(pending.id.clone())),
            None => Ok(()),
        }
    }

    /// Every billing adjustment of the buyer's agreements, newest first.
    pub fn buyer_adjustments(&self, buyer: &AccountId) -> Vec<BuyerAdjustment> {
        let mut all: Vec<BuyerAdjustment> = self
            .records
            .of_buyer(buyer)
            .iter()
            .filter_map(|id| self.record(id))
            .flat_map(|record| {
                record.adjustments.iter().filter_map(|b| {
                    let invoice = record.invoice(b.invoice_id.as_str())?;
                    let destination = RefundDestination::of(b, invoice);
                    let processed =
                        (b.status == AdjustmentStatus::Completed).then_some(b.updated_at);
                    Some(BuyerAdjustment {
                        agreement: b.agreement_id.clone(),
                        id: b.id.clone(),
                        invoice: b.invoice_id.clone(),
                        amount: b.amount,
                        reason_code: b.reason_code,
                        reason: b.description.clone(),
                        status: b.status,
                        status_message: b.status_message.clone(),
                        timing: destination.timing(processed),
                        destination,
                        created_at: b.created_at,
                    })
                })
            })
            .collect();
        all.sort_by_key(|b| Reverse(b.created_at));
        all
    }

    /// Agreements matching a filter, a page at a time.
    pub fn find(&self, filter: &Filter, page: usize) -> Page<&AgreementRecord> {
        let matcher = Matcher::new(filter, &self.directory);
        if let Some(id) = filter
            .agreement_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let hit = AgreementId::parse(id).ok().and_then(|id| self.record(&id));
            let items: Vec<_> = hit.into_iter().filter(|r| matcher.matches(r)).collect();
            return Page::of(items, 0);
        }
        // A filter of only sellers, buyers and products is answered by the indexes (a
        // keystroke in the Product filter read all 10,000 records of the scale demo in 4 of
        // its 7 ms of script); any other reads every record, cheapest test first: reading
        // only the seller's records, each found by ID in the index, took twice as long as
        // reading them all in order.
        if !matcher.reads_records() {
            if let Some(ids) = self.of_indexes(filter, &matcher) {
                return self.page_of(ids.into_iter(), page);
            }
        }
        let items: Vec<_> = self
            .records
            .values()
            .map(|v| &v.record)
            .filter(|r| matcher.matches(r))
            .collect();
        Page::of(items, page)
    }

    /// The agreements of the filter's parties and products, in ID order, from the indexes
    /// alone; `None` for a filter that names none.
    fn of_indexes(&self, filter: &Filter, matcher: &Matcher) -> Option<Vec<&AgreementId>> {
        let parties = self.of_parties(filter);
        let products = matcher
            .product
            .as_ref()
            .map(|(text, named)| self.of_products(text, named));
        match (parties, products) {
            (Some(parties), Some(products)) => Some(in_both(&parties, &products)),
            (one, None) | (None, one) => one,
        }
    }

    /// The agreements for the products whose ID is `text` or whose name holds it (`named`),
    /// in ID order.
    fn of_products(&self, text: &str, named: &[&ProductId]) -> Vec<&AgreementId> {
        // An agreement is for one product, so the sets never overlap: merged in order,
        // where sorting them together took a keystroke's whole script at 10,000 agreements.
        self.records
            .indexes
            .by_product
            .iter()
            .filter(|(product, _)| product.as_str() == text || named.contains(product))
            .fold(Vec::new(), |merged, (_, ids)| in_order(&merged, ids))
    }

    /// The agreements of the filter's seller, buyer or both, in ID order, from the indexes
    /// alone; `None` for a filter that names neither.
    fn of_parties(&self, filter: &Filter) -> Option<Vec<&AgreementId>> {
        // No agreement has a buyer that is not a valid account ID.
        let buyer = filled(&filter.buyer_id)
            .map(|b| AccountId::parse(b).map_or(&NONE, |b| self.records.of_buyer(&b)));
        let seller = filter.seller.as_ref().map(|s| self.records.of_seller(s));
        match (seller, buyer) {
            (Some(seller), Some(buyer)) => Some(seller.intersection(buyer).collect()),
            (Some(one), None) | (None, Some(one)) => Some(one.iter().collect()),
            (None, None) => None,
        }
    }

    /// Every event of one side, newest first: of the agreements `party` is the seller or
    /// the buyer of, or of one agreement. Events of the same moment come by agreement ID,
    /// then latest in their record first, so that [`Book::log_page`] pages through exactly
    /// this list. Sorts everything it returns, then builds each event as it is reached: for
    /// a screenful, use `log_page`.
    pub fn log(
        &self,
        side: Side,
        party: Option<&AccountId>,
        agreement: Option<&AgreementId>,
    ) -> impl ExactSizeIterator<Item = BusEvent> + '_ {
        // The records come in ID order, so their places there order them as their IDs
        // would, and compare faster than the IDs' texts.
        let mut events: Vec<(LogKey<usize>, &AgreementRecord)> = self
            .log_records(party, agreement)
            .into_iter()
            .enumerate()
            .flat_map(|(n, record)| {
                record
                    .event_refs()
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.side == side)
                    .map(move |(i, e)| ((e.time, Reverse(n), i), record))
            })
            .collect();
        events.sort_unstable_by_key(|(key, _)| Reverse(*key));
        events
            .into_iter()
            .map(|((_, _, i), record)| record.event(i))
    }

    /// One page of [`Book::log`] (from 0; past the end, the last one), without sorting the
    /// whole log: each record's events are already in time order, and the log's index
    /// holds its records by their newest event and counts its events. Merging the records
    /// from their newest ends, each taken in only once the merge reaches its newest event,
    /// yields the log in order and stops after the page: it costs the events up to the
    /// page's end, each a logarithm, whatever the size of the book, and builds only the
    /// page's.
    pub fn log_page(
        &self,
        side: Side,
        party: Option<&AccountId>,
        agreement: Option<&AgreementId>,
        page: usize,
    ) -> Page<BusEvent> {
        let (waiting, total): (Box<dyn Iterator<Item = &AgreementRecord>>, usize) = match agreement
        {
            Some(_) => {
                let records = self.log_records(party, agreement);
                let total = records
                    .iter()
                    .map(|r| r.event_refs().iter().filter(|e| e.side == side).count())
                    .sum();
                (Box::new(records.into_iter()), total)
            }
            None => match self.records.log_index(side, party) {
                Some(log) => (
                    Box::new(
                        log.newest
                            .iter()
                            .map(|(_, key)| &self.records[&key.1].record),
                    ),
                    log.events,
                ),
                None => (Box::new(std::iter::empty()), 0),
            },
        };
        let pages = total.div_ceil(PAGE_MAX).max(1);
        let page = page.min(pages - 1);
        let newest_before = |record: &AgreementRecord, end: usize| {
            record.event_refs()[..end]
                .iter()
                .rposition(|e| e.side == side)
        };
        let mut waiting = waiting.filter_map(|record| {
            let i = newest_before(record, record.event_count())?;
            Some((
                (
                    record.event_refs()[i].time,
                    Reverse(&record.agreement.id),
                    i,
                ),
                record,
            ))
        });
        let mut next = waiting.next();
        let mut taken: Vec<&AgreementRecord> = Vec::new();
        let mut heads: BinaryHeap<(LogKey<&AgreementId>, usize)> = BinaryHeap::new();
        let mut items = Vec::with_capacity(PAGE_MAX);
        for rank in 0..(page + 1) * PAGE_MAX {
            // A waiting record comes in once its newest event is the newest left: the
            // records wait newest first, so the others cannot be either.
            while let Some((key, record)) = next {
                if heads.peek().is_some_and(|(top, _)| *top > key) {
                    break;
                }
                heads.push((key, taken.len()));
                taken.push(record);
                next = waiting.next();
            }
            let Some(((_, _, i), n)) = heads.pop() else {
                break;
            };
            let record = taken[n];
            if rank >= page * PAGE_MAX {
                items.push(record.event(i));
            }
            if let Some(before) = newest_before(record, i) {
                let key = (
                    record.event_refs()[before].time,
                    Reverse(&record.agreement.id),
                    before,
                );
                heads.push((key, n));
            }
        }
        Page {
            items,
            total,
            page,
            pages,
        }
    }

    /// The records a log looks at, in the order of their agreement IDs.
    fn log_records(
        &self,
        party: Option<&AccountId>,
        agreement: Option<&AgreementId>,
    ) -> Vec<&AgreementRecord> {
        let chosen = match agreement {
            Some(id) => self.records.map.range(id..=id),
            None => self.records.map.range::<AgreementId, _>(..),
        };
        chosen
            .map(|(_, v)| &v.record)
            .filter(|r| party.is_none_or(|p| &r.agreement.seller == p || &r.agreement.buyer == p))
            .collect()
    }

    /// The agreements this account sells, a page at a time, in the order of their IDs:
    /// from the seller's index, reading only the records on the page. The property tests
    /// hold the index to a full scan through it.
    #[cfg(test)]
    pub(crate) fn agreements_of_seller(
        &self,
        seller: &AccountId,
        page: usize,
    ) -> Page<&AgreementRecord> {
        self.page_of(self.records.of_seller(seller).iter(), page)
    }

    /// The agreements this account buys, a page at a time, in the order of their IDs: from
    /// the buyer's index, reading only the records on the page.
    #[cfg(test)]
    pub(crate) fn agreements_of_buyer(
        &self,
        buyer: &AccountId,
        page: usize,
    ) -> Page<&AgreementRecord> {
        self.page_of(self.records.of_buyer(buyer).iter(), page)
    }

    /// A cancellation request by its ID alone, with the record it belongs to.
    pub fn request_by_id(
        &self,
        id: &RequestId,
    ) -> Option<(&AgreementRecord, &CancellationRequest)> {
        let record = self.record(self.records.with_request(id)?)?;
        Some((record, record.request(id)?))
    }

    /// Page `page` (from 0; past the end, the last one) of these agreements' records.
    fn page_of<'a>(
        &'a self,
        ids: impl ExactSizeIterator<Item = &'a AgreementId>,
        page: usize,
    ) -> Page<&'a AgreementRecord> {
        let total = ids.len();
        let pages = total.div_ceil(PAGE_MAX).max(1);
        let page = page.min(pages - 1);
        let items = ids
            .skip(page * PAGE_MAX)
            .take(PAGE_MAX)
            .map(|id| &self.records[id].record)
            .collect();
        Page {
            items,
            total,
            page,
            pages,
        }
    }
}

/// Where an event stands in a log, greatest first: its time, then its record (`R`: its
/// agreement ID, or its place in ID order; first first), then its place in the record
/// (last first).
type LogKey<R> = (DateTime<Utc>, Reverse<R>, usize);

/// The seller's search. An agreement ID is unique; the others can match several agreements.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub agreement_id: Option<String>,
    pub buyer_id: Option<String>,
    pub offer_id: Option<String>,
    /// Matches the product's ID or, ignoring case, part of its name.
    pub product: Option<String>,
    pub status: Option<AgreementStatus>,
    /// Only this seller's agreements.
    pub seller: Option<AccountId>,
}

impl Filter {
    /// One record against the filter: what `find` does to each, for tests that scan.
    #[cfg(test)]
    pub(super) fn matches(&self, record: &AgreementRecord, directory: &Directory) -> bool {
        Matcher::new(self, directory).matches(record)
    }
}

/// A filter made ready to test many records: its texts trimmed once, and the products
/// whose name holds the Product filter's text found once in the directory, where testing
/// each record lowercased its product's name and the text again.
struct Matcher<'a> {
    filter: &'a Filter,
    buyer: Option<&'a str>,
    offer: Option<&'a str>,
    /// The Product filter's text, and the products it names part of.
    product: Option<(&'a str, Vec<&'a ProductId>)>,
}

impl<'a> Matcher<'a> {
    fn new(filter: &'a Filter, directory: &'a Directory) -> Matcher<'a> {
        let product = filled(&filter.product).map(|text| {
            let part = text.to_lowercase();
            let named = directory
                .products
                .iter()
                .filter(|p| p.name.to_lowercase().contains(&part))
                .map(|p| &p.id)
                .collect();
            (text, named)
        });
        Matcher {
            filter,
            buyer: filled(&filter.buyer_id),
            offer: filled(&filter.offer_id),
            product,
        }
    }

    /// Whether more than the parties and products, which the indexes answer, is asked.
    fn reads_records(&self) -> bool {
        self.offer.is_some() || self.filter.status.is_some()
    }

    fn matches(&self, record: &AgreementRecord) -> bool {
        let a = &record.agreement;
        self.filter.seller.as_ref().is_none_or(|s| &a.seller == s)
            && self.filter.status.is_none_or(|s| a.status == s)
            && self.buyer.is_none_or(|b| a.buyer.as_str() == b)
            && self.offer.is_none_or(|o| a.offer.as_str() == o)
            && self.product.as_ref().is_none_or(|(text, named)| {
                a.product.as_str() == *text || named.contains(&&a.product)
            })
    }
}

/// The IDs of two lists in ID order, each once, in that order.
fn in_order<'a>(
    one: &[&'a AgreementId],
    other: impl IntoIterator<Item = &'a AgreementId>,
) -> Vec<&'a AgreementId> {
    let mut merged = Vec::with_capacity(one.len());
    let mut rest = one.iter().copied().peekable();
    for id in other {
        while let Some(first) = rest.next_if(|first| *first < id) {
            merged.push(first);
        }
        rest.next_if(|first| *first == id);
        merged.push(id);
    }
    merged.extend(rest);
    merged
}

/// The IDs in both of two lists in ID order, in that order.
fn in_both<'a>(one: &[&'a AgreementId], other: &[&'a AgreementId]) -> Vec<&'a AgreementId> {
    let (mut i, mut j) = (0, 0);
    let mut both = Vec::new();
    while let (Some(a), Some(b)) = (one.get(i), other.get(j)) {
        match a.cmp(b) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both.push(*a);
                i += 1;
                j += 1;
            }
        }
    }
    both
}

/// A filter's text, trimmed, unless it is blank.
fn filled(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// One page of results and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
}

impl<T> Page<T> {
    /// Page `page` (from 0; past the end, the last one) of `all`, which may be borrowed
    /// (`list.iter()`), so a view pages a list it keeps without copying all of it.
    pub fn of(all: impl IntoIterator<Item = T, IntoIter: ExactSizeIterator>, page: usize) -> Self {
        let all = all.into_iter();
        let total = all.len();
        let pages = total.div_ceil(PAGE_MAX).max(1);
        let page = page.min(pages - 1);
        let items = all
            .into_iter()
            .skip(page * PAGE_MAX)
            .take(PAGE_MAX)
            .collect();
        Page {
            items,
            total,
            page,
            pages,
        }
    }

    /// The same page with each item made into what a view shows.
    pub fn map<U>(self, make: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(make).collect(),
            total: self.total,
            page: self.page,
            pages: self.pages,
        }
    }

    /// The page shown and the number of pages, as a pager needs them.
    pub fn at(&self) -> (usize, usize) {
        (self.page, self.pages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::tests::*;
    use crate::ids::SequentialIds;

    #[test]
    fn an_agreement_id_finds_one_and_other_filters_count_all_matches() {
        let mut book = book();
        for i in 2..=120 {
            let mut a = agreement();
            a.id = AgreementId::parse(&format!("agmt-{i}")).unwrap();
            book.insert(AgreementRecord::new(a, vec![]));
        }
        let unique = Filter {
            agreement_id: Some("agmt-7".into()),
            ..Default::default()
        };
        assert_eq!(book.find(&unique, 0).total, 1);
        let by_buyer = Filter {
            buyer_id: Some(buyer().to_string()),
            ..Default::default()
        };
        let page = book.find(&by_buyer, 2);
        assert_eq!((page.total, page.pages, page.items.len()), (120, 3, 20));
        let nobody = Filter {
            buyer_id: Some("999999999999".into()),
            ..Default::default()
        };
        assert_eq!(book.find(&nobody, 0).total, 0);
    }

    #[test]
    fn the_product_filter_matches_a_product_id_or_part_of_a_name_in_any_case() {
        let book = crate::demo::scale_book(60, t(0), &mut SequentialIds::default());
        let seller = book.directory.sellers[0].account.clone();
        let products = |product: &str, seller: Option<&AccountId>| {
            let filter = Filter {
                product: Some(product.into()),
                seller: seller.cloned(),
                ..Default::default()
            };
            let mut named: Vec<String> = book
                .find(&filter, 0)
                .items
                .iter()
                .map(|r| r.agreement.product.to_string())
                .collect();
            named.sort();
            named.dedup();
            named
        };
        assert_eq!(products("prod-nwetl", None), ["prod-nwetl"]);
        assert_eq!(products(" etl ", None), ["prod-nwetl"]);
        assert_eq!(
            products("northWIND", None),
            ["prod-nwbicloud", "prod-nwetl"]
        );
        assert_eq!(
            products("n", Some(&seller)),
            ["prod-nwbicloud", "prod-nwetl"],
            "only the seller's own"
        );
        assert_eq!(products("Cedar", Some(&seller)), Vec::<String>::new());
        assert_eq!(
            products("prod-nwet", None),
            Vec::<String>::new(),
            "an ID matches whole"
        );
        let all = |product: &str| {
            book.find(
                &Filter {
                    product: Some(product.into()),
                    ..Default::default()
                },
                0,
            )
            .total
        };
        assert_eq!(
            all("   "),
            book.records.len(),
            "a blank filter keeps everything"
        );
    }

    #[test]
    fn a_log_page_holds_fifty_events_newest_first_and_the_last_page_the_rest() {
        let book = crate::demo::scale_book(23, t(0), &mut SequentialIds::default());
        let whole: Vec<BusEvent> = book.log(Side::Proposer, None, None).collect();
        assert!(whole.len() > 2 * PAGE_MAX && !whole.len().is_multiple_of(PAGE_MAX));
        let pages = every_page(&book, Side::Proposer, None, None);
        assert_eq!(pages.len(), whole.len().div_ceil(PAGE_MAX));
        for (n, page) in pages.iter().enumerate() {
            assert_eq!(
                (page.page, page.pages, page.total),
                (n, pages.len(), whole.len())
            );
        }
        assert!(pages[..pages.len() - 1]
            .iter()
            .all(|p| p.items.len() == PAGE_MAX));
        assert_eq!(
            pages.last().unwrap().items.len(),
            whole.len() % PAGE_MAX,
            "the last page holds the rest"
        );
        let paged: Vec<BusEvent> = pages.into_iter().flat_map(|p| p.items).collect();
        assert!(paged.windows(2).all(|w| w[0].time >= w[1].time));
        assert!(paged.iter().all(|e| e.side() == Side::Proposer));
        assert_eq!(paged, whole);
        let past_the_end = book.log_page(Side::Proposer, None, None, 1_000);
        assert_eq!(
            past_the_end,
            book.log_page(Side::Proposer, None, None, whole.len() / PAGE_MAX)
        );
    }

    #[test]
    fn the_log_of_one_agreement_or_one_party_holds_only_theirs() {
        let book = crate::demo::demo_book(t(0));
        let (id, buyer) = book
            .records
            .values()
            .map(|v| &v.record.agreement)
            .find(|a| book.records[&a.id].record.event_count() > 2)
            .map(|a| (a.id.clone(), a.buyer.clone()))
            .unwrap();
        let of_one = book.log_page(Side::Acceptor, None, Some(&id), 0);
        assert!(of_one.total > 0);
        assert!(of_one.items.iter().all(|e| e.agreement_id() == id.as_str()));
        let whole: Vec<BusEvent> = book.log(Side::Acceptor, None, Some(&id)).collect();
        assert_eq!(of_one.items, whole);

        let of_buyer: Vec<BusEvent> = book.log(Side::Proposer, Some(&buyer), None).collect();
        assert!(!of_buyer.is_empty());
        assert!(of_buyer.iter().all(|e| book.records
            [&AgreementId::parse(e.agreement_id()).unwrap()]
            .record
            .agreement
            .buyer
            == buyer));
        let nobody = AccountId::parse("999999999999").unwrap();
        let empty = book.log_page(Side::Proposer, Some(&nobody), None, 3);
        assert_eq!(
            (empty.items.len(), empty.total, empty.page, empty.pages),
            (0, 0, 0, 1)
        );
        let unknown = AgreementId::parse("agmt-none").unwrap();
        assert_eq!(
            book.log_page(Side::Proposer, None, Some(&unknown), 0).total,
            0
        );
    }
}
