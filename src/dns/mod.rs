//! DNS (RFC 1035): names to addresses and back (inet_01). To be written.
