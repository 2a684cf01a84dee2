//! Invoices: the month's preview for a client, generating it (numbered, its entries locked), the list, the
//! printable invoice, Draft -> Sent -> Paid or Void (voiding releases the entries), CSV exports.

pub mod draft;
pub mod email;
pub mod handlers;
pub mod store;
