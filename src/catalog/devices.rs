//! The hardware people own (issue 27): common accelerators and machines with the memory a
//! model may use on them, and the budget expressions the fit filter reads (`24GB`,
//! `2x24GB`, `RTX 4090`, `2x RTX 4090`).

use super::memory::{gigabytes, parse_memory};

/// What a device is, for grouping in the picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceKind {
    ConsumerGpu,
    DataCentreGpu,
    /// Unified memory shared with the operating system: only a share is usable by the GPU.
    Apple,
    Cpu,
}

impl DeviceKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::ConsumerGpu => "Consumer GPUs",
            Self::DataCentreGpu => "Data-centre GPUs",
            Self::Apple => "Apple unified memory",
            Self::Cpu => "CPU RAM",
        }
    }
}

/// One device of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Device {
    /// URL and cookie key (`rtx-4090`).
    pub key: &'static str,
    pub name: &'static str,
    pub kind: DeviceKind,
    /// Memory as sold, decimal bytes.
    pub memory: u64,
    /// Memory a model may use: all of a GPU's, macOS's default GPU share of unified memory
    /// (about two thirds up to 36 GB, three quarters above), the RAM left after 4 GB for the
    /// operating system on a CPU machine.
    pub usable: u64,
}

const GB: u64 = 1_000_000_000;

const fn gpu(key: &'static str, name: &'static str, kind: DeviceKind, gb: u64) -> Device {
    Device {
        key,
        name,
        kind,
        memory: gb * GB,
        usable: gb * GB,
    }
}

const fn apple(key: &'static str, name: &'static str, gb: u64) -> Device {
    // macOS wires at most this share of unified memory for the GPU by default
    // (`iogpu.wired_limit_mb` raises it).
    let usable = if gb <= 36 {
        gb * GB / 3 * 2
    } else {
        gb * GB / 4 * 3
    };
    Device {
        key,
        name,
        kind: DeviceKind::Apple,
        memory: gb * GB,
        usable,
    }
}

const fn cpu(key: &'static str, name: &'static str, gb: u64) -> Device {
    Device {
        key,
        name,
        kind: DeviceKind::Cpu,
        memory: gb * GB,
        usable: (gb - 4) * GB,
    }
}

use DeviceKind::{ConsumerGpu as Consumer, DataCentreGpu as DataCentre};

/// The devices the picker offers, by kind, smallest first within a kind.
pub const DEVICES: &[Device] = &[
    gpu("rtx-3060", "RTX 3060 12GB", Consumer, 12),
    gpu("rtx-4060-ti-16gb", "RTX 4060 Ti 16GB", Consumer, 16),
    gpu("rtx-4070-ti-super", "RTX 4070 Ti Super", Consumer, 16),
    gpu("rtx-4080", "RTX 4080", Consumer, 16),
    gpu("rtx-5080", "RTX 5080", Consumer, 16),
    gpu("rx-7900-xtx", "Radeon RX 7900 XTX", Consumer, 24),
    gpu("rtx-3090", "RTX 3090", Consumer, 24),
    gpu("rtx-4090", "RTX 4090", Consumer, 24),
    gpu("rtx-5090", "RTX 5090", Consumer, 32),
    gpu("l4", "NVIDIA L4", DataCentre, 24),
    gpu("a10", "NVIDIA A10", DataCentre, 24),
    gpu("a100-40gb", "NVIDIA A100 40GB", DataCentre, 40),
    gpu("rtx-a6000", "RTX A6000", DataCentre, 48),
    gpu("rtx-6000-ada", "RTX 6000 Ada", DataCentre, 48),
    gpu("l40s", "NVIDIA L40S", DataCentre, 48),
    gpu("a100-80gb", "NVIDIA A100 80GB", DataCentre, 80),
    gpu("h100", "NVIDIA H100 80GB", DataCentre, 80),
    gpu("rtx-pro-6000", "RTX PRO 6000 Blackwell", DataCentre, 96),
    gpu("gaudi-3", "Intel Gaudi 3", DataCentre, 128),
    gpu("h200", "NVIDIA H200", DataCentre, 141),
    gpu("b200", "NVIDIA B200", DataCentre, 180),
    gpu("mi300x", "AMD Instinct MI300X", DataCentre, 192),
    gpu("mi325x", "AMD Instinct MI325X", DataCentre, 256),
    apple("mac-16gb", "Mac, 16 GB unified memory", 16),
    apple("mac-24gb", "Mac, 24 GB unified memory", 24),
    apple("mac-36gb", "Mac, 36 GB unified memory", 36),
    apple("mac-64gb", "Mac, 64 GB unified memory", 64),
    apple("mac-128gb", "Mac, 128 GB unified memory", 128),
    apple("mac-192gb", "Mac, 192 GB unified memory", 192),
    apple("mac-512gb", "Mac Studio, 512 GB unified memory", 512),
    cpu("ram-16gb", "CPU, 16 GB RAM", 16),
    cpu("ram-32gb", "CPU, 32 GB RAM", 32),
    cpu("ram-64gb", "CPU, 64 GB RAM", 64),
    cpu("ram-128gb", "CPU, 128 GB RAM", 128),
    cpu("ram-256gb", "CPU, 256 GB RAM", 256),
];

