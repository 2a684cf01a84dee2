//! The client portal (issue 13), one module per part.

mod brand;
