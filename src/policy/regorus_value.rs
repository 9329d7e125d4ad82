//! Serialises a value straight into a regorus value: the value `serde_json` would write and
//! regorus parse back (`Value::from_json_str`), without the JSON text in between.
//!
//! Building the policy input of a large account is mostly this conversion, and it is on the
//! way to every rule: through JSON text, a third of it went to writing and scanning the text
//! and to allocating each object key again before regorus shared it. Here the object keys are
//! shared as regorus shares them when it parses (one string per distinct key in a conversion),
//! objects are regorus' compact sorted ones, and numbers take the forms a parse gives them
//! (a non-negative integer as unsigned, a float as a float, a non-finite float as null, as
//! `serde_json` writes it), so that rules see exactly what they saw through the text.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Display;

use regorus::{Rc, Value};
use serde::ser::{self, Serialize};

/// `value` as a regorus value, each distinct object key allocated once.
pub(super) fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, Error> {
    let keys = Keys::default();
    value.serialize(ValueSerializer { keys: &keys })
}

/// Why a value could not be converted: what `serde_json` would also refuse (a map key that is
/// not a string, number or boolean), or a `Serialize` implementation's own error.
#[derive(Debug)]
pub(super) struct Error(String);

impl Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// The object keys of one conversion, field names and map keys alike: a large list's objects
/// share a few dozen field names.
#[derive(Default)]
struct Keys(RefCell<HashSet<Rc<str>>>);

impl Keys {
    fn key(&self, name: &str) -> Value {
        let mut known = self.0.borrow_mut();
        if let Some(shared) = known.get(name) {
            return Value::String(shared.clone());
        }
        let shared: Rc<str> = name.into();
        known.insert(shared.clone());
        Value::String(shared)
    }
}

#[derive(Clone, Copy)]
struct ValueSerializer<'k> {
    keys: &'k Keys,
}

/// A float as a parse of `serde_json`'s text gives it back: non-finite floats are written as
/// `null`.
fn float(v: f64) -> Value {
    if v.is_finite() {
        Value::from(v)
    } else {
        Value::Null
    }
}

/// An integer as a parse gives it back: unsigned when it is not negative, a float beyond 64
/// bits.
fn integer(v: i128) -> Value {
    if let Ok(unsigned) = u64::try_from(v) {
        Value::from(unsigned)
    } else if let Ok(signed) = i64::try_from(v) {
        Value::from(signed)
    } else {
        float(v as f64)
    }
}

impl<'k> ser::Serializer for ValueSerializer<'k> {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = Elements<'k>;
    type SerializeTuple = Elements<'k>;
    type SerializeTupleStruct = Elements<'k>;
    type SerializeTupleVariant = Variant<Elements<'k>>;
    type SerializeMap = Fields<'k>;
    type SerializeStruct = Fields<'k>;
    type SerializeStructVariant = Variant<Fields<'k>>;

