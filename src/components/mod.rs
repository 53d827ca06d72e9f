pub mod clock_control;
pub mod download;
pub mod event_log;
pub mod notices;
pub mod page_title;
pub mod request_form;
pub mod reset_demo;
pub mod site_header;
