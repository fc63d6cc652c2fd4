//! BDAT (to be written).
