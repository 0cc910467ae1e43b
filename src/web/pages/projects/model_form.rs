//! The model form of the project pages: registering on the models page, editing on a model's
//! page. Every field is kept as typed, so a refused form comes back as the member left it, with
//! the field the catalog rules refused marked.

use maud::{Markup, html};
use serde::Deserialize;

use crate::catalog::CatalogError;
use crate::catalog::model::{Model, ModelInput, PatchInput};
use crate::ops::access::session::Session;
use crate::web::pages::access::text;

/// The model form: every field as typed; empty means "not stated".
#[derive(Debug, Default, Deserialize)]
pub struct ModelForm {
    pub(crate) csrf: String,
    pub(crate) name: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    parameter_count: String,
    #[serde(default)]
    context_length: String,
    #[serde(default)]
    license: String,
    #[serde(default)]
    quantization: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    workload_type: String,
}

impl ModelForm {
    pub(crate) fn input(&self) -> ModelInput {
        ModelInput {
            name: Some(self.name.clone()),
            version: text(&self.version),
            description: text(&self.description),
            architecture: text(&self.architecture),
            parameter_count: text(&self.parameter_count),
            active_parameter_count: None,
            context_length: text(&self.context_length),
            license: text(&self.license),
            quantization: text(&self.quantization),
            format: text(&self.format),
            workload_type: text(&self.workload_type),
            artifact_uri: None,
        }
    }

    /// An edit sets every field of the form; an emptied field clears it.
    pub(crate) fn patch(&self) -> PatchInput {
        let set = |v: &str| Some(text(v));
        PatchInput {
            name: Some(self.name.clone()),
            version: set(&self.version),
            description: Some(Some(self.description.clone())),
            architecture: set(&self.architecture),
            parameter_count: set(&self.parameter_count),
            active_parameter_count: None,
            context_length: set(&self.context_length),
            license: set(&self.license),
            quantization: set(&self.quantization),
            format: set(&self.format),
            workload_type: set(&self.workload_type),
        }
    }

    pub(crate) fn from_model(model: &Model) -> Self {
        let d = &model.details;
        Self {
            csrf: String::new(),
            name: d.name.clone(),
            version: d.version.clone().unwrap_or_default(),
            description: d.description.clone(),
            architecture: d
                .architecture
                .as_ref()
                .map(|a| a.as_str().to_owned())
                .unwrap_or_default(),
            parameter_count: d.parameter_count.map(|p| p.to_string()).unwrap_or_default(),
            context_length: d
                .context_length
                .map(|c| c.get().to_string())
                .unwrap_or_default(),
            license: d
                .license
                .as_ref()
                .map(|l| l.key().to_owned())
                .unwrap_or_default(),
            quantization: d.quantization.clone().unwrap_or_default(),
            format: d.format.clone().unwrap_or_default(),
            workload_type: d.workload_type.clone().unwrap_or_default(),
        }
    }
}

/// The form's markup, posting to `action`; `error` marks the field it names.
pub(crate) fn model_form(
    session: &Session,
    action: &str,
    form: &ModelForm,
    error: Option<&CatalogError>,
    submit: &str,
) -> Markup {
    let fields: [(&str, &str, &str, &str); 9] = [
        ("name", "Name", &form.name, "Qwen3-30B-A3B"),
        (
            "architecture",
            "Architecture",
            &form.architecture,
            "qwen3moe or Qwen3MoeForCausalLM",
        ),
        (
            "parameter_count",
            "Parameters",
            &form.parameter_count,
            "30B",
        ),
        (
            "context_length",
            "Context length",
            &form.context_length,
            "128K",
        ),
        ("license", "License", &form.license, "apache-2.0"),
        (
            "workload_type",
            "Workload (comma-separated)",
            &form.workload_type,
            "chat,code",
        ),
        ("quantization", "Quantization", &form.quantization, "Q4_K_M"),
        ("format", "Format", &form.format, "gguf"),
        ("version", "Version", &form.version, "2507"),
    ];
    html! {
        form.model-form method="post" action=(action) novalidate {
            input type="hidden" name="csrf" value=(session.csrf_token);
            @if error.is_some() { p.error role="alert" { "Please fix the field marked below." } }
            @for (name, label, value, placeholder) in fields {
                @let invalid = error.is_some_and(|e| e.field() == name);
                div.field {
                    label for=(name) { (label) }
                    input id=(name) name=(name) value=(value) placeholder=(placeholder) aria-invalid=[invalid.then_some("true")] aria-describedby=[invalid.then(|| format!("{name}-error"))];
                    @if invalid { @if let Some(error) = error { span.field-error id=(format!("{name}-error")) { (error.to_string()) } } }
                }
            }
            div.field {
                label for="description" { "Description (markdown)" }
                textarea id="description" name="description" rows="6" { (form.description) }
                @if let Some(error) = error.filter(|e| e.field() == "description") { span.field-error { (error.to_string()) } }
            }
            button type="submit" { (submit) }
        }
    }
}
