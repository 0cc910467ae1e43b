//! An example for every command's `--help`, kept in one table so they are easy to review and
//! a test can check that no command is left without one.

use clap::{Command, CommandFactory};

use super::args::Cli;

const UUID: &str = "3f2a9c1d-5b7e-4c8a-9d0f-1e2b3c4d5e6f";

/// (command path, example lines); `{uuid}` stands for a model UUID.
const EXAMPLES: &[(&str, &str)] = &[
    (
        "serve",
        "xeroctl serve --data ./data --bind 127.0.0.1:8080\n  xeroctl serve --demo --data ./demo-data\n  XERO_AGENT_TTL=30 xeroctl serve --data /var/lib/xeroctl --secure-cookies",
    ),
    ("admin", "xeroctl admin --data ./data list-projects"),
    (
        "admin create-user",
        "echo 's3cret-passphrase' | xeroctl admin --data ./data create-user alice --admin",
    ),
    (
        "admin disable-user",
        "xeroctl admin --data ./data disable-user alice",
    ),
    (
        "admin unlock-user",
        "xeroctl admin --data ./data unlock-user alice",
    ),
    (
        "admin create-project",
        "xeroctl admin --data ./data create-project --slug research --name Research --owner alice",
    ),
    (
        "admin add-member",
        "xeroctl admin --data ./data add-member --project proj_ABC123 --user bob",
    ),
    (
        "admin keygen",
        "xeroctl admin keygen -o /media/usb/enclave-a\n  tar -xf catalog.tar manifest.json manifest.json.minisig && minisign -Vm manifest.json -p /media/usb/enclave-a.pub",
    ),
    (
        "admin export",
        "xeroctl admin export --data ./data -o catalog.tar --shared-only --sign enclave-a.key\n  xeroctl admin export --data ./data -o coders.tar --query 'q=coder&license=apache-2.0' --with-files --sign enclave-a.key",
    ),
    (
        "admin import",
        "xeroctl admin --data ./data import catalog.tar --trust enclave-a.pub --dry-run\n  xeroctl admin --data ./data import catalog.tar --trust enclave-a.pub",
    ),
    (
        "admin backup",
        "xeroctl admin backup --data ./data -o backup-2026-12-03.tar",
    ),
    (
        "admin restore",
        "xeroctl admin restore backup-2026-12-03.tar --data ./restored",
    ),
    (
        "admin list-projects",
        "xeroctl admin --data ./data list-projects",
    ),
    (
        "admin create-key",
        "xeroctl admin --data ./data create-key --project proj_ABC123 --scope read --label ci",
    ),
    (
        "admin list-keys",
        "xeroctl admin --data ./data list-keys --project proj_ABC123",
    ),
    (
        "admin revoke-key",
        "xeroctl admin --data ./data revoke-key key_AbC123xy",
    ),
    ("admin reindex", "xeroctl admin --data ./data reindex"),
    ("admin agents", "xeroctl admin --data ./data agents list"),
    (
        "admin agents add",
        "xeroctl admin --data ./data agents add --kind shared --name gpu-pool-1\n  xeroctl admin --data ./data agents add --kind xim --project proj_ABC123 --name rack-7",
    ),
    (
        "admin agents list",
        "xeroctl admin --data ./data agents list --agent-ttl 30",
    ),
    (
        "admin agents remove",
        "xeroctl admin --data ./data agents remove agt_AbC123xy",
    ),
    (
        "admin feature",
        "xeroctl admin --data ./data feature {uuid}",
    ),
    (
        "admin unfeature",
        "xeroctl admin --data ./data unfeature {uuid}",
    ),
    (
        "admin generate",
        "xeroctl admin --data ./bench-data generate --models 100000 --projects 50 --seed 7",
    ),
    (
        "models register",
        "xeroctl models register Qwen3-30B-A3B --architecture qwen3moe --params 30B --active-params 3B --context 128K --license apache-2.0 --workload chat,reasoning --description-file README.md",
    ),
    (
        "models edit",
        "xeroctl models edit mdl_3f2a9c --context 256K --model-version 2507",
    ),
    ("models delete", "xeroctl models delete mdl_3f2a9c --yes"),
    (
        "models upload",
        "xeroctl models upload ./qwen2.5-7b-instruct-q4_k_m.gguf --share\n  xeroctl models upload ./Qwen3-8B/ --name Qwen3-8B --share",
    ),
    (
        "models files",
        "xeroctl models files mdl_3f2a9c --revision main",
    ),
    (
        "models import-hf",
        "xeroctl models import-hf ~/.cache/huggingface/hub/models--Qwen--Qwen3-8B --share",
    ),
    (
        "models import",
        "xeroctl models import demo/models-real.jsonl --share --jobs 8",
    ),
    (
        "models show",
        "xeroctl models show mdl_3f2a9c --output json",
    ),
    (
        "models lineage",
        "xeroctl models lineage mdl_3f2a9c --base myproject/qwen3-8b --relation quantized\n  xeroctl models lineage mdl_3f2a9c --superseded-by myproject/qwen3-8b-2507\n  xeroctl models lineage mdl_3f2a9c",
    ),
    (
        "catalog search",
        "xeroctl catalog search qwen coder --license apache-2.0 --min-params 7B\n  xeroctl catalog search --family llama --moe --sort newest --output json",
    ),
    (
        "catalog show",
        "xeroctl catalog show {uuid}\n  xeroctl catalog show Qwen3-Coder-30B-A3B",
    ),
    (
        "catalog devices",
        "xeroctl catalog devices\n  xeroctl catalog search --device \"2x RTX 4090\" --at-context 32K --kv-cache q8_0",
    ),
    (
        "catalog compare",
        "xeroctl catalog compare Qwen3-8B Meta-Llama-3.1-8B-Instruct\n  xeroctl catalog compare {uuid} Qwen3-8B-AWQ gemma-3-12b-it --output json",
    ),
    ("endpoints list", "xeroctl endpoints list --output json"),
    (
        "endpoints delete",
        "xeroctl endpoints delete 9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d",
    ),
];

