//! What became of a read, as a value: the data, the recorded failure, or nothing at all.
//!
//! Every inventory field that comes from a read is a [`Read`], so no check can take an unread
//! list for an empty one: it asks for the data and gets either it or the failure, which names
//! the API. A read made in parts (resources by id, each node group, each page of ids) is a
//! [`Read`] of a [`Collection`]: the items that were read, and the failures of the parts that
//! were not.
//!
//! In a snapshot (JSON), `Got` is the value itself, `Failed` is `{"failed_read": <error>}` and
//! `NotCollected` is an absent field (or `null`), so a snapshot written before a field existed,
//! or by a scan that did not need it, reads as "not collected", never as empty. A collection
//! without failures is a plain array; with failures, `{"items": [...], "failed": [...]}`.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use serde::de::{self, DeserializeOwned, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{CollectError, Missing, Need, Why};

/// The key that marks a failed read in a snapshot.
const FAILED: &str = "failed_read";

/// Declares an accessor per read field of an inventory struct: `name(&self)` returns the data,
/// or a [`Missing`] naming `what` and the reads (`needs`) that give it. This is the one place
/// that ties a field to its API.
macro_rules! accessors {
    ($($(#[$doc:meta])* $name:ident: $type:ty = $what:literal, [$($need:expr),+ $(,)?];)*) => {
        $(
            $(#[$doc])*
            pub fn $name(&self) -> $crate::inventory::Lookup<'_, $type> {
                const NEEDS: &[$crate::inventory::Need] = &[$($need),+];
                self.$name.get($what, NEEDS)
            }
        )*
    };
}
pub(crate) use accessors;

/// Declares accessors for listings read in parts (`Read<Collection<T>>`): the items when every
/// part was read, else why some may be missing.
macro_rules! listing_accessors {
    ($($(#[$doc:meta])* $name:ident: [$item:ty] = $what:literal, [$($need:expr),+ $(,)?];)*) => {
        $(
            $(#[$doc])*
            pub fn $name(&self) -> Result<&[$item], $crate::inventory::Missing> {
                const NEEDS: &[$crate::inventory::Need] = &[$($need),+];
                self.$name.listing($what, NEEDS)
            }
        )*
    };
}
pub(crate) use listing_accessors;

/// What became of one read.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Read<T> {
    /// It was read: the data.
    Got(T),
    /// It was tried and failed: why, and which API (the permission to grant).
    Failed(CollectError),
    /// It was not read: an older snapshot, an export without it, or a scan that did not need it.
    #[default]
    NotCollected,
}

impl<T> Read<T> {
    /// The data, when it was read.
    pub fn got(&self) -> Option<&T> {
        match self {
            Read::Got(value) => Some(value),
            _ => None,
        }
    }

    /// The failure, when the read failed.
    pub fn failure(&self) -> Option<&CollectError> {
        match self {
            Read::Failed(err) => Some(err),
            _ => None,
        }
    }

    /// The data, or what is missing: `what`, which `needs` read.
    pub fn get(&self, what: &str, needs: &'static [Need]) -> Result<&T, Missing> {
        match self {
            Read::Got(value) => Ok(value),
            Read::Failed(err) => Err(Missing::new(
                what,
                needs,
                Why::Failed(Box::new(err.clone())),
            )),
            Read::NotCollected => Err(Missing::new(what, needs, Why::NotCollected)),
        }
    }

    /// Whether nothing was read or tried (the field is absent from the snapshot).
    pub fn is_not_collected(&self) -> bool {
        matches!(self, Read::NotCollected)
    }

    /// The same read with the data transformed; a failure stays a failure.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Read<U> {
        match self {
            Read::Got(value) => Read::Got(f(value)),
            Read::Failed(err) => Read::Failed(err),
            Read::NotCollected => Read::NotCollected,
        }
    }

    /// The data, or a default when it was not read.
    pub fn got_or(&self, default: T) -> T
    where
        T: Clone,
    {
        self.got().cloned().unwrap_or(default)
    }

    /// The data, mutably, when it was read.
    pub fn got_mut(&mut self) -> Option<&mut T> {
        match self {
            Read::Got(value) => Some(value),
            _ => None,
        }
    }

    /// The data to build on: a read not made (or failed) becomes an empty success first. For
    /// builders and tests that assemble an inventory piece by piece.
    pub fn data_mut(&mut self) -> &mut T
    where
        T: Default,
    {
        if !matches!(self, Read::Got(_)) {
            *self = Read::Got(T::default());
        }
        match self {
            Read::Got(value) => value,
            _ => unreachable!("just set"),
        }
    }
}

impl<T> From<Result<T, CollectError>> for Read<T> {
    fn from(result: Result<T, CollectError>) -> Self {
        match result {
            Ok(value) => Read::Got(value),
            Err(err) => Read::Failed(err),
        }
    }
}

impl<T: Serialize> Serialize for Read<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Read::Got(value) => value.serialize(serializer),
            Read::Failed(err) => {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(FAILED, err)?;
                map.end()
            }
            // Fields skip it (`skip_serializing_if = "Read::is_not_collected"`); elsewhere, null.
            Read::NotCollected => serializer.serialize_none(),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Read<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ReadVisitor(PhantomData))
    }
}

