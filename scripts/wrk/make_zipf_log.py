"""Writes 10 000 distinct catalog page queries (keywords, filters, pages), one per line, for
`zipf_pages.lua`: the issue-12 rule for benchmarking a cache (a Zipf-like log of distinct
queries, never one repeated URL). Usage: make_zipf_log.py OUT"""
import itertools, random, sys

random.seed(7)
words = ["qwen", "llama", "instruct", "coder", "chat", "mistral", "gemma", "phi", "base", "vision",
         "deepseek", "7b", "8b", "14b", "32b", "70b", "awq", "gguf", "moe", "reasoning"]
filters = ["", "license=apache-2.0", "license=mit", "family=llama", "family=qwen2", "min_params=7B",
           "max_params=14B", "tag=code", "moe=true", "min_context=32K", "license_intent=commercial",
           "fits_memory=24GB"]
queries = set()
for a, b in itertools.product(words, words):
    for f in filters:
        q = f"q={a}" if a == b else f"q={a}+{b}"
        for page in ("", "page=2", "page=3"):
            queries.add("&".join(x for x in (q, f, page) if x))
for f in filters:
    for page in range(1, 30):
        queries.add("&".join(x for x in (f, f"sort=newest&page={page}") if x))
queries = sorted(queries)
random.shuffle(queries)
with open(sys.argv[1], "w") as out:
    for q in queries[:10000]:
        out.write("/models/catalog?" + q + "\n")
print(min(len(queries), 10000), "queries")
