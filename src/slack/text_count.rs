//! Counting the text a Block Kit value carries as Slack counts it (every string under a `text`
//! key, at any depth), by serializing the value into a [`serde::Serializer`] that counts
//! instead of writing.
//!
//! slack-morphism keeps some texts private (headers', buttons'), so serde is the only way in.
//! Writing the JSON and parsing it back to count cost a seventh of a check-in round (the round
//! checks every block of its 4,350 messages against Slack's cap); this walks the same tree
//! without producing a byte. It follows JSON's shape exactly: struct fields and map entries
//! are object members, sequences arrays, `Option`s and newtypes their content, an enum
//! variant with data an object of one member named after it. Tests check it against the
//! count over the JSON, for Liftoff's blocks and for any JSON.

use serde::ser::{self, Serialize};

/// The characters of the strings under `text` keys in `value` as JSON, or 0 if `value` cannot
/// be serialized.
pub fn text_chars_of<T: Serialize + ?Sized>(value: &T) -> usize {
    value.serialize(Counter { under_text: false }).unwrap_or(0)
}

/// Why counting stopped: only a value's own `Serialize` failing.
#[derive(Debug)]
pub struct CountError(String);

impl std::fmt::Display for CountError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CountError {}

impl ser::Error for CountError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        CountError(msg.to_string())
    }
}

/// Counts one value; `under_text` when it is the value of a `text` member.
#[derive(Clone, Copy)]
struct Counter {
    under_text: bool,
}

/// Counts the members or elements of an object or array.
struct Compound {
    chars: usize,
    /// The current map entry's key was `text`.
    key_is_text: bool,
}

impl Compound {
    fn new() -> Self {
        Compound {
            chars: 0,
            key_is_text: false,
        }
    }

    fn member<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), CountError> {
        self.chars += value.serialize(Counter {
            under_text: key == "text",
        })?;
        Ok(())
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CountError> {
        self.chars += value.serialize(Counter { under_text: false })?;
        Ok(())
    }
}

/// Serializer methods for values that are never text: each answers `$answer`.
macro_rules! answers {
    ($answer:expr; $($method:ident($ty:ty)),* $(,)?) => {
        $(fn $method(self, _: $ty) -> Result<Self::Ok, CountError> { Ok($answer) })*
    };
}

impl ser::Serializer for Counter {
    type Ok = usize;
    type Error = CountError;
    type SerializeSeq = Compound;
    type SerializeTuple = Compound;
    type SerializeTupleStruct = Compound;
    type SerializeTupleVariant = Compound;
    type SerializeMap = Compound;
    type SerializeStruct = Compound;
    type SerializeStructVariant = Compound;

    answers!(0;
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_bytes(&[u8]),
    );

    fn serialize_char(self, _: char) -> Result<usize, CountError> {
        Ok(usize::from(self.under_text))
    }

    fn serialize_str(self, text: &str) -> Result<usize, CountError> {
        Ok(if self.under_text { text.chars().count() } else { 0 })
    }

