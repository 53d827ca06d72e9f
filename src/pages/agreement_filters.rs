//! The agreement search's filters and page, as the address keeps them
//! (`/seller?buyer=444455556666&status=ACTIVE&page=2`): read from the address, checked,
//! turned into the core's `Filter`, and written back when the person changes one. Plain
//! data, so all of it is tested natively; `pages::seller` only draws it.

use workbench_core::book::{AgreementStatus, Filter};
use workbench_core::ids::{AccountId, AgreementId, IdError, OfferId};

/// The filters and the page of the agreement list. The address is their one source: the
/// list and every field show what it holds, what was typed included, valid or not.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgreementFilters {
    pub agreement_id: String,
    pub buyer_id: String,
    pub offer_id: String,
    pub product: String,
    pub status: Option<AgreementStatus>,
    /// From 0; the address counts from 1.
    pub page: usize,
}

/// The three filters that take an ID, and are checked as one is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdFilter {
    Agreement,
    Buyer,
    Offer,
}

/// What the person changed in the form. Each change shows the first page of what now
/// matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    Id(IdFilter, String),
    Product(String),
    Status(Option<AgreementStatus>),
}

/// A change the person made: a filter (shown from the first page), or the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Edit(Edit),
    Page(usize),
}

/// The changes the list has not taken yet. A typed change waits until the frame that shows
/// the key is painted, so what the person typed appears at once and working out the list
/// follows; keys typed before then build on each other, and the list takes them together.
/// A picked change (a status, a page) has its answer in the list, so the list takes it at
/// once, with whatever was typed before it.
#[derive(Debug, Default)]
pub struct WaitingChanges {
    next: Option<AgreementFilters>,
}

/// When the list is to take what waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Take {
    Now,
    AfterThePaint,
    /// As already planned, for an earlier key.
    AsPlanned,
}

impl WaitingChanges {
    /// Adds `change` to what waits over the filters `shown`, and says when the list is to
    /// take it.
    pub fn add(&mut self, shown: &AgreementFilters, change: Change) -> Take {
        let first = self.next.is_none();
        let typed = matches!(change, Change::Edit(Edit::Id(..) | Edit::Product(_)));
        let base = self.next.as_ref().unwrap_or(shown);
        self.next = Some(base.changed(change));
        match (typed, first) {
            (false, _) => Take::Now,
            (true, true) => Take::AfterThePaint,
            (true, false) => Take::AsPlanned,
        }
    }

    /// What the list is to take now, over the filters `shown`: nothing when nothing waits,
    /// or when the changes came back to what is shown.
    pub fn take(&mut self, shown: &AgreementFilters) -> Option<AgreementFilters> {
        self.next
            .take()
            .filter(|next| shown.step_to(next).is_some())
    }
}

/// How the address moves to new filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryStep {
    /// Typing replaces the address, so the back button does not step through every
    /// keystroke.
    Replace,
    /// A new page is a step of its own.
    Push,
}

impl AgreementFilters {
    /// Reads the filters from the address's query, `value` giving the value of a key.
    /// What cannot be a status or a page is read as none and the first page.
    pub fn from_query(value: impl Fn(&str) -> Option<String>) -> AgreementFilters {
        let text = |key| value(key).unwrap_or_default();
        AgreementFilters {
            agreement_id: text("agreement"),
            buyer_id: text("buyer"),
            offer_id: text("offer"),
            product: text("product"),
            // The API's code, or its words as a person would write them ("Active").
            status: value("status").and_then(|s| {
                AgreementStatus::from_code(&s.trim().to_uppercase().replace(' ', "_"))
            }),
            page: text("page")
                .parse::<usize>()
                .map_or(0, |p| p.saturating_sub(1)),
        }
    }

