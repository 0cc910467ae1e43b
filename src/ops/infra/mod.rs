//! The deploy side (SPEC §2): agents that serve models, and endpoints of models in projects.

pub mod agents;
pub mod endpoints;
