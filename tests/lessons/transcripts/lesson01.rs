//! The scenes of lesson 1.

use super::super::scene::Play;

/// Lesson 1's scenes, by the name its markers give.
pub const SCENES: &[(&str, Play)] = &[];
