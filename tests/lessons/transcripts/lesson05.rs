//! The scenes of lesson 5.

use super::super::scene::Play;

/// Lesson 5's scenes, by the name its markers give.
pub const SCENES: &[(&str, Play)] = &[];
