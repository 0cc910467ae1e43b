//! Document sets of one segment as plain 64-bit words: bit `d` is document `d`. Every filter,
//! keyword match and facet value becomes one, so counting is ANDs and popcounts over a few
//! thousand words instead of a loop over documents.

/// A document set; padding bits past the last document may be set (see [`not`]).
pub type Words = Vec<u64>;

/// The empty set for `n` documents.
pub fn words(n: usize) -> Words {
    vec![0; n.div_ceil(64)]
}

pub fn set(words: &mut [u64], d: usize) {
    words[d / 64] |= 1 << (d % 64);
}

pub fn contains(words: &[u64], d: u32) -> bool {
    words[(d / 64) as usize] & (1 << (d % 64)) != 0
}

/// The complement; padding bits past the last document get set, which is harmless because
/// every result is intersected with the alive set.
pub fn not(words: &[u64]) -> Words {
    words.iter().map(|w| !w).collect()
}

pub fn and(a: &[u64], b: &[u64]) -> Words {
    a.iter().zip(b).map(|(x, y)| x & y).collect()
}

pub fn and_in_place(a: &mut [u64], b: &[u64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x &= y;
    }
}

pub fn or_in_place(a: &mut [u64], b: &[u64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x |= y;
    }
}

pub fn count(words: &[u64]) -> u64 {
    words.iter().map(|w| u64::from(w.count_ones())).sum()
}

pub fn count_and(a: &[u64], b: &[u64]) -> u64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| u64::from((x & y).count_ones()))
        .sum()
}

/// The documents whose value lies in `[min, max]`; branch-free so the comparisons vectorise.
pub fn in_range(values: &[u64], min: u64, max: u64) -> Words {
    values
        .chunks(64)
        .map(|chunk| {
            chunk.iter().enumerate().fold(0u64, |word, (i, v)| {
                word | (u64::from(*v >= min && *v <= max) << i)
            })
        })
        .collect()
}

/// Calls `f` with every document of the set, in order.
pub fn for_each(words: &[u64], mut f: impl FnMut(u32)) {
    for (w, word) in words.iter().enumerate() {
        let mut bits = *word;
        while bits != 0 {
            f((w as u32) * 64 + bits.trailing_zeros());
            bits &= bits - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_count_and_iterate() {
        let mut a = words(130);
        for d in [0, 63, 64, 129] {
            set(&mut a, d);
        }
        let b = in_range(&(0..130).collect::<Vec<u64>>(), 60, 70);
        assert_eq!(count(&a), 4);
        assert_eq!(count_and(&a, &b), 2);
        let mut seen = Vec::new();
        for_each(&and(&a, &b), |d| seen.push(d));
        assert_eq!(seen, [63, 64]);
        assert!(contains(&a, 129) && !contains(&a, 128));
    }
}
