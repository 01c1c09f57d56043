//! eql-emit
