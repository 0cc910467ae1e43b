//! Query understanding, as data (SPEC §13, issue 28): the words people type that mean a field.
//! One reviewed table per kind — publishers and organisations (in English, in the scripts and
//! transliterations they go by) → the families they publish; workload words in everyday forms
//! and in zh, es, fr, de, ja, pt → tags; common misspellings → the word meant; stop words; size
//! words → a soft boost. The search plans its clauses from [`understand`]; nothing here touches
//! the index.

use super::words::query_words;

/// Publisher and organisation words → the family slugs of the models they publish. A word
/// matches these families' models through the indexed family field, which ranks above a mere
/// mention in a description (a card comparing itself with an OpenAI model is not OpenAI's).
const PUBLISHERS: &[(&[&str], &[&str])] = &[
    (
        &[
            "qwen",
            "alibaba",
            "alibaba-cloud",
            "tongyi",
            "通义",
            "千问",
            "通义千问",
            "阿里",
            "阿里巴巴",
            "阿里云",
        ],
        &[
            "qwen",
            "qwen2",
            "qwen2moe",
            "qwen2vl",
            "qwen25vl",
            "qwen25omni",
            "qwen2audio",
            "qwen3",
            "qwen3moe",
            "qwen3vlmoe",
            "qwen3next",
            "qwen3omnimoe",
            "qwen35",
            "qwen35moe",
        ],
    ),
    (
        &["deepseek", "deepseek-ai", "深度求索", "深度"],
        &["deepseekv2", "deepseekv3", "deepseekv32", "deepseekv4"],
    ),
    (
        &["meta", "facebook", "meta-llama"],
        &["llama", "mllama", "opt"],
    ),
    (
        &["google", "deepmind", "谷歌"],
        &["gemma", "gemma2", "gemma3", "gemma4"],
    ),
    (&["microsoft", "微软"], &["phi", "phi2", "phi3"]),
    (&["mistralai", "mistral", "法国"], &["mistral", "mixtral"]),
    (&["openai"], &["gptoss", "gpt2"]),
    (
        &["zhipu", "zhipuai", "thudm", "zai", "智谱", "清华"],
        &[
            "glm",
            "glm4",
            "glm4v",
            "glm4moe",
            "glm4vmoe",
            "glm4moelite",
            "glmmoedsa",
            "chatglm",
        ],
    ),
    (
        &["moonshot", "moonshotai", "kimi", "月之暗面"],
        &["kimik25"],
    ),
    (
        &["minimax", "minimaxai", "稀宇"],
        &["minimaxm2", "minimaxm3sparse"],
    ),
    (
        &["baidu", "ernie", "百度", "文心", "文心一言"],
        &["ernie45"],
    ),
    (
        &["tencent", "hunyuan", "腾讯", "混元"],
        &["hunyuandensev1", "hyv3"],
    ),
    (
        &["openbmb", "面壁"],
        &["minicpm", "minicpm3", "minicpmv", "minicpmv46"],
    ),
    (
        &["internlm", "shlab", "书生", "浦语"],
        &["internlm3", "internvlchat"],
    ),
    (&["baichuan", "baichuan-inc", "百川"], &["baichuan"]),
    (&["bytedance", "seed", "字节", "字节跳动"], &["seedoss"]),
    (
        &["inclusionai", "antgroup", "ant", "蚂蚁", "百灵"],
        &["bailingmoev3"],
    ),
    (&["aidc-ai", "ovis"], &["ovis"]),
    (&["telecom", "tele-ai", "电信", "星辰"], &["telechat"]),
    (&["orionstar", "猎户星空"], &["orion"]),
    (&["stabilityai", "stability"], &["stablelm"]),
];

/// Transliterations and names in other scripts written as several words, read as one.
const PHRASES: &[(&str, &str)] = &[
    ("tongyi qianwen", "qwen"),
    ("tong yi qian wen", "qwen"),
    ("qian wen", "qwen"),
    ("shendu qiusuo", "deepseek"),
    ("wen xin", "ernie"),
    ("wenxin yiyan", "ernie"),
    ("hun yuan", "hunyuan"),
    ("zhi pu", "zhipu"),
    ("yue zhi an mian", "moonshot"),
    ("mistral ai", "mistralai"),
    ("open ai", "openai"),
    ("deep seek", "deepseek"),
    ("text embedding", "embedding"),
    ("function calling", "tools"),
    ("tool use", "tools"),
];

