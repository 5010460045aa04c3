//! The snapshot model (in progress).
