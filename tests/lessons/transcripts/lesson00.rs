//! The scenes of lesson 0.

use super::super::scene::Play;

/// Lesson 0's scenes, by the name its markers give.
pub const SCENES: &[(&str, Play)] = &[];