    /// The query of the address that holds these filters, in the order the address shows
    /// them; empty filters and the first page are left out.
    pub fn query(&self) -> Vec<(&'static str, String)> {
        let page = (self.page > 0).then(|| (self.page + 1).to_string());
        [
            ("agreement", self.agreement_id.clone()),
            ("buyer", self.buyer_id.clone()),
            ("offer", self.offer_id.clone()),
            ("product", self.product.clone()),
            (
                "status",
                self.status.map_or("", AgreementStatus::code).into(),
            ),
            ("page", page.unwrap_or_default()),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .collect()
    }

    /// What was typed in an ID filter, exactly so.
    pub fn id_text(&self, field: IdFilter) -> &str {
        match field {
            IdFilter::Agreement => &self.agreement_id,
            IdFilter::Buyer => &self.buyer_id,
            IdFilter::Offer => &self.offer_id,
        }
    }

    /// Why what was typed in an ID filter cannot be such an ID, to show beside it. An empty
    /// filter is no mistake.
    pub fn id_error(&self, field: IdFilter) -> Option<IdError> {
        let text = self.id_text(field).trim();
        if text.is_empty() {
            return None;
        }
        match field {
            IdFilter::Agreement => AgreementId::parse(text).err(),
            IdFilter::Buyer => AccountId::parse(text).err(),
            IdFilter::Offer => OfferId::parse(text).err(),
        }
    }

    /// The core's search for these filters among `seller`'s agreements. An ID filter that
    /// cannot be an ID is left out, so the list does not empty while its message shows.
    pub fn filter(&self, seller: Option<AccountId>) -> Filter {
        let checked = |field| {
            let text = self.id_text(field);
            Some(text.to_owned()).filter(|_| self.id_error(field).is_none())
        };
        Filter {
            agreement_id: checked(IdFilter::Agreement),
            buyer_id: checked(IdFilter::Buyer),
            offer_id: checked(IdFilter::Offer),
            product: Some(self.product.clone()),
            status: self.status,
            seller,
        }
    }

    /// The filters after `edit`, on their first page.
    pub fn edited(&self, edit: Edit) -> AgreementFilters {
        let mut next = AgreementFilters {
            page: 0,
            ..self.clone()
        };
        match edit {
            Edit::Id(IdFilter::Agreement, text) => next.agreement_id = text,
            Edit::Id(IdFilter::Buyer, text) => next.buyer_id = text,
            Edit::Id(IdFilter::Offer, text) => next.offer_id = text,
            Edit::Product(text) => next.product = text,
            Edit::Status(status) => next.status = status,
        }
        next
    }

    /// The filters after `change`.
    pub fn changed(&self, change: Change) -> AgreementFilters {
        match change {
            Change::Edit(edit) => self.edited(edit),
            Change::Page(page) => self.on_page(page),
        }
    }

    /// The same filters on another page (from 0).
    pub fn on_page(&self, page: usize) -> AgreementFilters {
        AgreementFilters {
            page,
            ..self.clone()
        }
    }

    /// How the address moves from these filters to `next`: not at all when they are the
    /// same, by a step in the history when only the page differs, else in place.
    pub fn step_to(&self, next: &AgreementFilters) -> Option<HistoryStep> {
        if self == next {
            None
        } else if self.on_page(0) == next.on_page(0) {
            Some(HistoryStep::Push)
        } else {
            Some(HistoryStep::Replace)
        }
    }

    /// Whether Search has an agreement to open: an Agreement ID typed that can be one.
    pub fn names_an_agreement(&self) -> bool {
        !self.agreement_id.trim().is_empty() && self.id_error(IdFilter::Agreement).is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The filters of an address's query, written as `key=value&...` without escapes.
    fn at(query: &str) -> AgreementFilters {
        let pairs: Vec<(&str, &str)> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .collect();
        AgreementFilters::from_query(|key| {
            pairs
                .iter()
                .rev()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        })
    }

    fn query_text(filters: &AgreementFilters) -> String {
        filters
            .query()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    }

    #[test]
    fn keys_typed_before_the_list_takes_them_build_on_each_other() {
        let shown = at("status=ACTIVE&page=3");
        let mut waiting = WaitingChanges::default();
        let product = |text: &str| Change::Edit(Edit::Product(text.into()));
        assert_eq!(waiting.add(&shown, product("E")), Take::AfterThePaint);
        assert_eq!(waiting.add(&shown, product("En")), Take::AsPlanned);
        let buyer = Change::Edit(Edit::Id(IdFilter::Buyer, "4444".into()));
        assert_eq!(waiting.add(&shown, buyer), Take::AsPlanned);
        let taken = waiting.take(&shown).expect("the changes");
        assert_eq!(query_text(&taken), "buyer=4444&product=En&status=ACTIVE");
        assert_eq!(waiting.take(&taken), None, "taken once");
        assert_eq!(waiting.add(&taken, product("")), Take::AfterThePaint);
    }

    #[test]
    fn a_picked_change_is_taken_at_once_with_the_keys_typed_before_it() {
        let shown = at("page=2");
        let mut waiting = WaitingChanges::default();
        waiting.add(&shown, Change::Edit(Edit::Product("BI".into())));
        let status = Change::Edit(Edit::Status(Some(AgreementStatus::Active)));
        assert_eq!(waiting.add(&shown, status), Take::Now);
        let taken = waiting.take(&shown).expect("the changes");
        assert_eq!(query_text(&taken), "product=BI&status=ACTIVE");
        assert_eq!(waiting.add(&taken, Change::Page(1)), Take::Now);
        assert_eq!(waiting.take(&taken).map(|f| f.page), Some(1));
    }

    #[test]
    fn changes_that_come_back_to_what_is_shown_are_nothing_to_take() {
        let shown = at("product=BI");
        let mut waiting = WaitingChanges::default();
        waiting.add(&shown, Change::Edit(Edit::Product("B".into())));
        waiting.add(&shown, Change::Edit(Edit::Product("BI".into())));
        assert_eq!(waiting.take(&shown), None);
        assert_eq!(waiting.add(&shown, Change::Page(0)), Take::Now);
        assert_eq!(waiting.take(&shown), None, "the page shown already");
    }

    #[test]
    fn an_address_without_a_query_is_no_filter_on_the_first_page() {
        assert_eq!(at(""), AgreementFilters::default());
        assert!(AgreementFilters::default().query().is_empty());
    }

    #[test]
    fn the_filters_read_from_an_address_write_the_same_address_back() {
        let query =
            "agreement=agmt-1&buyer=444455556666&offer=offer-abc&product=BI&status=ACTIVE&page=2";
        let filters = at(query);
        assert_eq!(filters.buyer_id, "444455556666");
        assert_eq!(filters.status, Some(AgreementStatus::Active));
        assert_eq!(filters.page, 1, "the address counts pages from 1");
        assert_eq!(query_text(&filters), query);
    }

    #[test]
    fn a_status_in_a_persons_words_is_read_as_its_code() {
        assert_eq!(at("status=Active").status, Some(AgreementStatus::Active));
        assert_eq!(
            at("status= rolled back ").status,
            Some(AgreementStatus::RolledBack)
        );
        assert_eq!(query_text(&at("status=Active")), "status=ACTIVE");
    }

    #[test]
    fn what_cannot_be_a_status_or_a_page_is_read_as_none_and_the_first_page() {
        let filters = at("status=sleeping&page=abc&product=BI");
        assert_eq!(filters.status, None);
        assert_eq!(filters.page, 0);
        assert_eq!(at("page=0").page, 0);
        assert_eq!(query_text(&filters), "product=BI");
    }

    #[test]
    fn the_last_of_a_repeated_key_counts() {
        assert_eq!(at("product=a&product=b").product, "b");
    }

    #[test]
    fn what_was_typed_is_kept_exactly_spaces_and_mistakes_included() {
        let filters = at("buyer= 4444-5555 ");
        assert_eq!(filters.id_text(IdFilter::Buyer), " 4444-5555 ");
        assert_eq!(query_text(&filters), "buyer= 4444-5555 ");
    }

    #[test]
    fn an_address_with_a_value_that_cannot_be_an_id_gives_the_message_typing_it_gives() {
        let from_address = at("buyer=4444-5555");
        let typed =
            AgreementFilters::default().edited(Edit::Id(IdFilter::Buyer, "4444-5555".into()));
        assert_eq!(from_address, typed);
        let error = from_address.id_error(IdFilter::Buyer).expect("a message");
        assert_eq!(error, AccountId::parse("4444-5555").unwrap_err());
        assert_eq!(
            at("buyer=12345")
                .id_error(IdFilter::Buyer)
                .map(|e| e.to_string())
                .as_deref(),
            Some("An AWS account ID is exactly 12 digits.")
        );
    }

    #[test]
    fn an_empty_id_filter_or_one_of_spaces_is_no_mistake() {
        let filters = at("agreement=&buyer=   ");
        assert_eq!(filters.id_error(IdFilter::Agreement), None);
        assert_eq!(filters.id_error(IdFilter::Buyer), None);
        assert_eq!(at("offer=offer-abc").id_error(IdFilter::Offer), None);
    }

    #[test]
    fn an_id_filter_that_cannot_be_an_id_is_left_out_of_the_search() {
        let seller = AccountId::parse("111122223333").ok();
        let filter =
            at("buyer=12345&offer=offer-abc&product=BI&status=ACTIVE").filter(seller.clone());
        assert_eq!(
            filter,
            Filter {
                agreement_id: Some(String::new()),
                buyer_id: None,
                offer_id: Some("offer-abc".into()),
                product: Some("BI".into()),
                status: Some(AgreementStatus::Active),
                seller,
            }
        );
    }

    #[test]
    fn changing_a_filter_goes_back_to_the_first_page() {
        let on_page_3 = at("product=BI&page=3");
        let edits = [
            Edit::Id(IdFilter::Agreement, "agmt-1".into()),
            Edit::Id(IdFilter::Buyer, "444455556666".into()),
            Edit::Id(IdFilter::Offer, "offer-abc".into()),
            Edit::Product("BIG".into()),
            Edit::Status(Some(AgreementStatus::Expired)),
        ];
        for edit in edits {
            let next = on_page_3.edited(edit.clone());
            assert_eq!(next.page, 0, "{edit:?}");
            assert_ne!(next, on_page_3.on_page(0), "{edit:?} changed its filter");
        }
        assert_eq!(
            query_text(&on_page_3.edited(Edit::Status(None))),
            "product=BI"
        );
    }

    #[test]
    fn typing_replaces_the_address_and_a_new_page_is_a_step_of_its_own() {
        let shown = at("product=B");
        let typed = shown.edited(Edit::Product("BI".into()));
        assert_eq!(shown.step_to(&typed), Some(HistoryStep::Replace));
        assert_eq!(shown.step_to(&shown.on_page(1)), Some(HistoryStep::Push));
        assert_eq!(shown.on_page(1).step_to(&shown), Some(HistoryStep::Push));
        assert_eq!(shown.step_to(&shown.clone()), None, "nothing changed");
        let back_to_first = shown.on_page(2).edited(Edit::Product("BI".into()));
        assert_eq!(
            shown.on_page(2).step_to(&back_to_first),
            Some(HistoryStep::Replace),
            "a filter typed on a later page"
        );
    }

    #[test]
    fn search_opens_only_a_typed_agreement_id_that_can_be_one() {
        assert!(!at("").names_an_agreement());
        assert!(!at("agreement= ").names_an_agreement());
        assert!(!at("agreement=not an id!").names_an_agreement());
        assert!(!at("buyer=444455556666").names_an_agreement());
        assert!(at("agreement= agmt-1 ").names_an_agreement());
    }
}
