//! Language-tagged human-readable values: `client_name#ja-Jpan-JP` (OIDC DCR §2.1, RFC 7591
//! §2.2, BCP 47).

use std::fmt;
use std::hash::{Hash, Hasher};

/// A BCP 47 language tag as written after the `#` of a metadata member name.
///
/// The tag keeps its original spelling, so it is sent back exactly as it was received or set,
/// but two tags compare equal when they differ only in ASCII case, because BCP 47 tags are
/// case-insensitive (RFC 5646 §2.1.1, OIDC DCR §2.1). `Hash` agrees with that equality.
///
/// Construction never fails: a provider may echo a tag this library would reject, and dropping
/// it would lose data. [`LanguageTag::is_well_formed`] checks the syntax, and
/// [`ClientMetadata::validate`](crate::ClientMetadata::validate) reports malformed tags.
///
/// ```
/// use oidc_types::LanguageTag;
///
/// let tag = LanguageTag::new("ja-Jpan-JP");
/// assert_eq!(tag, LanguageTag::new("JA-jpan-jp"));
/// assert_eq!(tag.as_str(), "ja-Jpan-JP");
/// assert!(tag.is_well_formed());
/// assert!(!LanguageTag::new("ja_JP").is_well_formed());
/// ```
#[derive(Clone)]
pub struct LanguageTag(String);

impl LanguageTag {
    /// Wraps a tag without checking it; any text is kept as given.
    pub fn new(tag: impl Into<String>) -> Self {
        Self(tag.into())
    }

    /// The tag as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the tag follows the BCP 47 syntax (RFC 5646 §2.1), compared case-insensitively.
    ///
    /// Accepted: a language of 2–3 letters with up to three 3-letter extended language
    /// subtags, or of 4–8 letters; then an optional 4-letter script; an optional region of 2
    /// letters or 3 digits; variants of 5–8 letters or digits, or a digit and 3 letters or
    /// digits; extensions (a singleton other than `x` followed by subtags of 2–8 letters or
    /// digits); and a private-use part (`x` followed by subtags of 1–8 letters or digits). A
    /// tag may also be private use only (`x-private`) or one of the grandfathered tags of RFC
    /// 5646 §2.1 (`i-klingon`, `en-GB-oed`, `sgn-BE-FR`, …).
    ///
    /// This checks syntax only: it does not look subtags up in the IANA registry, so `qq-ZZ`
    /// is well-formed.
    pub fn is_well_formed(&self) -> bool {
        is_well_formed(&self.0)
    }
}

fn is_well_formed(tag: &str) -> bool {
    let subtags: Vec<&str> = tag.split('-').collect();
    // An empty subtag covers "", "-en", "en-" and "en--US"; anything but ASCII letters and
    // digits (an underscore, a space) is outside every BCP 47 production.
    if subtags
        .iter()
        .any(|subtag| subtag.is_empty() || !subtag.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return false;
    }
    let mut rest = subtags.as_slice();
    let Some((first, after_first)) = rest.split_first() else {
        return false;
    };
    if first.eq_ignore_ascii_case("x") {
        return !after_first.is_empty() && after_first.iter().all(|s| s.len() <= 8);
    }
    // The irregular grandfathered tags (RFC 5646 §2.1) match no other production; the regular
    // ones (`zh-min-nan`, `art-lojban`, …) do, and need no list.
    if IRREGULAR_GRANDFATHERED
        .iter()
        .any(|irregular| irregular.eq_ignore_ascii_case(tag))
    {
        return true;
    }

    // language
    if !(is_alpha(first) && (2..=8).contains(&first.len())) {
        return false;
    }
    rest = after_first;
    if first.len() <= 3 {
        let mut extlangs = 0;
        while let Some((subtag, tail)) = rest.split_first() {
            if extlangs < 3 && subtag.len() == 3 && is_alpha(subtag) {
                extlangs += 1;
                rest = tail;
            } else {
                break;
            }
        }
    }
    // script
    if let Some((subtag, tail)) = rest.split_first() {
        if subtag.len() == 4 && is_alpha(subtag) {
            rest = tail;
        }
    }
    // region
    if let Some((subtag, tail)) = rest.split_first() {
        if (subtag.len() == 2 && is_alpha(subtag)) || (subtag.len() == 3 && is_digit(subtag)) {
            rest = tail;
        }
    }
    // variants
    while let Some((subtag, tail)) = rest.split_first() {
        let starts_with_digit = subtag.bytes().next().is_some_and(|b| b.is_ascii_digit());
        if (5..=8).contains(&subtag.len()) || (subtag.len() == 4 && starts_with_digit) {
            rest = tail;
        } else {
            break;
        }
    }
    // extensions
    while let Some((singleton, tail)) = rest.split_first() {
        if singleton.len() != 1 || singleton.eq_ignore_ascii_case("x") {
            break;
        }
        let count = tail
            .iter()
            .take_while(|subtag| (2..=8).contains(&subtag.len()))
            .count();
        if count == 0 {
            return false;
        }
        // `count` counts elements of `tail`, so it is never past its end.
        rest = tail.get(count..).unwrap_or_default();
    }
    // private use
    if let Some((x, tail)) = rest.split_first() {
        if !x.eq_ignore_ascii_case("x") || tail.is_empty() {
            return false;
        }
        // Every subtag is already known to be non-empty alphanumeric.
        return tail.iter().all(|subtag| subtag.len() <= 8);
    }
    true
}

