//! The scenes of lesson 7.

use super::super::scene::Play;

/// Lesson 7's scenes, by the name its markers give.
pub const SCENES: &[(&str, Play)] = &[];
