//! What a licence lets a visitor do with a model (SPEC §11): each licence key the catalog knows
//! maps to one intent class with a one-line reason. Keys not in the table are *unknown*, never
//! guessed from their name: a reader should go and read such a licence.

use serde::Serialize;

/// The intent classes, in the order a filter lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Commercial,
    Conditions,
    NonCommercial,
    Research,
    Unknown,
}

impl Intent {
    pub const ALL: [Intent; 5] = [
        Intent::Commercial,
        Intent::Conditions,
        Intent::NonCommercial,
        Intent::Research,
        Intent::Unknown,
    ];

    /// The query-string value (`license_intent=commercial`).
    pub fn key(self) -> &'static str {
        match self {
            Intent::Commercial => "commercial",
            Intent::Conditions => "conditions",
            Intent::NonCommercial => "non_commercial",
            Intent::Research => "research",
            Intent::Unknown => "unknown",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.key() == input.trim())
    }

    /// How a chip or a filter names the class.
    pub fn label(self) -> &'static str {
        match self {
            Intent::Commercial => "Commercial use allowed",
            Intent::Conditions => "Commercial use with conditions",
            Intent::NonCommercial => "Non-commercial only",
            Intent::Research => "Research only",
            Intent::Unknown => "Licence terms unknown",
        }
    }
}

const LLAMA: &str = "commercial use allowed; products with over 700 M monthly active users need a licence from Meta, and Meta's acceptable use policy applies";

/// (licence key, intent, reason).
const TABLE: &[(&str, Intent, &str)] = &[
    (
        "apache-2.0",
        Intent::Commercial,
        "commercial use allowed; keep the licence and notices",
    ),
    (
        "mit",
        Intent::Commercial,
        "commercial use allowed; keep the copyright notice",
    ),
    (
        "bsd-2-clause",
        Intent::Commercial,
        "commercial use allowed; keep the copyright notice",
    ),
    (
        "bsd-3-clause",
        Intent::Commercial,
        "commercial use allowed; keep the copyright notice",
    ),
    (
        "unlicense",
        Intent::Commercial,
        "public domain dedication: any use allowed",
    ),
    (
        "cc0-1.0",
        Intent::Commercial,
        "public domain dedication: any use allowed",
    ),
    (
        "cc-by-4.0",
        Intent::Commercial,
        "commercial use allowed with attribution",
    ),
    (
        "mpl-2.0",
        Intent::Commercial,
        "commercial use allowed; changed files stay under the MPL",
    ),
    (
        "cc-by-sa-4.0",
        Intent::Conditions,
        "commercial use allowed; adaptations must be shared under the same licence",
    ),
    (
        "gpl-3.0",
        Intent::Conditions,
        "commercial use allowed; what you distribute must be GPL with its source",
    ),
    (
        "agpl-3.0",
        Intent::Conditions,
        "commercial use allowed; a network service built on it must offer its source",
    ),
    (
        "lgpl-3.0",
        Intent::Conditions,
        "commercial use allowed; changes to the licensed part must be shared",
    ),
    (
        "cc-by-nc-4.0",
        Intent::NonCommercial,
        "non-commercial use only, with attribution",
    ),
    (
        "cc-by-nc-sa-4.0",
        Intent::NonCommercial,
        "non-commercial use only; adaptations under the same licence",
    ),
    ("llama2", Intent::Conditions, LLAMA),
    ("llama3", Intent::Conditions, LLAMA),
    ("llama3.1", Intent::Conditions, LLAMA),
    ("llama3.2", Intent::Conditions, LLAMA),
    ("llama3.3", Intent::Conditions, LLAMA),
    ("llama4", Intent::Conditions, LLAMA),
    (
        "gemma",
        Intent::Conditions,
        "commercial use allowed under the Gemma Terms of Use; Google's prohibited use policy applies",
    ),
    (
        "deepseek",
        Intent::Conditions,
        "commercial use allowed; the DeepSeek licence's use restrictions apply",
    ),
    (
        "qwen",
        Intent::Conditions,
        "commercial use allowed; products with over 100 M monthly active users need a licence from Alibaba Cloud",
    ),
    (
        "other:tongyi-qianwen",
        Intent::Conditions,
        "commercial use allowed; products with over 100 M monthly active users need a licence from Alibaba Cloud",
    ),
    (
        "qwen-research",
        Intent::Research,
        "research and evaluation only; commercial use needs a licence from Alibaba Cloud",
    ),
    (
        "other:tongyi-qianwen-research",
        Intent::Research,
        "research and evaluation only; commercial use needs a licence from Alibaba Cloud",
    ),
    (
        "other:mnpl",
        Intent::NonCommercial,
        "Mistral AI Non-Production Licence: research, testing and personal use, no production or commercial use",
    ),
    (
        "other:mrl",
        Intent::Research,
        "Mistral AI Research Licence: research use only; commercial use needs a licence from Mistral AI",
    ),
    (
        "other:minimax-non-commercial",
        Intent::NonCommercial,
        "non-commercial use only",
    ),
    (
        "other:minimax",
        Intent::Conditions,
        "commercial use allowed under the MiniMax model licence and its use policy",
    ),
    (
        "other:modified-mit",
        Intent::Conditions,
        "MIT with one condition: very large products (over 100 M monthly users or 20 M USD monthly revenue) must credit the model in their interface",
    ),
    (
        "other:glm-4",
        Intent::Conditions,
        "commercial use allowed after registering with Zhipu AI",
    ),
    (
        "other:glm-edge",
        Intent::Conditions,
        "commercial use allowed after registering with Zhipu AI",
    ),
    (
        "other:codegeex4",
        Intent::Conditions,
        "commercial use allowed after registering with Zhipu AI",
    ),
    (
        "other:cogagent",
        Intent::Conditions,
        "commercial use allowed after registering with Zhipu AI",
    ),
    (
        "other:baichuan2-community",
        Intent::Conditions,
        "commercial use needs Baichuan's written permission, granted to products under 1 M daily active users",
    ),
    (
        "other:telechat-community",
        Intent::Conditions,
        "commercial use needs China Telecom's written permission",
    ),
    (
        "other:seallms",
        Intent::Conditions,
        "commercial use allowed under the SeaLLMs terms of use, whose use restrictions apply",
    ),
    (
        "other:orion-14b-community",
        Intent::Conditions,
        "commercial use needs OrionStar's written permission",
    ),
    (
        "openrail",
        Intent::Conditions,
        "commercial use allowed; the licence's use restrictions apply",
    ),
    (
        "openrail++",
        Intent::Conditions,
        "commercial use allowed; the licence's use restrictions apply",
    ),
    (
        "bigscience-openrail-m",
        Intent::Conditions,
        "commercial use allowed; the licence's use restrictions apply",
    ),
    (
        "creativeml-openrail-m",
        Intent::Conditions,
        "commercial use allowed; the licence's use restrictions apply",
    ),
    (
        "bigcode-openrail-m",
        Intent::Conditions,
        "commercial use allowed; the licence's use restrictions apply",
    ),
];