/// The `irregular` production of RFC 5646 §2.1.
const IRREGULAR_GRANDFATHERED: [&str; 17] = [
    "en-GB-oed",
    "i-ami",
    "i-bnn",
    "i-default",
    "i-enochian",
    "i-hak",
    "i-klingon",
    "i-lux",
    "i-mingo",
    "i-navajo",
    "i-pwn",
    "i-tao",
    "i-tay",
    "i-tsu",
    "sgn-BE-FR",
    "sgn-BE-NL",
    "sgn-CH-DE",
];

fn is_alpha(subtag: &str) -> bool {
    subtag.bytes().all(|b| b.is_ascii_alphabetic())
}

fn is_digit(subtag: &str) -> bool {
    subtag.bytes().all(|b| b.is_ascii_digit())
}

impl PartialEq for LanguageTag {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Eq for LanguageTag {}

impl Hash for LanguageTag {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Hash the ASCII-lowercased bytes so that tags equal under `eq_ignore_ascii_case`
        // hash alike.
        for byte in self.0.bytes() {
            state.write_u8(byte.to_ascii_lowercase());
        }
        state.write_u8(0xff);
    }
}

impl fmt::Debug for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LanguageTag({:?})", self.0)
    }
}

impl fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for LanguageTag {
    fn from(tag: &str) -> Self {
        Self(tag.to_owned())
    }
}

impl From<String> for LanguageTag {
    fn from(tag: String) -> Self {
        Self(tag)
    }
}

/// A human-readable metadata value with optional translations: `client_name`, `logo_uri`,
/// `client_uri`, `policy_uri` and `tos_uri` (OIDC DCR §2.1, RFC 7591 §2.2).
///
/// It holds an untagged value (sent as `client_name`) and any number of language-tagged values
/// (each sent as `client_name#<tag>`), kept in the order they were added. Tags are matched
/// case-insensitively; setting a tag that is already present replaces its value and keeps the
/// original position and spelling of the first one. The specifications advise sending an
/// untagged value alongside tagged ones, for providers that ignore tags.
///
/// Two values are equal when their untagged values are equal and they hold the same tags (in
/// any order, compared case-insensitively) with equal values.
///
/// ```
/// use oidc_types::Localized;
///
/// let name = Localized::new("My App").with_tagged("ja-Jpan-JP", "マイアプリ");
/// assert_eq!(name.value(), Some("My App"));
/// assert_eq!(name.get("JA-JPAN-JP"), Some("マイアプリ"));
/// assert_eq!(name.get("fr"), None);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Localized {
    value: Option<String>,
    tagged: Vec<(LanguageTag, String)>,
}

impl Localized {
    /// A value with no language tag and no translations.
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: Some(value.into()),
            tagged: Vec::new(),
        }
    }

    /// The untagged value, if any.
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// Sets the untagged value.
    pub fn set_value(&mut self, value: impl Into<String>) {
        self.value = Some(value.into());
    }

    /// Removes the untagged value, keeping the tagged ones.
    pub fn clear_value(&mut self) {
        self.value = None;
    }

    /// Adds or replaces the value for `tag` and returns `self`, for chaining.
    pub fn with_tagged(mut self, tag: impl Into<String>, value: impl Into<String>) -> Self {
        self.set_tagged(tag, value);
        self
    }

    /// Adds the value for `tag`, or replaces the value of a tag equal to it ignoring ASCII case.
    pub fn set_tagged(&mut self, tag: impl Into<String>, value: impl Into<String>) {
        let tag = LanguageTag::new(tag);
        let value = value.into();
        match self.tagged.iter_mut().find(|(known, _)| *known == tag) {
            Some(entry) => entry.1 = value,
            None => self.tagged.push((tag, value)),
        }
    }

    /// Removes the value for `tag` (matched ignoring ASCII case) and returns it.
    pub fn remove_tagged(&mut self, tag: &str) -> Option<String> {
        let position = self
            .tagged
            .iter()
            .position(|(known, _)| known.as_str().eq_ignore_ascii_case(tag))?;
        Some(self.tagged.remove(position).1)
    }

    /// The value for `tag`, matched ignoring ASCII case. The untagged value is not a fallback:
    /// use [`Localized::value`] for that.
    pub fn get(&self, tag: &str) -> Option<&str> {
        self.tagged
            .iter()
            .find(|(known, _)| known.as_str().eq_ignore_ascii_case(tag))
            .map(|(_, value)| value.as_str())
    }

    /// The tagged values, in the order they were added.
    pub fn tagged(&self) -> impl Iterator<Item = (&LanguageTag, &str)> {
        self.tagged.iter().map(|(tag, value)| (tag, value.as_str()))
    }

    /// Whether there is neither an untagged nor a tagged value.
    pub fn is_empty(&self) -> bool {
        self.value.is_none() && self.tagged.is_empty()
    }
}

