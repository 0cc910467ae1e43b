//! `xeroctl admin keygen | export | import | backup | restore`: air-gapped operations (issue 15).
//! The work is in `ops::admin::bundle`; this file parses ids, draws the progress bar and prints the
//! report: results on stdout (one line per model), notes on stderr.

use std::path::{Path, PathBuf};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::output::{note, out};
use crate::catalog::ids::ProjectId;
use crate::ops::Services;
use crate::ops::admin::bundle::apply::Action;
use crate::ops::admin::bundle::export::ExportRequest;
use crate::ops::admin::bundle::import::ImportRequest;
use crate::ops::admin::bundle::{Progress, backup, export, import, signing};

/// A byte progress bar on stderr (drawn only at a terminal).
struct Bar(Option<ProgressBar>);

impl Bar {
    fn boxed() -> Box<dyn Progress> {
        Box::new(Self(None))
    }
}

impl Progress for Bar {
    fn start(&mut self, total: u64) {
        if total == 0 {
            return;
        }
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        self.0 = Some(bar);
    }

    fn advance(&mut self, bytes: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(bytes);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}

pub fn keygen(name: &Path) -> anyhow::Result<()> {
    let keys = signing::generate_keys(name)?;
    out!("{}", keys.public.display());
    note!(
        "key {} written: `{}` signs (keep it private, mode 0600), `{}` verifies (give it to the importing side)",
        keys.key_id,
        keys.secret.display(),
        keys.public.display()
    );
    Ok(())
}

pub struct ExportArgs {
    pub output: PathBuf,
    pub sign: PathBuf,
    pub shared_only: bool,
    pub project: Option<String>,
    pub query: Option<String>,
    pub with_files: bool,
}

pub async fn export(services: &Services, args: ExportArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let request = ExportRequest {
        output: args.output.clone(),
        signing_key: args.sign,
        shared_only: args.shared_only,
        project: args.project.as_deref().map(parse_project).transpose()?,
        query: args.query,
        with_files: args.with_files,
    };
    let report = export::export(services, request, Bar::boxed()).await?;
    note!(
        "exported {} models and {} files ({} bytes) to `{}` in {:.1} s",
        report.models,
        report.files,
        report.file_bytes,
        args.output.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub struct ImportArgs {
    pub file: PathBuf,
    pub trust: PathBuf,
    pub project: Option<String>,
    pub dry_run: bool,
    pub assume_free_bytes: Option<u64>,
}

pub async fn import(services: &Services, args: ImportArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let request = ImportRequest {
        bundle: args.file.clone(),
        trusted_key: args.trust,
        project: args.project.as_deref().map(parse_project).transpose()?,
        dry_run: args.dry_run,
        free_space: args.assume_free_bytes,
    };
    let report = import::import(services, request, Bar::boxed())
        .await
        .with_context(|| format!("bundle `{}` refused", args.file.display()))?;
    let would = if report.applied { "" } else { "would be " };
    for project in &report.plan.created_projects {
        out!(
            "{would}created project {} (`{}`, {}): the bundle's models go there; add members with `admin add-member`",
            project.id,
            project.slug,
            project.name
        );
    }
    for model in &report.plan.models {
        let what = match &model.action {
            Action::Add => "added".to_owned(),
            Action::Update(fields) => format!("updated ({})", fields.join(", ")),
            Action::Unchanged => "skipped: unchanged".to_owned(),
            Action::Skip(reason) => format!("skipped: {reason}"),
        };
        let what = match model.action {
            Action::Add | Action::Update(_) => format!("{would}{what}"),
            _ => what,
        };
        out!("{} {} in {}: {what}", model.id, model.name, model.project);
    }
    let (added, updated, unchanged, skipped) = report.plan.counts();
    note!(
        "{}{added} added, {updated} updated, {} skipped ({unchanged} unchanged); {} files verified, {} bytes stored; bundle made {}, {:.1} s",
        if report.applied {
            "imported: "
        } else {
            "dry run, nothing written: "
        },
        unchanged + skipped,
        report.files_verified,
        report.bytes_stored,
        report.created_at,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub async fn backup(services: &Services, output: &Path) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let report = backup::backup(services, output.to_owned(), Bar::boxed()).await?;
    for sha in &report.missing {
        note!("warning: blob {sha} is named by the database but missing from the store");
    }
    note!(
        "backed up the database and {} blobs ({} bytes) to `{}` in {:.1} s",
        report.blobs,
        report.blob_bytes,
        output.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub fn restore(file: &Path, data_dir: &Path) -> anyhow::Result<()> {
    let mut bar = Bar(None);
    let report = backup::restore(file, data_dir, &mut bar)
        .with_context(|| format!("backup `{}` not restored", file.display()))?;
    note!(
        "restored the database and {} blobs ({} bytes) into `{}`; `xeroctl serve` rebuilds the search index at start",
        report.blobs,
        report.blob_bytes,
        data_dir.display()
    );
    Ok(())
}

fn parse_project(raw: &str) -> anyhow::Result<ProjectId> {
    ProjectId::parse(raw).with_context(|| format!("`{raw}` is not a project id like `proj_ABC123`"))
}
