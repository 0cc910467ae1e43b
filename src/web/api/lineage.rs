//! `/{project_id}/v1/models/{id}/lineage`: base model, relation and successor (issue 27).

use actix_web::{get, patch, web};

use super::{authorize_project, parse_model_id};
use crate::auth::Principal;
use crate::ops::Services;
use crate::ops::models::lineage::{LineageReport, lineage_report, set_lineage};
use crate::web::error::ApiError;
use crate::wire::ErrorBody;
use crate::wire::lineage::{DerivedCounts, DerivedRef, LineageRequest, LineageView, ModelRef};

/// The lineage as the API shows it.
pub fn view(report: &LineageReport) -> LineageView {
    let mut counts = DerivedCounts::default();
    let derived = report
        .derived
        .iter()
        .map(|d| {
            counts.add(d.relation);
            DerivedRef {
                model: ModelRef {
                    id: d.id.to_string(),
                    name: d.name.clone(),
                    project_id: d.project_id.to_string(),
                    shared: d.shared,
                },
                relation: d.relation.as_str().to_owned(),
            }
        })
        .collect();
    LineageView {
        base_model: report.base.as_ref().map(ModelRef::of),
        base_model_name: report.lineage.base_name.clone(),
        base_model_relation: report.lineage.relation.map(|r| r.as_str().to_owned()),
        superseded_by: report.successor.as_ref().map(ModelRef::of),
        derived_counts: counts,
        derived,
    }
}

/// A model's lineage: its base (when you can see it), relation, successor and the models
/// derived from it that you can see.
#[utoipa::path(
    tag = "models",
    params(("project_id" = String, Path), ("id" = String, Path, description = "The model's UUID")),
    responses((status = 200, body = LineageView), (status = 404, body = ErrorBody)),
    security(("api_key" = []))
)]
#[get("/models/{id}/lineage")]
pub async fn get_lineage(
    principal: web::ReqData<Principal>,
    path: web::Path<(String, String)>,
    services: web::Data<Services>,
) -> Result<web::Json<LineageView>, ApiError> {
    let project = authorize_project(&principal, &path.0)?;
    let id = parse_model_id(&path.1)?;
    let report = lineage_report(&services, &principal, &project, id).await?;
    Ok(web::Json(view(&report)))
}

/// Sets the base model and relation, or marks the model superseded by another: absent fields
/// stay, `null` clears. A base or successor you cannot see, the model itself, or a cycle is a
/// 400 and changes nothing.
#[utoipa::path(
    tag = "models",
    params(("project_id" = String, Path), ("id" = String, Path, description = "The model's UUID")),
    request_body = LineageRequest,
    responses((status = 200, body = LineageView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = []))
)]
#[patch("/models/{id}/lineage")]
pub async fn edit_lineage(
    principal: web::ReqData<Principal>,
    path: web::Path<(String, String)>,
    body: web::Json<LineageRequest>,
    services: web::Data<Services>,
) -> Result<web::Json<LineageView>, ApiError> {
    let project = authorize_project(&principal, &path.0)?;
    let id = parse_model_id(&path.1)?;
    set_lineage(
        &services,
        &principal,
        &project,
        id,
        body.into_inner().into(),
    )
    .await?;
    let report = lineage_report(&services, &principal, &project, id).await?;
    Ok(web::Json(view(&report)))
}