    fn serialize_none(self) -> Result<usize, CountError> {
        Ok(0)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<usize, CountError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<usize, CountError> {
        Ok(0)
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<usize, CountError> {
        Ok(0)
    }

    /// JSON writes a unit variant as its name, a string.
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<usize, CountError> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<usize, CountError> {
        value.serialize(self)
    }

    /// JSON writes `{"<variant>": value}`.
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<usize, CountError> {
        let mut object = Compound::new();
        object.member(variant, value)?;
        Ok(object.chars)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Compound, CountError> {
        Ok(Compound::new())
    }

    fn serialize_tuple(self, _: usize) -> Result<Compound, CountError> {
        Ok(Compound::new())
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound, CountError> {
        Ok(Compound::new())
    }

    /// JSON writes `{"<variant>": [elements]}`: the elements are an array's, whatever the key.
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Compound, CountError> {
        Ok(Compound::new())
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Compound, CountError> {
        Ok(Compound::new())
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound, CountError> {
        Ok(Compound::new())
    }

    /// JSON writes `{"<variant>": {fields}}`: the fields are an object's members (and an
    /// object is never a string, so the variant's name does not matter).
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Compound, CountError> {
        Ok(Compound::new())
    }
}

/// Arrays: JSON writes sequences, tuples and a tuple variant's data alike.
macro_rules! counts_elements {
    ($($trait:ident :: $method:ident),* $(,)?) => {
        $(impl ser::$trait for Compound {
            type Ok = usize;
            type Error = CountError;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CountError> {
                self.element(value)
            }

            fn end(self) -> Result<usize, CountError> {
                Ok(self.chars)
            }
        })*
    };
}

counts_elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

impl ser::SerializeMap for Compound {
    type Ok = usize;
    type Error = CountError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), CountError> {
        self.key_is_text = key.serialize(IsTextKey)?;
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CountError> {
        self.chars += value.serialize(Counter {
            under_text: self.key_is_text,
        })?;
        Ok(())
    }

    fn end(self) -> Result<usize, CountError> {
        Ok(self.chars)
    }
}

/// Objects: JSON writes a struct's and a struct variant's fields alike.
macro_rules! counts_members {
    ($($trait:ident),* $(,)?) => {
        $(impl ser::$trait for Compound {
            type Ok = usize;
            type Error = CountError;

            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), CountError> {
                self.member(key, value)
            }

            fn end(self) -> Result<usize, CountError> {
                Ok(self.chars)
            }
        })*
    };
}

counts_members!(SerializeStruct, SerializeStructVariant);

/// Why a map key could not be read: JSON has no keys but strings (and numbers, as digits).
fn not_a_string_key() -> CountError {
    CountError("a map key that is not a string".to_owned())
}

/// Whether a map key is `text`. JSON keys are strings (serde_json writes numbers and the like
/// as their digits, which are never `text`).
struct IsTextKey;

impl ser::Serializer for IsTextKey {
    type Ok = bool;
    type Error = CountError;
    type SerializeSeq = ser::Impossible<bool, CountError>;
    type SerializeTuple = ser::Impossible<bool, CountError>;
    type SerializeTupleStruct = ser::Impossible<bool, CountError>;
    type SerializeTupleVariant = ser::Impossible<bool, CountError>;
    type SerializeMap = ser::Impossible<bool, CountError>;
    type SerializeStruct = ser::Impossible<bool, CountError>;
    type SerializeStructVariant = ser::Impossible<bool, CountError>;

    fn serialize_str(self, key: &str) -> Result<bool, CountError> {
        Ok(key == "text")
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<bool, CountError> {
        Ok(variant == "text")
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, key: &T) -> Result<bool, CountError> {
        key.serialize(self)
    }

    answers!(false;
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_bytes(&[u8]),
    );

    fn serialize_none(self) -> Result<bool, CountError> {
        Ok(false)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, key: &T) -> Result<bool, CountError> {
        key.serialize(self)
    }
    fn serialize_unit(self) -> Result<bool, CountError> {
        Ok(false)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<bool, CountError> {
        Ok(false)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<bool, CountError> {
        Err(not_a_string_key())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, CountError> {
        Err(not_a_string_key())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, CountError> {
        Err(not_a_string_key())
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, CountError> {
        Err(not_a_string_key())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, CountError> {
        Err(not_a_string_key())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, CountError> {
        Err(not_a_string_key())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, CountError> {
        Err(not_a_string_key())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, CountError> {
        Err(not_a_string_key())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// The count over the JSON itself, as the Slack emulator makes it when it checks a
    /// message against Slack's cap (`slack_emulator::block_text_chars`, which the library does
    /// not link). `slack::blocks`' tests check Liftoff's own blocks with it.
    pub(crate) fn counted_over_json<T: Serialize>(value: &T) -> usize {
        fn walk(value: &serde_json::Value) -> usize {
            match value {
                serde_json::Value::Object(map) => map
                    .iter()
                    .map(|(key, value)| match value {
                        serde_json::Value::String(text) if key == "text" => text.chars().count(),
                        other => walk(other),
                    })
                    .sum(),
                serde_json::Value::Array(items) => items.iter().map(walk).sum(),
                _ => 0,
            }
        }
        walk(&serde_json::to_value(value).unwrap())
    }

    #[test]
    fn follows_json_through_maps_variants_and_nesting() {
        #[derive(serde::Serialize)]
        enum Shape {
            Unit,
            Wrapped(String),
            Pair(String, String),
            Fields { text: String, other: String },
        }
        #[derive(serde::Serialize)]
        struct Holder {
            shape: Shape,
            #[serde(rename = "text")]
            caption: Option<Shape>,
            list: Vec<Shape>,
            #[serde(flatten)]
            extra: std::collections::BTreeMap<String, serde_json::Value>,
        }
        let values = [
            json!({"text": "héllo", "nested": {"text": {"text": "deep"}}, "list": [{"text": "x"}, "text"]}),
            json!({"text": 12, "a": [["text"]], "b": {"text": null}, "c": {"text": ["not counted"]}}),
        ];
        for value in &values {
            assert_eq!(text_chars_of(value), counted_over_json(value));
        }
        let holders = [
            Holder {
                shape: Shape::Unit,
                caption: None,
                list: vec![Shape::Wrapped("w".into()), Shape::Pair("p".into(), "q".into())],
                extra: [
                    ("text".to_owned(), json!("flattened")),
                    ("z".to_owned(), json!({"text": "z"})),
                ]
                .into(),
            },
            Holder {
                shape: Shape::Fields {
                    text: "inner".into(),
                    other: "not".into(),
                },
                caption: Some(Shape::Unit),
                list: vec![Shape::Fields {
                    text: "listed".into(),
                    other: "no".into(),
                }],
                extra: Default::default(),
            },
        ];
        for holder in &holders {
            assert_eq!(
                text_chars_of(holder),
                counted_over_json(holder),
                "{}",
                serde_json::to_string(holder).unwrap()
            );
        }
    }

    /// Any JSON at all, keys drawn so that `text` comes up often.
    fn json() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            ".{0,12}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::from),
                proptest::collection::btree_map(prop_oneof![Just("text".to_owned()), "[a-z]{1,5}"], inner, 0..5)
                    .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_count_over_json_for_any_json(value in json()) {
            proptest::prop_assert_eq!(text_chars_of(&value), counted_over_json(&value));
        }
    }
}
