"""The real huggingface_hub client against our server (HF_ENDPOINT set by the caller).

argv: public repo id, private repo id, key of the private repo's project, expected files as
JSON {path: sha256}, the first revision id. Asserts what a user of the client would notice;
exits non-zero with the reason on the first failure."""
import hashlib, json, os, sys, tempfile

import huggingface_hub
from huggingface_hub import HfApi, hf_hub_download, snapshot_download

public, private, key, expected_json, first_revision = sys.argv[1:6]
expected = json.loads(expected_json)
print("huggingface_hub", huggingface_hub.__version__)


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def errors():
    try:
        from huggingface_hub.errors import EntryNotFoundError, RepositoryNotFoundError
    except ImportError:
        from huggingface_hub.utils import EntryNotFoundError, RepositoryNotFoundError
    return EntryNotFoundError, RepositoryNotFoundError


EntryNotFound, RepoNotFound = errors()
cache = tempfile.mkdtemp()

# A multi-file snapshot, byte-identical.
folder = snapshot_download(public, cache_dir=cache)
got = {}
for root, _, files in os.walk(folder):
    for name in files:
        full = os.path.join(root, name)
        got[os.path.relpath(full, folder).replace(os.sep, "/")] = sha(full)
assert got == expected, f"snapshot differs: {got} != {expected}"

# A second snapshot sends no file body again: the cached blobs are not rewritten.
blobs = os.path.join(cache, "models--" + public.replace("/", "--"), "blobs")
before = {b: os.stat(os.path.join(blobs, b)).st_mtime_ns for b in os.listdir(blobs)}
snapshot_download(public, cache_dir=cache)
after = {b: os.stat(os.path.join(blobs, b)).st_mtime_ns for b in os.listdir(blobs)}
assert before == after, "the second snapshot downloaded files again"

# One file by revision (the first revision still has the file the second replaced).
old = hf_hub_download(public, "notes.txt", revision=first_revision, cache_dir=tempfile.mkdtemp())
assert open(old).read() == "first version\n", open(old).read()

# A download cut halfway resumes with Range: leave half the bytes as the client's partial file.
big = max(expected, key=lambda p: 0 if p.endswith(".txt") or p.endswith(".md") or p.endswith(".json") else 1)
resume_cache = tempfile.mkdtemp()
whole = open(os.path.join(folder, big), "rb").read()
partial_dir = os.path.join(resume_cache, "models--" + public.replace("/", "--"), "blobs")
os.makedirs(partial_dir)
with open(os.path.join(partial_dir, expected[big] + ".incomplete"), "wb") as f:
    f.write(whole[: len(whole) // 2])
resumed = hf_hub_download(public, big, cache_dir=resume_cache)
assert sha(resumed) == expected[big], "the resumed download is not byte-identical"

# Metadata calls.
api = HfApi()
info = api.model_info(public, files_metadata=True)
assert info.id == public and len(info.sha) == 40, info
sizes = {s.rfilename: s.size for s in info.siblings}
assert set(sizes) == set(expected), sizes
assert sorted(api.list_repo_files(public)) == sorted(expected)
found = [m.id for m in api.list_models(search=public.split("/")[1][:6])]
assert public in found, found

# A missing file is EntryNotFound, which the client remembers.
try:
    hf_hub_download(public, "no-such-file.bin", cache_dir=tempfile.mkdtemp())
    raise AssertionError("a missing file was served")
except EntryNotFound:
    pass

# A private repository: refused without a key, served with one.
try:
    snapshot_download(private, cache_dir=tempfile.mkdtemp())
    raise AssertionError("a private repository was served without a key")
except RepoNotFound:
    pass
private_folder = snapshot_download(private, cache_dir=tempfile.mkdtemp(), token=key)
assert os.listdir(private_folder), "the private snapshot is empty"
assert api.whoami(token=key)["name"], "whoami answers a name for a valid key"
print("all client checks passed")
