//! qi-sim: a virtual Quectel EG915Q speaking the QI commands over a byte stream, and the
//! support code of the `qi` tool.
