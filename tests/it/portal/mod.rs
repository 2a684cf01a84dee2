//! The client portal: its signed-in sections (home, tickets, knowledge base, policies, compliance status).

mod policies;
mod sections;
