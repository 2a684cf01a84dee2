//! The compliance program: the frameworks catalog and Common Control Framework (`catalog`, reference data), and
//! each organization's program on it: adopted frameworks (`frameworks`), controls with their statuses and
//! approvals (`controls`), evidence (`evidence`), the policy library (`policies`), the people who acknowledge
//! policies (`people`) and the campaigns that ask them to (`campaigns`), the risk register (`risks`), scores,
//! dashboard and gaps (`scores`), reports and the
//! framework-specific registers.

pub mod campaigns;
pub mod catalog;
pub mod controls;
pub mod daily;
pub mod demo;
pub mod evidence;
pub mod frameworks;
pub mod people;
pub mod policies;
pub mod program;
pub mod registers;
pub mod reports;
pub mod risks;
pub mod scores;

use crate::web::routes::RouteDef;

pub fn routes() -> Vec<RouteDef> {
    let mut routes = catalog::routes();
    routes.extend(frameworks::routes());
    routes.extend(controls::routes());
    routes.extend(evidence::routes());
    routes.extend(policies::routes());
    routes.extend(people::routes());
    routes.extend(campaigns::routes());
    routes.extend(scores::routes());
    routes.extend(reports::routes());
    routes.extend(registers::routes());
    routes.extend(risks::routes());
    routes
}

/// The scheduled work of the compliance program.
pub fn jobs() -> Vec<crate::jobs::Job> {
    let mut jobs = daily::jobs();
    jobs.extend(campaigns::reminders::jobs());
    jobs
}