/// The command tree with every example attached.
pub fn command() -> Command {
    EXAMPLES
        .iter()
        .fold(Cli::command(), |root, (path, example)| {
            let text = format!("Examples:\n  {}", example.replace("{uuid}", UUID));
            attach(root, &path.split(' ').collect::<Vec<_>>(), text)
        })
}

fn attach(command: Command, path: &[&str], text: String) -> Command {
    match path {
        [] => command.after_help(text),
        [first, rest @ ..] => {
            let rest = rest.to_vec();
            command.mut_subcommand(*first, move |sub| attach(sub, &rest, text))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(command: &mut Command, path: String, missing: &mut Vec<String>) {
        let help = command.render_long_help().to_string();
        if !help.contains("Example") {
            missing.push(path.clone());
        }
        for sub in command.get_subcommands_mut() {
            if sub.get_name() != "help" {
                let name = format!("{path} {}", sub.get_name());
                walk(sub, name, missing);
            }
        }
    }

    #[test]
    fn every_command_has_an_example() {
        let mut root = command();
        root.build();
        let mut missing = Vec::new();
        for sub in root.get_subcommands_mut() {
            if sub.get_name() != "help" {
                let name = sub.get_name().to_owned();
                walk(sub, name, &mut missing);
            }
        }
        assert!(
            missing.is_empty(),
            "commands without an example: {missing:?}"
        );
    }

    #[test]
    fn every_example_names_a_real_command() {
        let root = Cli::command();
        for (path, _) in EXAMPLES {
            let mut command = &root;
            for part in path.split(' ') {
                command = command
                    .find_subcommand(part)
                    .unwrap_or_else(|| panic!("no command `{path}`"));
            }
        }
    }
}
