//! eql-bytecode