    fn serialize_bool(self, v: bool) -> Result<Value, Error> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, Error> {
        Ok(integer(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, Error> {
        Ok(integer(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, Error> {
        Ok(integer(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, Error> {
        Ok(integer(v.into()))
    }
    fn serialize_i128(self, v: i128) -> Result<Value, Error> {
        Ok(integer(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Value, Error> {
        Ok(Value::from(u64::from(v)))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, Error> {
        Ok(Value::from(u64::from(v)))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, Error> {
        Ok(Value::from(u64::from(v)))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_u128(self, v: u128) -> Result<Value, Error> {
        Ok(u64::try_from(v).map_or_else(|_| float(v as f64), Value::from))
    }
    fn serialize_f32(self, v: f32) -> Result<Value, Error> {
        // serde_json writes an f32 in its own shortest form, which parses back as that
        // decimal, not as the f32 widened.
        Ok(float(v.to_string().parse().unwrap_or(f64::NAN)))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, Error> {
        Ok(float(v))
    }
    fn serialize_char(self, v: char) -> Result<Value, Error> {
        Ok(Value::from(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, Error> {
        Ok(Value::from(
            v.iter()
                .map(|&b| Value::from(u64::from(b)))
                .collect::<Vec<_>>(),
        ))
    }
    fn serialize_none(self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, Error> {
        Ok(Value::from(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        let inner = value.serialize(self)?;
        Ok(self.one_field(variant, inner))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Elements<'k>, Error> {
        Ok(Elements {
            serializer: self,
            elements: Vec::with_capacity(len.unwrap_or(0)),
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Elements<'k>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Elements<'k>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<Elements<'k>>, Error> {
        Ok(Variant {
            variant,
            inner: self.serialize_seq(Some(len))?,
        })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Fields<'k>, Error> {
        Ok(Fields {
            serializer: self,
            fields: BTreeMap::new(),
            pending_key: None,
        })
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Fields<'k>, Error> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Variant<Fields<'k>>, Error> {
        Ok(Variant {
            variant,
            inner: self.serialize_map(None)?,
        })
    }
}

impl ValueSerializer<'_> {
    /// `{name: value}`: how an enum variant with data is written.
    fn one_field(self, name: &str, value: Value) -> Value {
        Value::from(BTreeMap::from([(self.keys.key(name), value)]))
    }

    /// A map key as the text `serde_json` would write for it: keys must be strings in JSON,
    /// and it writes numbers and booleans as their text.
    fn map_key<T: Serialize + ?Sized>(self, key: &T) -> Result<Value, Error> {
        match key.serialize(self)? {
            Value::String(name) => Ok(self.keys.key(&name)),
            Value::Number(n) => Ok(self.keys.key(&n.format_decimal())),
            Value::Bool(b) => Ok(self.keys.key(if b { "true" } else { "false" })),
            other => Err(Error(format!(
                "a map key must be a string, a number or a boolean, not {other}"
            ))),
        }
    }
}

/// The elements of a sequence or tuple being serialised.
struct Elements<'k> {
    serializer: ValueSerializer<'k>,
    elements: Vec<Value>,
}

impl Elements<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.elements.push(value.serialize(self.serializer)?);
        Ok(())
    }
}

/// serde's traits for a sequence, a tuple and a tuple struct differ only in their names.
macro_rules! collects_elements {
    ($($serde_trait:ident::$method:ident),*) => {$(
        impl ser::$serde_trait for Elements<'_> {
            type Ok = Value;
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.push(value)
            }
            fn end(self) -> Result<Value, Error> {
                Ok(Value::from(self.elements))
            }
        }
    )*};
}

collects_elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

/// The fields of a map or struct being serialised; a later field of the same name replaces an
/// earlier one, as when regorus parses an object with a key written twice.
struct Fields<'k> {
    serializer: ValueSerializer<'k>,
    fields: BTreeMap<Value, Value>,
    pending_key: Option<Value>,
}

impl Fields<'_> {
    fn insert<T: Serialize + ?Sized>(&mut self, key: Value, value: &T) -> Result<(), Error> {
        self.fields.insert(key, value.serialize(self.serializer)?);
        Ok(())
    }

    fn into_value(self) -> Value {
        Value::from(self.fields)
    }
}

impl ser::SerializeMap for Fields<'_> {
    type Ok = Value;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.pending_key = Some(self.serializer.map_key(key)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self
            .pending_key
            .take()
            .ok_or_else(|| Error("a map value came before its key".to_owned()))?;
        self.insert(key, value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.into_value())
    }
}

impl ser::SerializeStruct for Fields<'_> {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let key = self.serializer.keys.key(name);
        self.insert(key, value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.into_value())
    }
}

/// An enum variant with data being serialised: `{variant: inner}`.
struct Variant<Inner> {
    variant: &'static str,
    inner: Inner,
}

impl ser::SerializeTupleVariant for Variant<Elements<'_>> {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.inner.push(value)
    }
    fn end(self) -> Result<Value, Error> {
        let serializer = self.inner.serializer;
        Ok(serializer.one_field(self.variant, Value::from(self.inner.elements)))
    }
}

impl ser::SerializeStructVariant for Variant<Fields<'_>> {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(&mut self.inner, name, value)
    }
    fn end(self) -> Result<Value, Error> {
        let serializer = self.inner.serializer;
        Ok(serializer.one_field(self.variant, self.inner.into_value()))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::{TimeZone, Utc};
    use serde::Serialize;

    use super::*;

    /// What the policy input held before this module: the value through its JSON text.
    fn through_json<T: Serialize + ?Sized>(value: &T) -> Value {
        Value::from_json_str(&serde_json::to_string(value).unwrap()).unwrap()
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        Newtype(u8),
        Tuple(i32, String),
        Struct { side: f64 },
    }

    #[derive(Serialize)]
    #[serde(tag = "kind", rename_all = "snake_case")]
    enum Tagged {
        Circle { radius: f64 },
        Dot,
    }

    #[derive(Serialize)]
    struct Inner {
        name: &'static str,
        note: Option<String>,
    }

    #[derive(Serialize)]
    struct Outer {
        #[serde(flatten)]
        inner: Inner,
        /// Written twice (flattened and here): the later field wins either way.
        name: &'static str,
        shapes: Vec<Shape>,
        tagged: Vec<Tagged>,
        by_number: BTreeMap<i64, bool>,
        by_flag: BTreeMap<bool, u8>,
        numbers: (i64, i64, u64, u128, i128, f32, f64, f64, f64),
        letter: char,
        at: chrono::DateTime<Utc>,
        nothing: (),
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
    }

    fn sample() -> Outer {
        Outer {
            inner: Inner {
                name: "flattened",
                note: None,
            },
            name: "outer",
            shapes: vec![
                Shape::Unit,
                Shape::Newtype(7),
                Shape::Tuple(-3, "x\"y".to_owned()),
                Shape::Struct { side: 1.0 },
            ],
            tagged: vec![Tagged::Circle { radius: 0.5 }, Tagged::Dot],
            by_number: BTreeMap::from([(-1, true), (20, false)]),
            by_flag: BTreeMap::from([(true, 1)]),
            numbers: (
                -5,
                5,
                u64::MAX,
                u128::from(u64::MAX) + 1,
                i128::from(i64::MIN) - 1,
                0.1,
                2.5,
                f64::NAN,
                1e300,
            ),
            letter: 'é',
            at: Utc.with_ymd_and_hms(2026, 5, 4, 3, 2, 1).unwrap(),
            nothing: (),
            skipped: None,
        }
    }

    #[test]
    fn every_shape_of_serde_data_comes_out_as_through_json_text() {
        let sample = sample();
        let direct = to_value(&sample).unwrap();
        assert_eq!(direct, through_json(&sample));
        // Spot checks, should both sides ever go wrong alike.
        assert_eq!(direct["name"], Value::from("outer"));
        assert_eq!(direct["by_number"]["-1"], Value::Bool(true));
        assert_eq!(direct["shapes"][0], Value::from("Unit"));
        assert_eq!(direct["shapes"][2]["Tuple"][0], Value::from(-3i64));
        assert_eq!(direct["tagged"][1]["kind"], Value::from("dot"));
        assert_eq!(direct["numbers"][7], Value::Null);
        assert_eq!(direct["at"], Value::from("2026-05-04T03:02:01Z"));
    }

    #[test]
    fn the_snapshots_of_the_fixtures_come_out_as_through_json_text() {
        for name in ["incident.json", "clean.json", "partial.json"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures")
                .join(name);
            let text = std::fs::read_to_string(&path).unwrap();
            let snapshot = crate::snapshot::parse(&path, &text).unwrap();
            assert_eq!(
                to_value(&snapshot).unwrap(),
                through_json(&snapshot),
                "{name}"
            );
        }
    }

    #[test]
    fn objects_of_one_conversion_share_their_keys() {
        let list = [
            Inner {
                name: "a",
                note: None,
            },
            Inner {
                name: "b",
                note: None,
            },
        ];
        let value = to_value(&list).unwrap();
        let key_of = |i: usize| {
            let object = value[i].as_object().unwrap();
            match object.keys().next().unwrap() {
                Value::String(key) => key.clone(),
                other => panic!("not a string key: {other}"),
            }
        };
        assert!(Rc::ptr_eq(&key_of(0), &key_of(1)));
    }

    #[test]
    fn a_map_key_json_cannot_write_is_an_error() {
        let map = BTreeMap::from([(vec![1u8], 1u8)]);
        let error = to_value(&map).unwrap_err().to_string();
        assert!(error.contains("map key"), "{error}");
        assert!(serde_json::to_string(&map).is_err());
    }
}
