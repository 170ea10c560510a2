//! HTTP/1.0: the web client's exchange (inet_02). To be written.
