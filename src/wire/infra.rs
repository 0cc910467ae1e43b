//! JSON bodies of the agent API and the endpoints API.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A heartbeat (the full set of loaded models) or a load / evict event (the models it names).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AgentReport {
    /// Model UUIDs.
    pub models: Vec<String>,
}

/// What the server now believes about the reporting agent.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AgentReportResponse {
    pub agent_id: String,
    /// `shared` or `xim`.
    pub kind: String,
    /// Seconds after this report that the agent counts as active without another heartbeat.
    pub ttl_seconds: u64,
    /// Every model the agent has loaded, after this report.
    pub loaded: Vec<String>,
    /// Ids in the report that are not UUIDs or name no model: ignored, never an error.
    pub ignored: Vec<String>,
}

/// `POST /{project_id}/v1/endpoints`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DeployRequest {
    /// The catalog model's UUID.
    pub model_id: String,
    /// `shared` or `xim`; without it, `shared` when the model runs on shared infrastructure,
    /// else `xim`.
    #[serde(default)]
    pub tier: Option<String>,
}

/// An endpoint of the project.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct EndpointView {
    pub id: String,
    pub project_id: String,
    pub model_id: String,
    pub model_name: String,
    /// `shared` or `xim`.
    pub tier: String,
    /// `active` or `unavailable`.
    pub status: String,
    /// The XIM node a `xim` endpoint runs on.
    pub node_id: Option<String>,
    pub created_at: String,
}

/// `GET /{project_id}/v1/endpoints`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct EndpointList {
    pub endpoints: Vec<EndpointView>,
}
