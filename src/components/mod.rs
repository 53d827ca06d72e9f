pub mod page_title;
pub mod site_header;
