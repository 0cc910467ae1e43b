//! Architecture families: the built-in table of known slugs with a display name, a one-line
//! description, a logo (an SVG drawn for this project, under `assets/logos/`) and whether the
//! architecture is mixture-of-experts. Unknown slugs still form a family, with a generic logo.

use super::architecture::Architecture;

/// How the catalog presents one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Family {
    pub slug: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    /// File stem under `assets/logos/`.
    pub logo: &'static str,
    pub moe: bool,
}

/// A family for a slug the table does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyView {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub logo: &'static str,
    pub moe: bool,
}

/// The family key of models without an architecture.
pub const UNKNOWN_SLUG: &str = "unknown";

const fn f(
    slug: &'static str,
    name: &'static str,
    logo: &'static str,
    moe: bool,
    description: &'static str,
) -> Family {
    Family {
        slug,
        name,
        description,
        logo,
        moe,
    }
}

/// Known architectures, by slug.
pub const FAMILIES: &[Family] = &[
    f(
        "llama",
        "Llama",
        "llama",
        false,
        "Meta's dense decoder-only transformers and the many fine-tunes built on them.",
    ),
    f(
        "mllama",
        "Llama Vision",
        "llama",
        false,
        "Llama models with an image encoder for visual question answering.",
    ),
    f(
        "mistral",
        "Mistral",
        "mistral",
        false,
        "Mistral AI's dense decoders with sliding-window attention.",
    ),
    f(
        "mixtral",
        "Mixtral",
        "mistral",
        true,
        "Sparse mixture-of-experts models from Mistral AI: eight experts, two active per token.",
    ),
    f(
        "qwen",
        "Qwen (1st gen)",
        "qwen",
        false,
        "The first Qwen generation from Alibaba Cloud.",
    ),
    f(
        "qwen2",
        "Qwen2",
        "qwen",
        false,
        "Alibaba's Qwen2 and Qwen2.5 dense decoders, the base of many distilled models.",
    ),
    f(
        "qwen2moe",
        "Qwen2 MoE",
        "qwen",
        true,
        "Mixture-of-experts variants of Qwen1.5 and Qwen2.",
    ),
    f(
        "qwen2vl",
        "Qwen2-VL",
        "qwen",
        false,
        "Qwen2 vision-language models that read images and video.",
    ),
    f(
        "qwen25vl",
        "Qwen2.5-VL",
        "qwen",
        false,
        "Qwen2.5 vision-language models with document and agent skills.",
    ),
    f(
        "qwen25omni",
        "Qwen2.5-Omni",
        "qwen",
        false,
        "End-to-end multimodal Qwen models that hear, see and speak.",
    ),
    f(
        "qwen2audio",
        "Qwen2-Audio",
        "qwen",
        false,
        "Qwen2 models that take audio input.",
    ),
    f(
        "qwen3",
        "Qwen3",
        "qwen",
        false,
        "Dense Qwen3 decoders with switchable thinking mode.",
    ),
    f(
        "qwen3moe",
        "Qwen3 MoE",
        "qwen",
        true,
        "Qwen3 mixture-of-experts models such as 30B-A3B and 235B-A22B.",
    ),
    f(
        "qwen3next",
        "Qwen3-Next",
        "qwen",
        true,
        "Qwen3-Next: hybrid attention with a highly sparse mixture of experts.",
    ),
    f(
        "qwen3vlmoe",
        "Qwen3-VL MoE",
        "qwen",
        true,
        "Qwen3 vision-language mixture-of-experts models.",
    ),
    f(
        "qwen3omnimoe",
        "Qwen3-Omni MoE",
        "qwen",
        true,
        "Qwen3 omni-modal mixture-of-experts models.",
    ),
    f(
        "qwen35",
        "Qwen3.5",
        "qwen",
        false,
        "Dense models of the Qwen3.5 generation.",
    ),
    f(
        "qwen35moe",
        "Qwen3.5 MoE",
        "qwen",
        true,
        "Mixture-of-experts models of the Qwen3.5 generation.",
    ),
    f(
        "deepseekv2",
        "DeepSeek-V2",
        "deepseek",
        true,
        "DeepSeek-V2 mixture-of-experts with multi-head latent attention.",
    ),
    f(
        "deepseekv3",
        "DeepSeek-V3",
        "deepseek",
        true,
        "DeepSeek-V3 and R1: 671B-parameter mixture of experts, 37B active.",
    ),
    f(
        "deepseekv32",
        "DeepSeek-V3.2",
        "deepseek",
        true,
        "DeepSeek-V3.2 with sparse attention for long contexts.",
    ),
    f(
        "deepseekv4",
        "DeepSeek-V4",
        "deepseek",
        true,
        "The fourth DeepSeek mixture-of-experts generation.",
    ),
    f(
        "gemma",
        "Gemma",
        "gemma",
        false,
        "Google's lightweight open Gemma decoders.",
    ),
    f(
        "gemma2",
        "Gemma 2",
        "gemma",
        false,
        "Gemma 2 with interleaved local and global attention.",
    ),
    f(
        "gemma3",
        "Gemma 3",
        "gemma",
        false,
        "Gemma 3: multimodal, multilingual, up to 128K context.",
    ),
    f(
        "gemma4",
        "Gemma 4",
        "gemma",
        false,
        "The fourth Gemma generation.",
    ),
    f(
        "phi",
        "Phi",
        "phi",
        false,
        "Microsoft's small Phi models trained on textbook-quality data.",
    ),
    f(
        "phi2",
        "Phi-2",
        "phi",
        false,
        "Phi-2, a 2.7B model that punches above its size.",
    ),
    f(
        "phi3",
        "Phi-3",
        "phi",
        false,
        "Phi-3 small language models with up to 128K context.",
    ),
    f(
        "phimoe",
        "Phi MoE",
        "phi",
        true,
        "Phi mixture-of-experts models.",
    ),
    f(
        "commandr",
        "Command R",
        "cohere",
        false,
        "Cohere's Command R models for retrieval-augmented generation and tools.",
    ),
    f(
        "cohere",
        "Command R",
        "cohere",
        false,
        "Cohere's Command R models for retrieval-augmented generation and tools.",
    ),
    f(
        "falcon",
        "Falcon",
        "falcon",
        false,
        "TII's Falcon decoders trained on RefinedWeb.",
    ),
    f(
        "gptneox",
        "GPT-NeoX",
        "gpt",
        false,
        "EleutherAI's GPT-NeoX architecture (Pythia and friends).",
    ),
    f("gpt2", "GPT-2", "gpt", false, "The classic GPT-2 decoder."),
    f(
        "gptoss",
        "gpt-oss",
        "gpt",
        true,
        "OpenAI's open-weight mixture-of-experts reasoning models.",
    ),
    f(
        "opt",
        "OPT",
        "opt",
        false,
        "Meta's Open Pre-trained Transformers.",
    ),
    f(
        "bert",
        "BERT",
        "bert",
        false,
        "Bidirectional encoders, mostly used for embeddings and reranking.",
    ),
    f(
        "xlmroberta",
        "XLM-RoBERTa",
        "bert",
        false,
        "Multilingual RoBERTa encoders behind many embedding models.",
    ),
    f(
        "nomicbert",
        "Nomic BERT",
        "bert",
        false,
        "Nomic's long-context BERT encoders for embeddings.",
    ),
    f(
        "t5",
        "T5",
        "t5",
        false,
        "Google's encoder-decoder text-to-text transformers.",
    ),
    f(
        "glm",
        "GLM",
        "glm",
        false,
        "Zhipu's GLM decoders, including GLM-Edge.",
    ),
    f(
        "chatglm",
        "ChatGLM",
        "glm",
        false,
        "Zhipu's ChatGLM and CodeGeeX models.",
    ),
    f("glm4", "GLM-4", "glm", false, "Dense GLM-4 models."),
    f(
        "glm4v",
        "GLM-4V",
        "glm",
        false,
        "GLM-4 vision-language models.",
    ),
    f(
        "glm4moe",
        "GLM-4 MoE",
        "glm",
        true,
        "GLM-4.5 and later mixture-of-experts models for agents and code.",
    ),
    f(
        "glm4moelite",
        "GLM-4 MoE Lite",
        "glm",
        true,
        "Small GLM-4 mixture-of-experts models.",
    ),
    f(
        "glm4vmoe",
        "GLM-4V MoE",
        "glm",
        true,
        "GLM-4.5V vision-language mixture of experts.",
    ),
    f(
        "glmmoedsa",
        "GLM MoE DSA",
        "glm",
        true,
        "GLM-5 mixture of experts with sparse attention.",
    ),
    f(
        "minicpm",
        "MiniCPM",
        "minicpm",
        false,
        "OpenBMB's efficient small MiniCPM models.",
    ),
    f(
        "minicpm3",
        "MiniCPM3",
        "minicpm",
        false,
        "MiniCPM3 with multi-head latent attention.",
    ),
    f(
        "minicpmv",
        "MiniCPM-V",
        "minicpm",
        false,
        "MiniCPM vision-language models for phones and laptops.",
    ),
    f(
        "minicpmv46",
        "MiniCPM-V 4.6",
        "minicpm",
        false,
        "MiniCPM-V 4.6 vision-language models.",
    ),
    f(
        "internvlchat",
        "InternVL",
        "intern",
        false,
        "Shanghai AI Lab's InternVL vision-language models.",
    ),
    f(
        "internlm3",
        "InternLM3",
        "intern",
        false,
        "InternLM3 dense decoders.",
    ),
    f(
        "ernie45",
        "ERNIE 4.5",
        "ernie",
        false,
        "Baidu's ERNIE 4.5 models.",
    ),
    f(
        "minimaxm2",
        "MiniMax-M2",
        "minimax",
        true,
        "MiniMax-M2 mixture of experts for coding and agents.",
    ),
    f(
        "minimaxm3sparse",
        "MiniMax-M3",
        "minimax",
        true,
        "MiniMax-M3 sparse mixture of experts.",
    ),
    f(
        "baichuan",
        "Baichuan",
        "baichuan",
        false,
        "Baichuan's bilingual Chinese-English decoders.",
    ),
    f(
        "telechat",
        "TeleChat",
        "telechat",
        false,
        "China Telecom's TeleChat models.",
    ),
    f(
        "seedoss",
        "Seed-OSS",
        "seed",
        false,
        "ByteDance Seed's open-source decoders with long context.",
    ),
    f(
        "bailingmoev3",
        "Ling 3.0",
        "ling",
        true,
        "inclusionAI's Ling mixture-of-experts models.",
    ),
    f(
        "hunyuandensev1",
        "Hunyuan (dense)",
        "hunyuan",
        false,
        "Tencent Hunyuan dense models, including translation models.",
    ),
    f(
        "hyv3",
        "Hunyuan V3",
        "hunyuan",
        true,
        "Tencent Hunyuan V3 mixture-of-experts models.",
    ),
    f(
        "kimik25",
        "Kimi K2.5",
        "kimi",
        true,
        "Moonshot AI's trillion-parameter Kimi mixture of experts.",
    ),
    f(
        "orion",
        "Orion",
        "orion",
        false,
        "OrionStar's multilingual Orion models.",
    ),
    f(
        "ovis",
        "Ovis",
        "ovis",
        false,
        "Multimodal models that align visual and textual embeddings structurally.",
    ),
    f(
        "stablelm",
        "StableLM",
        "stablelm",
        false,
        "Stability AI's StableLM models.",
    ),
    f(
        "starcoder2",
        "StarCoder2",
        "gpt",
        false,
        "BigCode's StarCoder2 code models.",
    ),
];

