//! Lists per kind (RV2): withdrawal records with their filters. Portable SQL.
