//! Mock http server. To be written.
