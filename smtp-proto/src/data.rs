//! DATA (to be written).
