pub mod clock_control;
pub mod notices;
pub mod page_title;
pub mod site_header;
