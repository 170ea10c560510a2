//! Mock dns server. To be written.