struct ReadVisitor<T>(PhantomData<T>);

/// Hands a value the visitor already took apart back to `T`'s deserializer.
macro_rules! forward_scalar {
    ($($method:ident: $type:ty),* $(,)?) => {
        $(
            fn $method<E: de::Error>(self, value: $type) -> Result<Self::Value, E> {
                T::deserialize(value.into_deserializer()).map(Read::Got)
            }
        )*
    };
}

impl<'de, T: DeserializeOwned> Visitor<'de> for ReadVisitor<T> {
    type Value = Read<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the data of a read, {\"failed_read\": <error>}, or null")
    }

    forward_scalar!(
        visit_bool: bool,
        visit_i64: i64,
        visit_u64: u64,
        visit_f64: f64,
        visit_string: String,
    );

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        T::deserialize(value.to_string().into_deserializer()).map(Read::Got)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Read::NotCollected)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Read::NotCollected)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Read::Got)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some(first) = map.next_key::<String>()? else {
            return T::deserialize(de::value::MapAccessDeserializer::new(Replay {
                first: None,
                map,
            }))
            .map(Read::Got);
        };
        if first == FAILED {
            let err: CollectError = map.next_value()?;
            return Ok(Read::Failed(err));
        }
        T::deserialize(de::value::MapAccessDeserializer::new(Replay {
            first: Some(first),
            map,
        }))
        .map(Read::Got)
    }
}

/// A map whose first key was already taken, handed on whole.
struct Replay<A> {
    first: Option<String>,
    map: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Replay<A> {
    type Error = A::Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        match self.first.take() {
            Some(key) => seed.deserialize(key.into_deserializer()).map(Some),
            None => self.map.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        self.map.next_value_seed(seed)
    }
}

/// What holds reads gives up their failures: the report's collection errors are gathered from
/// the inventory this way, so a failure is never listed apart from the data it concerns.
pub trait Failures {
    /// Push every failed read this value holds (its own and its parts') onto `out`.
    fn failures_into<'a>(&'a self, out: &mut Vec<&'a CollectError>);

    /// Every failed read this value holds.
    fn failures(&self) -> Vec<&CollectError> {
        let mut out = Vec::new();
        self.failures_into(&mut out);
        out
    }
}

impl<T: Failures> Failures for Read<T> {
    fn failures_into<'a>(&'a self, out: &mut Vec<&'a CollectError>) {
        match self {
            Read::Got(value) => value.failures_into(out),
            Read::Failed(err) => out.push(err),
            Read::NotCollected => {}
        }
    }
}

impl<T: Failures> Failures for Collection<T> {
    fn failures_into<'a>(&'a self, out: &mut Vec<&'a CollectError>) {
        out.extend(&self.failed);
        self.items.failures_into(out);
    }
}

impl<T: Failures> Failures for Vec<T> {
    fn failures_into<'a>(&'a self, out: &mut Vec<&'a CollectError>) {
        for item in self {
            item.failures_into(out);
        }
    }
}

/// Declares types that hold no reads of their own.
macro_rules! no_failures {
    ($($type:ty),* $(,)?) => {
        $(
            impl $crate::inventory::Failures for $type {
                fn failures_into<'a>(&'a self, _: &mut Vec<&'a $crate::inventory::CollectError>) {}
            }
        )*
    };
}
pub(crate) use no_failures;

/// Declares the fields through which a type holds reads.
macro_rules! failures_in {
    ($type:ty: $($field:ident),+ $(,)?) => {
        impl $crate::inventory::Failures for $type {
            fn failures_into<'a>(&'a self, out: &mut Vec<&'a $crate::inventory::CollectError>) {
                $($crate::inventory::Failures::failures_into(&self.$field, out);)+
            }
        }
    };
}
pub(crate) use failures_in;

no_failures!(bool, usize, String, serde_json::Value);

/// Items read in parts, and the failures of the parts that were not read (each names the
/// resources it concerns, or none when it concerns the whole collection).
#[derive(Debug, Clone, PartialEq)]
pub struct Collection<T> {
    /// What was read.
    pub items: Vec<T>,
    /// What could not be.
    pub failed: Vec<CollectError>,
}

impl<T> Default for Collection<T> {
    fn default() -> Self {
        Collection {
            items: Vec::new(),
            failed: Vec::new(),
        }
    }
}

impl<T> Collection<T> {
    /// The items read, and the failures of the parts that were not.
    pub fn of(items: Vec<T>, failed: Vec<CollectError>) -> Self {
        Collection { items, failed }
    }

    /// Every item, nothing failed.
    pub fn complete(items: Vec<T>) -> Self {
        Collection {
            items,
            failed: Vec::new(),
        }
    }

    /// Add an item that was read.
    pub fn push(&mut self, item: T) {
        self.items.push(item);
    }

    /// The failure that concerns `resource`, if any (one about no resource concerns all).
    pub fn failure_about(&self, resource: &str) -> Option<&CollectError> {
        self.failed.iter().find(|f| f.covers(resource))
    }