/// Memory each device past the first keeps for itself when a model is split across several
/// (its own runtime context and buffers); the estimate's overhead already covers the first.
pub const PER_DEVICE_OVERHEAD: u64 = 500_000_000;

/// Most devices a budget may name.
pub const MAX_DEVICES: u64 = 64;

/// A device by key or name, case and spacing ignored (`RTX 4090`, `rtx-4090`, `rtx4090`).
pub fn find(input: &str) -> Option<&'static Device> {
    let wanted = squash(input);
    if wanted.is_empty() {
        return None;
    }
    DEVICES
        .iter()
        .find(|d| squash(d.key) == wanted || squash(d.name) == wanted)
        .or_else(|| {
            // A name without its vendor or its memory (`4090`, `H100`) when only one matches.
            let mut matching = DEVICES.iter().filter(|d| squash(d.name).contains(&wanted));
            let first = matching.next()?;
            matching.next().is_none().then_some(first)
        })
}

fn squash(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A memory budget as the fit filter reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Budget {
    pub count: u64,
    /// Usable memory of one device.
    pub each: u64,
    pub device: Option<&'static Device>,
}

impl Budget {
    /// What a model may use: every device's usable memory, less the per-device overhead of
    /// each device past the first.
    pub fn bytes(&self) -> u64 {
        self.each
            .saturating_mul(self.count)
            .saturating_sub(PER_DEVICE_OVERHEAD.saturating_mul(self.count - 1))
    }

    /// The budget as the URL spells it (`parse_budget` reads it back): `24GB`, `2x24GB`,
    /// `rtx-4090`, `2xrtx-4090`.
    pub fn text(&self) -> String {
        let times = if self.count > 1 {
            format!("{}x", self.count)
        } else {
            String::new()
        };
        match self.device {
            Some(d) => format!("{times}{}", d.key),
            None => format!("{times}{}", super::memory::budget_text(self.each)),
        }
    }

    /// A plain size of one device.
    pub fn of_bytes(bytes: u64) -> Self {
        Self {
            count: 1,
            each: bytes,
            device: None,
        }
    }

    /// `2× RTX 4090 (46.5 GB)`, `24 GB`.
    pub fn label(&self) -> String {
        let times = if self.count > 1 {
            format!("{}× ", self.count)
        } else {
            String::new()
        };
        match self.device {
            Some(d) => format!("{times}{} ({})", d.name, gigabytes(self.bytes())),
            None if self.count > 1 => format!(
                "{times}{} ({})",
                gigabytes(self.each),
                gigabytes(self.bytes())
            ),
            None => gigabytes(self.bytes()),
        }
    }
}

/// Why a budget expression cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BudgetError {
    #[error("a device count needs a size or a device after it, e.g. `2x24GB` or `2x RTX 4090`")]
    CountWithoutSize,
    #[error("the device count must be 1 to {MAX_DEVICES}")]
    BadCount,
    #[error(
        "not a memory size or a known device (sizes look like `24GB`; devices like `RTX 4090`)"
    )]
    Unknown,
}

/// Reads `24GB`, `2x24GB`, `2×24 GB`, `RTX 4090`, `2x RTX 4090`, `h100`.
pub fn parse_budget(input: &str) -> Result<Budget, BudgetError> {
    let text = input.trim();
    let (count, rest) = split_count(text)?;
    let rest = rest.trim();
    if rest.is_empty() {
        return Err(BudgetError::CountWithoutSize);
    }
    // A bare number that names a device (`4090`, `3090`) is the device, not thousands of GB.
    if rest.chars().all(|c| c.is_ascii_digit())
        && let Some(device) = DEVICES.iter().find(|d| {
            matches!(d.kind, DeviceKind::ConsumerGpu | DeviceKind::DataCentreGpu)
                && d.name.split_whitespace().any(|word| word == rest)
        })
    {
        return Ok(Budget {
            count,
            each: device.usable,
            device: Some(device),
        });
    }
    if let Some(bytes) = parse_memory(rest) {
        return Ok(Budget {
            count,
            each: bytes,
            device: None,
        });
    }
    let device = find(rest).ok_or(BudgetError::Unknown)?;
    Ok(Budget {
        count,
        each: device.usable,
        device: Some(device),
    })
}

