pub mod clock_control;
pub mod notices;
pub mod page_title;
pub mod request_form;
pub mod site_header;
