//! Value types known to the planner, as Elasticsearch mappings name them.

use serde::Serialize;

/// The type of a field or expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Type {
    /// The `null` literal.
    Null,
    Bool,
    /// Integer types (long, integer, short, byte, unsigned_long).
    Long,
    /// Floating types (double, float, half_float, scaled_float).
    Double,
    /// Exact strings: keyword, constant_keyword, wildcard, match_only_text's keyword side.
    Keyword,
    /// Analysed text (no exact value; Elasticsearch rejects most operators on it).
    Text,
    Ip,
    /// date and date_nanos; values are epoch nanoseconds at run time.
    Date,
    /// Elasticsearch's `version` type (semantic-version ordering).
    Version,
    /// An object (a field with sub-fields); not a value.
    Object,
    /// Nothing is known: no schema mentions the field. Checked at run time.
    Unknown,
}

impl Type {
    pub fn is_numeric(self) -> bool {
        matches!(self, Type::Long | Type::Double)
    }

    pub fn is_string(self) -> bool {
        matches!(self, Type::Keyword | Type::Text)
    }

    /// Maps an Elasticsearch mapping type name to a type (`None` for names we do not know).
    pub fn from_es(name: &str) -> Option<Type> {
        Some(match name {
            "keyword" | "constant_keyword" | "wildcard" | "match_only_text" | "flattened" => {
                Type::Keyword
            }
            "text" => Type::Text,
            "long" | "integer" | "short" | "byte" | "unsigned_long" => Type::Long,
            "double" | "float" | "half_float" | "scaled_float" => Type::Double,
            "boolean" => Type::Bool,
            "ip" => Type::Ip,
            "date" | "date_nanos" => Type::Date,
            "version" => Type::Version,
            "object" | "nested" | "group" => Type::Object,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Type::Null => "null",
            Type::Bool => "boolean",
            Type::Long => "long",
            Type::Double => "double",
            Type::Keyword => "keyword",
            Type::Text => "text",
            Type::Ip => "ip",
            Type::Date => "date",
            Type::Version => "version",
            Type::Object => "object",
            Type::Unknown => "unknown",
        }
    }
}
