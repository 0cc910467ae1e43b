"""Publishing with the real huggingface_hub client (issue 24): create_repo, upload_folder,
upload_file, delete_file, the `hf upload` command, delete_repo, and what a user notices about
each; every upload is then downloaded byte-identical from a clean cache.

argv: project slug, write key, read key, key of another project. HF_ENDPOINT is set by the
caller; uploads go through LFS (HF_HUB_DISABLE_XET=1, or a client without Xet)."""
import hashlib, os, subprocess, sys, tempfile

import huggingface_hub
from huggingface_hub import HfApi, snapshot_download

slug, write_key, read_key, other_key = sys.argv[1:5]
print("huggingface_hub", huggingface_hub.__version__)
try:
    from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError
except ImportError:
    from huggingface_hub.utils import HfHubHTTPError, RepositoryNotFoundError

major = int(huggingface_hub.__version__.split(".")[0])
suffix = f"v{major}"
api = HfApi(token=write_key)
repo = f"{slug}/published-{suffix}"


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def tree(folder):
    found = {}
    for root, _, files in os.walk(folder):
        for name in files:
            full = os.path.join(root, name)
            rel = os.path.relpath(full, folder).replace(os.sep, "/")
            if not rel.startswith(".cache/") and rel != ".gitattributes":
                found[rel] = sha(full)
    return found


def expect_refused(what, call, status):
    try:
        call()
    except HfHubHTTPError as error:
        got = error.response.status_code
        assert got == status, f"{what}: {got} != {status}: {error}"
        return
    raise AssertionError(f"{what}: accepted")


# A folder as a fine-tuning run leaves it: config, tokenizer, weights over several MB, a README
# with front matter, an empty file, a nested folder.
source = tempfile.mkdtemp()
files = {
    "config.json": b'{"model_type": "llama", "architectures": ["LlamaForCausalLM"], "max_position_embeddings": 4096}',
    "tokenizer/tokenizer.json": b'{"version": "1.0"}',
    "model.safetensors": os.urandom(3_000_000),
    "README.md": b"---\nlicense: apache-2.0\ntags: [code]\n---\n# Published\n",
    "empty.txt": b"",
}
for path, data in files.items():
    os.makedirs(os.path.dirname(os.path.join(source, path)) or source, exist_ok=True)
    with open(os.path.join(source, path), "wb") as out:
        out.write(data)

url = api.create_repo(repo, private=False)
assert str(url).endswith(f"/{repo}"), url
api.create_repo(repo, exist_ok=True)
expect_refused("a second create without exist_ok", lambda: api.create_repo(repo), 409)
expect_refused(
    "create under another project's slug",
    lambda: HfApi(token=other_key).create_repo(repo),
    403,
)
expect_refused("create with a read key", lambda: HfApi(token=read_key).create_repo(f"{slug}/ro"), 403)

first = api.upload_folder(repo_id=repo, folder_path=source, commit_message="first upload")
assert len(first.oid) == 40, first
info = api.model_info(repo)
assert info.sha == first.oid, (info.sha, first.oid)
assert not info.private

cache = tempfile.mkdtemp()
got = tree(snapshot_download(repo, cache_dir=cache))
want = {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}
assert got == want, f"snapshot differs: {got} != {want}"

# paths-info, which copies use: files and folders, a missing path left out.
infos = api.get_paths_info(repo, ["config.json", "tokenizer", "missing.txt"])
kinds = sorted((type(i).__name__, i.path) for i in infos)
assert kinds == [("RepoFile", "config.json"), ("RepoFolder", "tokenizer")], kinds

# Unchanged files are skipped: a second upload of the same folder makes no commit.
again = api.upload_folder(repo_id=repo, folder_path=source, commit_message="same again")
assert api.model_info(repo).sha == first.oid, "an unchanged folder made a new revision"

# One more file, then deleting one.
extra = os.path.join(source, "extra.bin")
with open(extra, "wb") as out:
    out.write(os.urandom(70_000))
api.upload_file(path_or_fileobj=extra, path_in_repo="weights/extra.bin", repo_id=repo)
api.delete_file("empty.txt", repo_id=repo)
names = sorted(api.list_repo_files(repo))
assert names == sorted([".gitattributes", "config.json", "tokenizer/tokenizer.json", "model.safetensors", "README.md", "weights/extra.bin"]), names
got = tree(snapshot_download(repo, cache_dir=tempfile.mkdtemp()))
assert got["weights/extra.bin"] == sha(extra)

# A stale parent is refused and changes nothing.
head = api.model_info(repo).sha
expect_refused(
    "a commit on a stale parent",
    lambda: api.upload_file(path_or_fileobj=b"x", path_in_repo="late.txt", repo_id=repo, parent_commit=first.oid),
    409,
)
assert api.model_info(repo).sha == head

# Branches and tags name revisions; a download by tag gets that revision's bytes.
api.create_tag(repo, tag="v1.0", revision=first.oid, tag_message="first upload")
api.create_branch(repo, branch="stable")
api.create_branch(repo, branch="stable", exist_ok=True)
expect_refused("a tag taken already", lambda: api.create_tag(repo, tag="v1.0"), 409)
refs = api.list_repo_refs(repo)
assert {b.name for b in refs.branches} == {"main", "stable"}, refs
assert [(t.name, t.target_commit) for t in refs.tags] == [("v1.0", first.oid)], refs
at_tag = tree(snapshot_download(repo, revision="v1.0", cache_dir=tempfile.mkdtemp()))
assert "empty.txt" in at_tag and "weights/extra.bin" not in at_tag, at_tag
expect_refused(
    "a commit to a branch other than main",
    lambda: api.upload_file(path_or_fileobj=b"y", path_in_repo="b.txt", repo_id=repo, revision="stable"),
    400,
)
api.delete_tag(repo, tag="v1.0")
api.delete_branch(repo, branch="stable")
assert not api.list_repo_refs(repo).tags

# The `hf upload` command, as a user types it (2.x only: 0.3x named it huggingface-cli).
if major >= 1:
    cli = os.path.join(os.path.dirname(sys.executable), "hf")
    env = dict(os.environ, HF_TOKEN=write_key)
    done = subprocess.run(
        [cli, "upload", f"{slug}/cli-{suffix}", source, ".", "--commit-message", "from the cli"],
        env=env, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    got = tree(snapshot_download(f"{slug}/cli-{suffix}", cache_dir=tempfile.mkdtemp(), token=write_key))
    assert got["model.safetensors"] == want["model.safetensors"], got

# Private repos answer only their own project; deleting removes the repository.
private = f"{slug}/private-{suffix}"
api.create_repo(private, private=True)
api.upload_file(path_or_fileobj=b"secret", path_in_repo="secret.txt", repo_id=private)
try:
    HfApi(token=other_key).model_info(private)
    raise AssertionError("another project sees a private repo")
except RepositoryNotFoundError:
    pass
api.update_repo_settings(private, private=False) if hasattr(api, "update_repo_settings") else None
api.delete_repo(private)
try:
    api.model_info(private)
    raise AssertionError("a deleted repo is still there")
except RepositoryNotFoundError:
    pass
print("all publish checks passed")
