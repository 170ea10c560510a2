//! Mock smtp server. To be written.
