//! Availability and hardening (issue 16): work that grows with hostile input stays bounded,
//! and the server keeps answering while someone tries.

mod connections;
mod imports;
mod isolation;
mod sign_in;
