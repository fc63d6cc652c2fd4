//! SASL mechanisms (to be written).
