//! Line framing (to be written).
