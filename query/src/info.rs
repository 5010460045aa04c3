//! `blastgraph info`.
