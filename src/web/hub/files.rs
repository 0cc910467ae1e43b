//! `resolve`: one file of a revision, with the headers the Hub client reads.

use super::*;

pub(super) async fn resolve(
    request: HttpRequest,
    path: web::Path<(String, String, String, String)>,
    services: web::Data<Services>,
) -> HubResult {
    let (org, name, rev, file_path) = path.into_inner();
    let repo = repo(&request, &services, &org, &name).await?;
    let (revision, files) = revision(&services, &repo, &rev).await?;
    let wanted = parse_path(&percent_decode(&file_path)).ok();
    let Some(file) = wanted.and_then(|w| files.into_iter().find(|f| f.path == w)) else {
        let mut error = HubError::new(
            StatusCode::NOT_FOUND,
            "EntryNotFound",
            format!(
                "{} does not exist on \"{}\"",
                file_path.chars().take(200).collect::<String>(),
                revision.id
            ),
        );
        error.commit = Some(revision.id);
        return Err(error);
    };
    let etag = format!("\"{}\"", file.sha256);
    transfer::serve_file(
        &request,
        &repo_ops::blob_file(&services, &file.sha256),
        file.size,
        &file.sha256,
        |response| {
            response
                .insert_header(("X-Repo-Commit", revision.id.as_str()))
                .insert_header(("X-Linked-Etag", etag.as_str()))
                .insert_header(("X-Linked-Size", file.size.to_string()));
        },
    )
    .map_err(|e| {
        // A 416 keeps `Content-Range: bytes */N` (the client resumes from it); it is
        // no missing entry.
        let code = match e.code {
            crate::web::error::ErrorCode::RangeNotSatisfiable => "RangeNotSatisfiable",
            _ => "EntryNotFound",
        };
        let mut error = HubError::new(e.code.status(), code, e.message);
        error.headers = e.headers;
        error
    })
}
