//! SMTP (RFC 5321): by hand and through a library (inet_03, inet_04). To be written.