/// Returns the table entry for a slug, if the table knows it.
pub fn find_family(slug: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|family| family.slug == slug)
}

/// Returns how the catalog presents the family of an architecture (or of none).
pub fn family_of(architecture: Option<&Architecture>) -> FamilyView {
    family_view(architecture.map_or(UNKNOWN_SLUG, Architecture::as_str))
}

/// Returns how the catalog presents a family slug; unknown slugs get a generic entry whose
/// MoE flag follows the `…moe` naming convention.
pub fn family_view(slug: &str) -> FamilyView {
    if let Some(family) = find_family(slug) {
        return FamilyView {
            slug: family.slug.to_owned(),
            name: family.name.to_owned(),
            description: family.description.to_owned(),
            logo: family.logo,
            moe: family.moe,
        };
    }
    if slug == UNKNOWN_SLUG {
        return FamilyView {
            slug: slug.to_owned(),
            name: "Unspecified architecture".to_owned(),
            description: "Models registered without an architecture.".to_owned(),
            logo: "generic",
            moe: false,
        };
    }
    FamilyView {
        slug: slug.to_owned(),
        name: slug.to_owned(),
        description: format!("Models with the `{slug}` architecture."),
        logo: "generic",
        moe: slug.ends_with("moe"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_unique_and_normalised() {
        for (i, family) in FAMILIES.iter().enumerate() {
            assert_eq!(
                Architecture::parse(family.slug).unwrap().as_str(),
                family.slug
            );
            assert!(
                FAMILIES[..i].iter().all(|other| other.slug != family.slug),
                "{} twice",
                family.slug
            );
        }
    }

    #[test]
    fn every_architecture_in_the_real_data_is_in_the_table() {
        let data = include_str!("../../demo/models-real.jsonl");
        for line in data.lines() {
            let row: serde_json::Value = serde_json::from_str(line).unwrap();
            if let Some(slug) = row["architecture"].as_str() {
                assert!(
                    find_family(slug).is_some(),
                    "family `{slug}` missing from the table"
                );
            }
        }
    }

    #[test]
    fn unknown_slugs_form_a_generic_family() {
        let view = family_view("frobnicator");
        assert_eq!(
            (view.name.as_str(), view.logo, view.moe),
            ("frobnicator", "generic", false)
        );
        assert!(family_view("futuremoe").moe);
        assert!(family_view("mixtral").moe && !family_view("llama").moe);
        assert_eq!(family_of(None).slug, UNKNOWN_SLUG);
    }
}
