//! Which GGUF file of a repository a tag names (SPEC §15): one rule for the Ollama manifest, the
//! older llama.cpp manifest, the detail page and the CLI. It is llama.cpp's own
//! (`common/download.cpp`: `find_best_model`, `get_gguf_split_info`, `find_best_sibling`), so
//! `llama-server -hf repo:TAG` and `ollama pull host/repo:TAG` get the same file:
//!
//! - a tag matches a file whose path contains `TAG.` or `TAG-`, any case; without a tag,
//!   `Q4_K_M`, then `Q8_0`, then the first model file;
//! - files named with `mmproj`, `imatrix`, `mtp-`, `eagle3-`, `dflash-`, `dspark-` are never the
//!   model; of a split model (`-00001-of-00003.gguf`) only the first part is chosen, and the
//!   choice carries every part;
//! - the projector is the `mmproj` file sharing the deepest folder with the model, then the one
//!   whose quantization bits are closest.

/// A model choice: its file (every part, in order, for a split model) and its projector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GgufChoice {
    pub parts: Vec<String>,
    pub mmproj: Option<String>,
}

impl GgufChoice {
    /// The file a single-file client downloads first (the first part of a split).
    pub fn primary(&self) -> &str {
        &self.parts[0]
    }
}

const NOT_MODELS: [&str; 6] = ["mmproj", "imatrix", "mtp-", "eagle3-", "dflash-", "dspark-"];

fn is_model(path: &str) -> bool {
    let Some(name) = path
        .strip_suffix(".gguf")
        .map(|_| path.rsplit('/').next().unwrap_or(path))
    else {
        return false;
    };
    !NOT_MODELS.iter().any(|word| name.contains(word))
}

/// A path's split part (`index`, `count`), the prefix shared by its parts, and its tag.
struct Split {
    prefix: String,
    tag: String,
    index: u32,
    count: u32,
}

fn split_info(path: &str) -> Option<Split> {
    let mut prefix = path.strip_suffix(".gguf")?.to_owned();
    let (mut index, mut count) = (1, 1);
    // `^(.+)-([0-9]{5})-of-([0-9]{5})$`, any case.
    let lower = prefix.to_ascii_lowercase();
    if lower.len() > 15 {
        let tail = &lower[lower.len() - 15..];
        let bytes = tail.as_bytes();
        let digits = |r: std::ops::Range<usize>| bytes[r].iter().all(u8::is_ascii_digit);
        if bytes[0] == b'-' && digits(1..6) && &tail[6..10] == "-of-" && digits(10..15) {
            index = tail[1..6].parse().unwrap_or(1);
            count = tail[10..15].parse().unwrap_or(1);
            prefix.truncate(prefix.len() - 15);
        }
    }
    // `[-.]([A-Z0-9_]+)$`, any case: the longest such run at the end.
    let run = prefix
        .bytes()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    let tag = if run > 0
        && run < prefix.len()
        && matches!(prefix.as_bytes()[prefix.len() - run - 1], b'-' | b'.')
    {
        prefix[prefix.len() - run..].to_ascii_uppercase()
    } else {
        String::new()
    };
    Some(Split {
        prefix,
        tag,
        index,
        count,
    })
}

/// `Q4_K_M` → 4, `F16` → 16, `Q8_0` → 8: the first number of the tag.
fn quant_bits(path: &str) -> i64 {
    let tag = split_info(path).map(|s| s.tag).unwrap_or_default();
    let digits: String = tag
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap_or(0)
}

/// `TAG[.-]` somewhere in the path, any case.
fn names_tag(path: &str, tag: &str) -> bool {
    let (path, tag) = (path.to_ascii_uppercase(), tag.to_ascii_uppercase());
    path.match_indices(&tag)
        .any(|(at, _)| matches!(path.as_bytes().get(at + tag.len()), Some(b'.' | b'-')))
}

/// The model file of `paths` a tag names (`None`: llama.cpp's default order), with its parts and
/// projector; `None` when no file matches.
pub fn choose(paths: &[&str], tag: Option<&str>) -> Option<GgufChoice> {
    let tags: Vec<&str> = match tag {
        Some(tag) => vec![tag],
        None => vec!["Q4_K_M", "Q8_0"],
    };
    let first_part = |path: &&str| split_info(path).is_some_and(|s| s.count <= 1 || s.index == 1);
    let found = tags
        .iter()
        .find_map(|t| {
            paths
                .iter()
                .find(|p| is_model(p) && names_tag(p, t) && first_part(p))
        })
        .or_else(|| {
            tag.is_none()
                .then(|| paths.iter().find(|p| is_model(p) && first_part(p)))
                .flatten()
        })?;
    Some(GgufChoice {
        parts: parts_of(paths, found),
        mmproj: best_mmproj(paths, found),
    })
}

fn parts_of(paths: &[&str], model: &str) -> Vec<String> {
    let Some(split) = split_info(model).filter(|s| s.count > 1) else {
        return vec![model.to_owned()];
    };
    let mut parts: Vec<(u32, &str)> = paths
        .iter()
        .filter_map(|p| {
            let s = split_info(p)?;
            (s.count == split.count && s.prefix == split.prefix).then_some((s.index, *p))
        })
        .collect();
    parts.sort();
    parts.into_iter().map(|(_, p)| p.to_owned()).collect()
}

