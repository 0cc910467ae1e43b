//! `xeroctl deploy <uuid> [--tier shared|xim]` and `xeroctl endpoints [list|delete <id>]`.

use super::args::{DeployArgs, EndpointsAction, EndpointsArgs, Output};
use super::client::{Client, ClientError};
use super::output::out;
use super::style::{Tone, paint};
use crate::catalog::ids::ModelId;
use crate::wire::infra::{EndpointList, EndpointView};

/// Runs `xeroctl deploy`.
pub fn run_deploy(args: DeployArgs) -> Result<(), ClientError> {
    let model = ModelId::parse(&args.model).ok_or_else(|| {
        ClientError::Usage(format!(
            "`{}` is not a model UUID: deploy takes the catalog model's UUID (see `xeroctl catalog search`)",
            args.model
        ))
    })?;
    let client = Client::new(&args.connection)?;
    let project = super::models::project_of(&client, &args.connection)?;
    let mut body = serde_json::json!({ "model_id": model.to_string() });
    if let Some(tier) = args.tier {
        body["tier"] = serde_json::json!(tier.as_str());
    }
    let answer = client.send(
        reqwest::Method::POST,
        &format!("/{project}/v1/endpoints"),
        Some(&body),
    )?;
    match args.output {
        Output::Json => out!("{answer}"),
        Output::Table => {
            let endpoint: EndpointView =
                serde_json::from_value(answer).map_err(|e| ClientError::Transport {
                    url: args.connection.base_url.clone(),
                    reason: format!("unexpected answer: {e}"),
                })?;
            out!(
                "deployed {} as endpoint {} ({} tier, {})",
                endpoint.model_name,
                endpoint.id,
                endpoint.tier,
                status_text(&endpoint.status)
            );
        }
    }
    Ok(())
}

/// Runs `xeroctl endpoints …`.
pub fn run_endpoints(args: EndpointsArgs) -> Result<(), ClientError> {
    let client = Client::new(&args.connection)?;
    let project = super::models::project_of(&client, &args.connection)?;
    match args.action.unwrap_or(EndpointsAction::List) {
        EndpointsAction::List => {
            let answer = client.call(reqwest::Method::GET, &format!("/{project}/v1/endpoints"))?;
            if args.output == Output::Json {
                out!("{answer}");
                return Ok(());
            }
            let list: EndpointList =
                serde_json::from_value(answer).map_err(|e| ClientError::Transport {
                    url: args.connection.base_url.clone(),
                    reason: format!("unexpected answer: {e}"),
                })?;
            if list.endpoints.is_empty() {
                out!("no endpoints: deploy a catalog model with `xeroctl deploy <uuid>`");
                return Ok(());
            }
            out!(
                "{:<36}  {:<6}  {:<11}  {:<14}  MODEL",
                "ID",
                "TIER",
                "STATUS",
                "NODE"
            );
            for e in &list.endpoints {
                // Padding first, colour after: escape codes must not count as width.
                let status = format!("{:<11}", e.status);
                out!(
                    "{:<36}  {:<6}  {}  {:<14}  {}",
                    e.id,
                    e.tier,
                    status.replace(&e.status, &status_text(&e.status)),
                    e.node_id.as_deref().unwrap_or("-"),
                    e.model_name
                );
            }
        }
        EndpointsAction::Delete { id } => {
            if uuid::Uuid::parse_str(&id).is_err() {
                return Err(ClientError::Usage(format!(
                    "`{id}` is not an endpoint id: endpoint ids are UUIDs (see `xeroctl endpoints`)"
                )));
            }
            client.call(
                reqwest::Method::DELETE,
                &format!("/{project}/v1/endpoints/{id}"),
            )?;
            match args.output {
                Output::Json => out!("{}", serde_json::json!({ "id": id, "deleted": true })),
                Output::Table => out!("endpoint {id} deleted"),
            }
        }
    }
    Ok(())
}

fn status_text(status: &str) -> String {
    let tone = if status == "active" {
        Tone::Good
    } else {
        Tone::Warn
    };
    paint(status, tone)
}