/// Workload words in their everyday forms and in the major languages → catalog tags.
const WORKLOADS: &[(&[&str], &str)] = &[
    (
        &[
            "code",
            "coding",
            "coder",
            "programming",
            "programmer",
            "developer",
            "software",
            "código",
            "codigo",
            "programación",
            "programacion",
            "programmation",
            "programmierung",
            "programmieren",
            "programação",
            "programacao",
            "编程",
            "代码",
            "程序",
            "コード",
            "プログラミング",
        ],
        "code",
    ),
    (
        &[
            "embedding",
            "embeddings",
            "embed",
            "vector",
            "vectors",
            "retrieval",
            "向量",
            "嵌入",
            "ベクトル",
            "incrustación",
            "plongement",
        ],
        "embedding",
    ),
    (
        &[
            "rerank",
            "reranker",
            "reranking",
            "re-rank",
            "重排",
            "重排序",
            "リランク",
        ],
        "rerank",
    ),
    (
        &[
            "speech",
            "audio",
            "asr",
            "tts",
            "voice",
            "transcription",
            "语音",
            "音频",
            "voz",
            "parole",
            "sprache",
            "音声",
            "áudio",
            "fala",
        ],
        "audio",
    ),
    (
        &[
            "vision",
            "visual",
            "image",
            "images",
            "ocr",
            "multimodal",
            "vl",
            "vlm",
            "视觉",
            "图像",
            "多模态",
            "visión",
            "imagen",
            "multimodale",
            "bild",
            "画像",
            "visão",
            "imagem",
        ],
        "vision",
    ),
    (
        &[
            "reasoning",
            "reason",
            "thinking",
            "think",
            "math",
            "推理",
            "思考",
            "razonamiento",
            "raisonnement",
            "denken",
            "schlussfolgern",
            "推論",
            "raciocínio",
            "raciocinio",
        ],
        "reasoning",
    ),
    (
        &[
            "chat",
            "chatbot",
            "assistant",
            "conversation",
            "dialogue",
            "对话",
            "聊天",
            "conversación",
            "conversacion",
            "dialogue",
            "unterhaltung",
            "会話",
            "conversa",
        ],
        "chat",
    ),
    (
        &[
            "tools",
            "tool",
            "agent",
            "agents",
            "agentic",
            "工具",
            "智能体",
            "herramientas",
            "outils",
            "werkzeuge",
            "ツール",
            "ferramentas",
        ],
        "tools",
    ),
    (
        &[
            "multilingual",
            "translation",
            "translate",
            "translator",
            "多语言",
            "翻译",
            "traducción",
            "traduccion",
            "traduction",
            "übersetzung",
            "翻訳",
            "tradução",
            "traducao",
            "multilingue",
            "mehrsprachig",
        ],
        "multilingual",
    ),
    (&["omni", "全模态"], "omni"),
];

/// Misspellings people make of model names, → the word meant (two edits or more away, or
/// shorter than the words typo expansion reaches).
const MISSPELLINGS: &[(&str, &str)] = &[
    ("lamma", "llama"),
    ("lama", "llama"),
    ("llamma", "llama"),
    ("llmama", "llama"),
    ("quen", "qwen"),
    ("qwan", "qwen"),
    ("qwein", "qwen"),
    ("quwen", "qwen"),
    ("mistal", "mistral"),
    ("mistrel", "mistral"),
    ("mixtrel", "mixtral"),
    ("deepsek", "deepseek"),
    ("deapseek", "deepseek"),
    ("deepseak", "deepseek"),
    ("gema", "gemma"),
    ("gemmma", "gemma"),
    ("instrcut", "instruct"),
    ("intruct", "instruct"),
    ("insturct", "instruct"),
    ("embeding", "embedding"),
    ("embedings", "embedding"),
    ("reasonning", "reasoning"),
    ("resoning", "reasoning"),
];

/// Words that carry no meaning in a search box: dropped unless the query has nothing else.
const STOP_WORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "for",
    "of",
    "with",
    "and",
    "or",
    "to",
    "in",
    "on",
    "by",
    "at",
    "from",
    "is",
    "are",
    "be",
    "that",
    "this",
    "which",
    "what",
    "can",
    "i",
    "me",
    "my",
    "we",
    "want",
    "need",
    "find",
    "show",
    "give",
    "looking",
    "search",
    "please",
    "some",
    "any",
    "best",
    "good",
    "great",
    "top",
    "new",
    "latest",
    "model",
    "models",
    "llm",
    "llms",
    "ai",
    "open",
    "source",
    "weights",
    "el",
    "la",
    "los",
    "las",
    "un",
    "una",
    "y",
    "con",
    "para",
    "del",
    "modelo",
    "le",
    "les",
    "des",
    "une",
    "et",
    "avec",
    "pour",
    "du",
    "modèle",
    "der",
    "die",
    "das",
    "und",
    "ein",
    "eine",
    "für",
    "modell",
    "o",
    "os",
    "um",
    "uma",
    "com",
    "do",
    "da",
    "的",
    "模型",
    "一个",
    "和",
    "用于",
    "の",
    "モデル",
];

/// Size words: a soft boost for parameter counts in the range, never a filter.
const SIZE_WORDS: &[(&str, u64, u64)] = &[
    ("tiny", 1, 1_000_000_000),
    ("small", 1, 4_000_000_000),
    ("mini", 1, 4_000_000_000),
    ("large", 30_000_000_000, u64::MAX),
    ("big", 30_000_000_000, u64::MAX),
    ("huge", 100_000_000_000, u64::MAX),
];