    /// Whether every part was read.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty()
    }

    /// Every item, or why some may be missing: for judgements about the collection as a whole
    /// ("none of them...", "the latest of them..."), which a missing part could overturn.
    pub fn all(&self, what: &str) -> Result<&[T], Missing> {
        match self.failed.first() {
            None => Ok(&self.items),
            Some(err) => Err(Missing::new(what, &[], Why::Failed(Box::new(err.clone())))),
        }
    }
}

impl<T> Read<Collection<T>> {
    /// Every item of a listing read in parts, or why some may be missing (the first failed
    /// part; every one of them is among the collection errors).
    pub fn listing(&self, what: &str, needs: &'static [Need]) -> Result<&[T], Missing> {
        self.get(what, needs)?
            .all(what)
            .map_err(|missing| Missing { needs, ..missing })
    }
}

// Derefs to the Vec (not a slice) so a test or builder can push, extend and retain in place.
impl<T> Deref for Collection<T> {
    type Target = Vec<T>;

    fn deref(&self) -> &Vec<T> {
        &self.items
    }
}

impl<T> std::ops::DerefMut for Collection<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.items
    }
}

impl<'a, T> IntoIterator for &'a Collection<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<T> From<Vec<T>> for Collection<T> {
    fn from(items: Vec<T>) -> Self {
        Collection::complete(items)
    }
}

impl<T: Serialize> Serialize for Collection<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.failed.is_empty() {
            return self.items.serialize(serializer);
        }
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("items", &self.items)?;
        map.serialize_entry("failed", &self.failed)?;
        map.end()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Collection<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CollectionVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for CollectionVisitor<T> {
            type Value = Collection<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list, or {\"items\": [...], \"failed\": [...]}")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(Collection::complete)
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut collection = Collection::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "items" => collection.items = map.next_value()?,
                        "failed" => collection.failed = map.next_value()?,
                        other => {
                            return Err(de::Error::unknown_field(other, &["items", "failed"]));
                        }
                    }
                }
                Ok(collection)
            }
        }

        deserializer.deserialize_any(CollectionVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::ErrorKind;

    #[derive(Serialize, Deserialize, Debug, PartialEq, Default)]
    struct Holder {
        #[serde(default, skip_serializing_if = "Read::is_not_collected")]
        list: Read<Vec<u32>>,
        #[serde(default, skip_serializing_if = "Read::is_not_collected")]
        flag: Read<bool>,
        #[serde(default, skip_serializing_if = "Read::is_not_collected")]
        thing: Read<Thing>,
        #[serde(default, skip_serializing_if = "Read::is_not_collected")]
        parts: Read<Collection<String>>,
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq, Default)]
    struct Thing {
        name: String,
        #[serde(default)]
        size: u32,
    }

    fn failure() -> CollectError {
        CollectError::new(
            "ec2:DescribeVolumes",
            vec!["vol-1".into()],
            ErrorKind::AccessDenied,
            "no",
        )
    }

    fn round_trip(holder: &Holder) -> Holder {
        let text = serde_json::to_string(holder).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn got_failed_and_not_collected_survive_a_snapshot() {
        let holder = Holder {
            list: Read::Got(vec![1, 2]),
            flag: Read::Failed(failure()),
            thing: Read::Got(Thing {
                name: "x".into(),
                size: 3,
            }),
            parts: Read::Got(Collection {
                items: vec!["a".into()],
                failed: vec![failure()],
            }),
        };
        assert_eq!(round_trip(&holder), holder);
        let text = serde_json::to_string(&holder).unwrap();
        assert!(text.contains(r#""list":[1,2]"#), "{text}");
        assert!(text.contains(r#""flag":{"failed_read":"#), "{text}");
        assert_eq!(round_trip(&Holder::default()), Holder::default());
        assert_eq!(serde_json::to_string(&Holder::default()).unwrap(), "{}");
    }

    #[test]
    fn an_absent_or_null_field_is_not_collected_never_empty() {
        let holder: Holder = serde_json::from_str(r#"{"list": null}"#).unwrap();
        assert_eq!(holder.list, Read::NotCollected);
        assert_eq!(holder.flag, Read::NotCollected);
        let holder: Holder = serde_json::from_str(r#"{"list": []}"#).unwrap();
        assert_eq!(holder.list, Read::Got(vec![]));
    }

    #[test]
    fn a_complete_collection_is_a_plain_list() {
        let holder: Holder = serde_json::from_str(r#"{"parts": ["a", "b"]}"#).unwrap();
        assert_eq!(
            holder.parts,
            Read::Got(Collection::complete(vec!["a".into(), "b".into()]))
        );
        let text = serde_json::to_string(&holder).unwrap();
        assert_eq!(text, r#"{"parts":["a","b"]}"#);
    }

    #[test]
    fn malformed_data_is_an_error_not_a_failure() {
        assert!(serde_json::from_str::<Holder>(r#"{"thing": {"size": 2}}"#).is_err());
        assert!(serde_json::from_str::<Holder>(r#"{"list": "nope"}"#).is_err());
    }
}
