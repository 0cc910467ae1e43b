"""transformers' own push_to_hub against our server (issue 24): a config and a tokenizer pushed
with a project write key, then read back with from_pretrained from a clean cache, as a team
that fine-tunes inside the enclave would. No torch needed.

argv: repo id, write key. HF_ENDPOINT is set by the caller."""
import os, sys, tempfile

repo, key = sys.argv[1:3]
os.environ["HF_HOME"] = tempfile.mkdtemp()
from tokenizers import Tokenizer
from tokenizers.models import WordLevel
from tokenizers.pre_tokenizers import Whitespace
from transformers import AutoConfig, AutoTokenizer, LlamaConfig, PreTrainedTokenizerFast

config = LlamaConfig(hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                     num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048)
config.push_to_hub(repo, token=key, private=False)
vocab = {"[UNK]": 0, "hello": 1, "world": 2}
core = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
core.pre_tokenizer = Whitespace()
tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, unk_token="[UNK]")
tokenizer.push_to_hub(repo, token=key)

os.environ["HF_HOME"] = tempfile.mkdtemp()
back = AutoConfig.from_pretrained(repo, token=key)
assert back.model_type == "llama" and back.num_key_value_heads == 2, back
assert back.max_position_embeddings == 2048
loaded = AutoTokenizer.from_pretrained(repo, token=key)
assert loaded("hello world")["input_ids"] == [1, 2], loaded("hello world")
print("transformers push_to_hub checks passed")
