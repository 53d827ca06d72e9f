//! Small pieces of the workbench, each named for what the person sees.

pub mod adjustment_form;
pub mod adjustment_form_state;
pub mod alibaba_form;
pub mod apply_receipt;
pub mod aws_cli;
pub mod aws_import;
pub mod clock_control;
pub mod copy_text;
pub mod devpay_customers;
pub mod event_log;
pub mod evidence;
pub mod family_actions;
pub mod fps_actions;
pub mod fps_form;
pub mod notices;
pub mod page_title;
pub mod pager;
pub mod received_events;
pub mod request_form;
pub mod request_form_state;
pub mod reset_demo;
pub mod share_link;
pub mod site_header;
pub mod support_cases;
pub mod support_refunds;
pub mod your_data;