/// `2x…`, `2 x …`, `2×…`, `2*…` → (2, rest); no count → (1, text).
fn split_count(text: &str) -> Result<(u64, &str), BudgetError> {
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return Ok((1, text));
    }
    let after = text[digits..].trim_start();
    let Some(rest) = after
        .strip_prefix(['x', 'X', '*'])
        .or_else(|| after.strip_prefix('×'))
    else {
        return Ok((1, text));
    };
    let count: u64 = text[..digits].parse().map_err(|_| BudgetError::BadCount)?;
    if !(1..=MAX_DEVICES).contains(&count) {
        return Err(BudgetError::BadCount);
    }
    Ok((count, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_read_sizes_devices_and_counts() {
        let b = parse_budget("24GB").unwrap();
        assert_eq!((b.count, b.bytes(), b.device), (1, 24 * GB, None));
        assert_eq!(
            parse_budget("2x24GB").unwrap().bytes(),
            48 * GB - PER_DEVICE_OVERHEAD
        );
        assert_eq!(
            parse_budget("2 × 24 GB").unwrap().bytes(),
            48 * GB - PER_DEVICE_OVERHEAD
        );
        let rtx = parse_budget("RTX 4090").unwrap();
        assert_eq!(
            (rtx.device.unwrap().key, rtx.bytes()),
            ("rtx-4090", 24 * GB)
        );
        let two = parse_budget("2x rtx-4090").unwrap();
        assert_eq!(two.bytes(), 48 * GB - PER_DEVICE_OVERHEAD);
        assert_eq!(two.label(), "2× RTX 4090 (47.5 GB)");
        for text in [
            "24GB",
            "2x24GB",
            "rtx-4090",
            "2xrtx-4090",
            "512MB",
            "mac-64gb",
        ] {
            assert_eq!(parse_budget(text).unwrap().text(), text);
        }
        assert_eq!(parse_budget("h100").unwrap().device.unwrap().key, "h100");
        assert_eq!(
            parse_budget("rtx4090").unwrap().device.unwrap().key,
            "rtx-4090"
        );
        assert_eq!(
            parse_budget("6000 ada").unwrap().device.unwrap().key,
            "rtx-6000-ada"
        );
        assert_eq!(
            parse_budget("4090").unwrap().device.unwrap().key,
            "rtx-4090"
        );
        assert_eq!(
            parse_budget("2x 3090").unwrap().bytes(),
            48 * GB - PER_DEVICE_OVERHEAD
        );
        assert_eq!(
            parse_budget("24").unwrap().bytes(),
            24 * GB,
            "24 names no device"
        );
        // 128 GB of unified memory: three quarters for the GPU.
        assert_eq!(parse_budget("mac-128gb").unwrap().bytes(), 96 * GB);
        assert_eq!(parse_budget("ram-64gb").unwrap().bytes(), 60 * GB);
    }

    #[test]
    fn bad_budgets_say_what_is_wrong() {
        assert_eq!(parse_budget("2x"), Err(BudgetError::CountWithoutSize));
        assert_eq!(parse_budget("0x24GB"), Err(BudgetError::BadCount));
        assert_eq!(parse_budget("1000x24GB"), Err(BudgetError::BadCount));
        assert_eq!(parse_budget("GTX 9999"), Err(BudgetError::Unknown));
        assert_eq!(parse_budget(""), Err(BudgetError::CountWithoutSize));
        assert_eq!(parse_budget("0GB"), Err(BudgetError::Unknown));
        assert_eq!(parse_budget("-4GB"), Err(BudgetError::Unknown));
        // `rtx` alone names many devices.
        assert_eq!(parse_budget("rtx"), Err(BudgetError::Unknown));
    }

    #[test]
    fn every_device_is_found_by_its_key_and_its_name() {
        for d in DEVICES {
            assert_eq!(find(d.key).map(|f| f.key), Some(d.key));
            assert_eq!(find(d.name).map(|f| f.key), Some(d.key));
            assert!(d.usable <= d.memory && d.usable > 0);
        }
    }
}