/// The intent of a licence key and its reason; `None` (no licence stated) and keys the table
/// does not know are [`Intent::Unknown`].
pub fn intent_of(license: Option<&str>) -> (Intent, &'static str) {
    let Some(key) = license else {
        return (
            Intent::Unknown,
            "no licence is stated: ask the model's owner before using it",
        );
    };
    TABLE.iter().find(|(k, _, _)| *k == key).map_or(
        (
            Intent::Unknown,
            "a licence the catalog does not know: read its terms before using the model",
        ),
        |(_, intent, reason)| (*intent, *reason),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_licence_of_the_demo_data_has_a_class() {
        let demo = include_str!("../../demo/models-real.jsonl");
        for line in demo.lines() {
            let row: serde_json::Value = serde_json::from_str(line).unwrap();
            if let Some(key) = row["license"].as_str() {
                let key = super::super::license::License::parse(key).unwrap();
                let (intent, _) = intent_of(Some(key.key()));
                assert_ne!(intent, Intent::Unknown, "{key:?} is not in the table");
            }
        }
    }

    #[test]
    fn unknown_keys_are_never_guessed() {
        assert_eq!(
            intent_of(Some("other:made-up-commercial-ok")).0,
            Intent::Unknown
        );
        assert_eq!(intent_of(None).0, Intent::Unknown);
        let (intent, reason) = intent_of(Some("llama3"));
        assert_eq!(intent, Intent::Conditions);
        assert!(reason.contains("700 M"));
        assert_eq!(Intent::parse("non_commercial"), Some(Intent::NonCommercial));
    }
}