/// What a word of a query means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWord {
    /// The word as matched against names, tags and descriptions (a misspelling corrected).
    pub text: String,
    /// The word typed, when a correction replaced it (also matched).
    pub typed: Option<String>,
    /// Must match (in "all" mode); false for soft words that only add score.
    pub required: bool,
    /// Terms of the indexed tags-and-family field that mean this word (tags, family slugs).
    pub fields: Vec<&'static str>,
    /// A soft parameter range: adds score, never filters.
    pub soft_size: Option<(u64, u64)>,
}

/// The words of a query with what they mean, distinct, in order. Stop words are dropped
/// unless nothing else is left; phrases of the table are read as their word first.
pub fn understand(text: &str) -> Vec<QueryWord> {
    let mut lowered = format!(" {} ", text.to_lowercase());
    for (phrase, word) in PHRASES {
        let spaced = format!(" {phrase} ");
        while let Some(at) = lowered.find(&spaced) {
            lowered.replace_range(at..at + spaced.len(), &format!(" {word} "));
        }
    }
    let raw = query_words(&lowered).unwrap_or_default();
    let meaningful: Vec<&String> = raw
        .iter()
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .collect();
    let kept: Vec<&String> = if meaningful.is_empty() {
        raw.iter().collect()
    } else {
        meaningful
    };
    let mut words: Vec<QueryWord> = Vec::new();
    for word in kept {
        let whole = understand_word(word);
        // A word of the table stays whole (its meaning is a field); other CJK text is matched
        // by the character pairs names and descriptions are indexed under.
        let pieces = if whole.fields.is_empty() && whole.typed.is_none() {
            super::text_terms::cjk_pieces(word)
                .into_iter()
                .map(|piece| understand_word(&piece))
                .collect()
        } else {
            vec![whole]
        };
        for meant in pieces {
            if !words.iter().any(|w| w.text == meant.text) {
                words.push(meant);
            }
        }
    }
    words
}

fn understand_word(word: &str) -> QueryWord {
    let corrected = MISSPELLINGS
        .iter()
        .find(|(wrong, _)| *wrong == word)
        .map(|(_, right)| (*right).to_owned());
    let text = corrected.clone().unwrap_or_else(|| word.to_owned());
    let mut fields: Vec<&'static str> = Vec::new();
    for (words, families) in PUBLISHERS {
        if words.contains(&text.as_str()) {
            fields.extend(families.iter().copied());
        }
    }
    for (words, tag) in WORKLOADS {
        if words.contains(&text.as_str()) && !fields.contains(tag) {
            fields.push(tag);
        }
    }
    let soft = SIZE_WORDS
        .iter()
        .find(|(w, _, _)| *w == text)
        .map(|(_, low, high)| (*low, *high));
    QueryWord {
        typed: corrected.map(|_| word.to_owned()),
        required: soft.is_none(),
        fields,
        soft_size: soft,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(query: &str) -> Vec<String> {
        understand(query).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn stop_words_go_unless_nothing_else_is_left() {
        assert_eq!(
            texts("embedding model for chinese"),
            ["embedding", "chinese"]
        );
        assert_eq!(texts("the best model"), ["the", "best", "model"]);
    }

    #[test]
    fn publishers_workloads_and_misspellings_mean_fields() {
        let words = understand("microsoft coding lamma");
        assert_eq!(words[0].fields, ["phi", "phi2", "phi3"]);
        assert_eq!(words[1].fields, ["code"]);
        assert_eq!(
            (words[2].text.as_str(), words[2].typed.as_deref()),
            ("llama", Some("lamma"))
        );
        assert!(understand("通义千问")[0].fields.contains(&"qwen3"));
        assert_eq!(texts("tongyi qianwen 8b"), ["qwen", "8b"]);
        assert_eq!(understand("código")[0].fields, ["code"]);
        assert_eq!(understand("推理")[0].fields, ["reasoning"]);
        let small = &understand("small coder")[0];
        assert!(!small.required && small.soft_size == Some((1, 4_000_000_000)));
        assert!(
            understand("8b")[0].required,
            "an exact size is no soft word"
        );
        assert_eq!(texts("for llama"), ["llama"]);
    }

    #[test]
    fn every_table_word_is_one_query_word() {
        // A table entry that the query splitter would cut in two could never match.
        let check = |word: &str| {
            let split = query_words(word).unwrap();
            assert_eq!(split, [word.to_owned()], "{word}");
        };
        for (words, _) in PUBLISHERS {
            words
                .iter()
                .filter(|w| !w.contains('-'))
                .for_each(|w| check(w));
        }
        for (words, _) in WORKLOADS {
            words
                .iter()
                .filter(|w| !w.contains('-'))
                .for_each(|w| check(w));
        }
        for (wrong, right) in MISSPELLINGS {
            check(wrong);
            check(right);
        }
    }
}