impl PartialEq for Localized {
    fn eq(&self, other: &Self) -> bool {
        // Tags are unique within one value (set_tagged replaces), so equal lengths plus every
        // tag found with an equal value means the same set.
        self.value == other.value
            && self.tagged.len() == other.tagged.len()
            && self
                .tagged
                .iter()
                .all(|(tag, value)| other.get(tag.as_str()) == Some(value.as_str()))
    }
}

impl From<&str> for Localized {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for Localized {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn well_formed_tags() {
        for tag in [
            "en",
            "ja-Jpan-JP",
            "zh-Hant-TW",
            "de-CH-1996",
            "x-private",
            "sr-Latn-RS",
            "es-419",
            "EN-us",
            "zh-yue-HK",
            "sl-rozaj-biske",
            "en-a-bbb-x-a-ccc",
            "de-DE-u-co-phonebk",
            "i-klingon",
            "haw",
            "en-US-x-twain",
            "abcdefgh",
            // Irregular grandfathered tags (RFC 5646 §2.1), in any case.
            "en-GB-oed",
            "EN-gb-OED",
            "sgn-BE-FR",
            "sgn-CH-DE",
            "i-default",
            // Regular grandfathered tags follow the langtag syntax.
            "zh-min-nan",
            "art-lojban",
        ] {
            assert!(
                LanguageTag::new(tag).is_well_formed(),
                "{tag} should be well-formed"
            );
        }
    }

    #[test]
    fn malformed_tags() {
        for tag in [
            "",
            "e",
            "ja_JP",
            "toolongtagxx",
            "-en",
            "en-",
            "en--US",
            "x",
            "x-",
            "en-a",
            "en-a-x-y",
            "en-US-a",
            "en-x-toolongpart",
            "en US",
            "1en",
            "en-Latn-US-a1",
            "ja-JP-Jpan",
            "日本語",
            // `i` is no language subtag: only the listed `i-` tags are well-formed.
            "i-foo",
            "i-klingon-x",
            "en-GB-oed-x",
        ] {
            assert!(
                !LanguageTag::new(tag).is_well_formed(),
                "{tag:?} should be malformed"
            );
        }
    }

    #[test]
    fn tags_compare_and_hash_ignoring_case() {
        let upper = LanguageTag::new("JA-JPAN-JP");
        let mixed = LanguageTag::new("ja-Jpan-JP");
        assert_eq!(upper, mixed);
        assert_ne!(upper, LanguageTag::new("ja-Jpan"));
        let set: HashSet<LanguageTag> = [upper, mixed].into_iter().collect();
        assert_eq!(set.len(), 1);
        assert_eq!(LanguageTag::new("en-GB").to_string(), "en-GB");
    }

    #[test]
    fn localized_lookup_ignores_case_and_replaces_in_place() {
        let mut name = Localized::new("Example")
            .with_tagged("en-GB", "Example Ltd")
            .with_tagged("ja-Jpan-JP", "例");
        assert_eq!(name.get("EN-gb"), Some("Example Ltd"));
        assert_eq!(name.get("ja-jpan-jp"), Some("例"));
        name.set_tagged("EN-GB", "Example plc");
        let tags: Vec<(&str, &str)> = name.tagged().map(|(t, v)| (t.as_str(), v)).collect();
        assert_eq!(tags, [("en-GB", "Example plc"), ("ja-Jpan-JP", "例")]);
        assert_eq!(name.remove_tagged("JA-JPAN-JP"), Some("例".to_owned()));
        assert_eq!(name.get("ja-Jpan-JP"), None);
        assert!(!name.is_empty());
        assert!(Localized::default().is_empty());
    }

    #[test]
    fn localized_equality_ignores_tag_order_and_case() {
        let a = Localized::new("A")
            .with_tagged("en", "A")
            .with_tagged("fr", "Á");
        let b = Localized::new("A")
            .with_tagged("FR", "Á")
            .with_tagged("EN", "A");
        assert_eq!(a, b);
        assert_ne!(a, Localized::new("A").with_tagged("en", "A"));
        assert_ne!(
            a,
            Localized::new("B")
                .with_tagged("en", "A")
                .with_tagged("fr", "Á")
        );
    }
}
