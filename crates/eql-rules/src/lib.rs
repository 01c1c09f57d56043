//! eql-rules