/// `find_best_sibling(files, model, "mmproj")`: deepest shared folder, then closest bits.
fn best_mmproj(paths: &[&str], model: &str) -> Option<String> {
    let model_bits = quant_bits(model);
    let model_dirs: Vec<&str> = model.split('/').collect();
    let model_dirs = &model_dirs[..model_dirs.len() - 1];
    let mut best: Option<(usize, i64, &str)> = None;
    for path in paths {
        if !path.ends_with(".gguf") || !path.contains("mmproj") {
            continue;
        }
        let dirs: Vec<&str> = path.split('/').collect();
        let dirs = &dirs[..dirs.len() - 1];
        let shared = model_dirs
            .iter()
            .zip(dirs)
            .take_while(|(a, b)| a == b)
            .count();
        // The sibling's folders must all be the model's (it sits beside or above it).
        if shared != dirs.len() {
            continue;
        }
        let diff = (quant_bits(path) - model_bits).abs();
        let better = match best {
            None => true,
            Some((depth, best_diff, _)) => shared > depth || (shared == depth && diff < best_diff),
        };
        if better {
            best = Some((shared, diff, path));
        }
    }
    best.map(|(_, _, path)| path.to_owned())
}

/// The tags a repository offers: each model file's quantization (its first part for a split),
/// upper case, once each, in path order.
pub fn tags(paths: &[&str]) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for path in paths {
        if !is_model(path) {
            continue;
        }
        let Some(split) = split_info(path) else {
            continue;
        };
        if split.count > 1 && split.index != 1 || split.tag.is_empty() {
            continue;
        }
        if !tags.contains(&split.tag) {
            tags.push(split.tag);
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(paths: &[&str], tag: Option<&str>) -> Option<String> {
        choose(paths, tag).map(|c| c.primary().to_owned())
    }

    #[test]
    fn without_a_tag_q4_k_m_then_q8_0_then_the_first_model() {
        let repo = [
            "README.md",
            "m-F16.gguf",
            "m-Q8_0.gguf",
            "m-Q4_K_M.gguf",
            "mmproj-m-F16.gguf",
        ];
        assert_eq!(pick(&repo, None).as_deref(), Some("m-Q4_K_M.gguf"));
        assert_eq!(pick(&repo[..3], None).as_deref(), Some("m-Q8_0.gguf"));
        assert_eq!(pick(&repo[..2], None).as_deref(), Some("m-F16.gguf"));
        assert_eq!(pick(&["mmproj-only.gguf", "x.imatrix.gguf"], None), None);
    }

    #[test]
    fn a_tag_matches_any_case_before_a_dot_or_dash_and_never_falls_back() {
        let repo = [
            "Qwen3-8B-Q4_K_M.gguf",
            "Qwen3-8B-q5_k_m.gguf",
            "Qwen3-8B-Q8_0.gguf",
        ];
        assert_eq!(
            pick(&repo, Some("q5_k_m")).as_deref(),
            Some("Qwen3-8B-q5_k_m.gguf")
        );
        assert_eq!(
            pick(&repo, Some("Q8_0")).as_deref(),
            Some("Qwen3-8B-Q8_0.gguf")
        );
        assert_eq!(pick(&repo, Some("Q2_K")), None);
        // `Q4_K` is no match for `Q4_K_M` (the next character must be `.` or `-`).
        assert_eq!(pick(&repo, Some("Q4_K")), None);
    }

    #[test]
    fn a_split_model_is_chosen_by_its_first_part_and_carries_every_part() {
        let repo = [
            "big/m-Q4_K_M-00002-of-00003.gguf",
            "big/m-Q4_K_M-00001-of-00003.gguf",
            "big/m-Q4_K_M-00003-of-00003.gguf",
            "big/mmproj-m-F16.gguf",
            "mmproj-m-Q8_0.gguf",
        ];
        let choice = choose(&repo, Some("Q4_K_M")).unwrap();
        assert_eq!(
            choice.parts,
            [
                "big/m-Q4_K_M-00001-of-00003.gguf",
                "big/m-Q4_K_M-00002-of-00003.gguf",
                "big/m-Q4_K_M-00003-of-00003.gguf"
            ]
        );
        // The projector in the model's own folder wins over a closer quantization above it.
        assert_eq!(choice.mmproj.as_deref(), Some("big/mmproj-m-F16.gguf"));
        assert_eq!(tags(&repo), ["Q4_K_M"]);
    }

    #[test]
    fn the_projector_closest_in_bits_wins_in_one_folder() {
        let repo = ["m-Q4_K_M.gguf", "mmproj-m-F16.gguf", "mmproj-m-Q8_0.gguf"];
        assert_eq!(
            choose(&repo, None).unwrap().mmproj.as_deref(),
            Some("mmproj-m-Q8_0.gguf")
        );
        assert_eq!(tags(&repo), ["Q4_K_M"]);
    }
}
